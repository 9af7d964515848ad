import { mergeVariableOfHeader } from '../../lambdas/campaigns/merge-variables';

/**
 * Splits a recipients CSV into uploads of at most `size` rows, each the header plus its rows as
 * written. The server parses and checks every cell (header names, addresses, merge variables): the
 * browser only finds where records end, so the rules stay in one place and a chunk reads exactly
 * as the whole file would.
 */
export interface CsvChunk {
  /** Rows before this chunk: the server numbers each chunk's rows from 1 again. */
  firstRow: number;
  rows: number;
  /** The header line, then the chunk's records, CRLF-separated. */
  csv: string;
}

export interface CsvChunks {
  header: string;
  /** Data rows in the file, empty lines not counted (as the server counts them). */
  rows: number;
  chunks: CsvChunk[];
}

/** The largest upload the API takes in one call (`POST /v1/campaigns/{id}/recipients`). */
export const ROWS_PER_UPLOAD = 1000;

/**
 * The records of a CSV text: quoted fields may hold commas, quotes (`""`) and line breaks; lines end
 * in CRLF, LF or CR, mixed. Each record is returned as written, without its line ending.
 */
export function csvRecords(text: string): string[] {
  const records: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '"') quoted = !quoted;
    else if (!quoted && (char === '\n' || char === '\r')) {
      records.push(text.slice(start, i));
      if (char === '\r' && text[i + 1] === '\n') i++;
      start = i + 1;
    }
  }
  if (start < text.length) records.push(text.slice(start));
  return records;
}

/** The file cut into uploads; throws when there is no header row. */
export function csvChunks(text: string, size = ROWS_PER_UPLOAD): CsvChunks {
  // A byte order mark (Excel writes one) is not part of the first column's name.
  const records = csvRecords(text.replace(/^\uFEFF/, '')).filter((record) => record.trim() !== '');
  const [header, ...rows] = records;
  if (header === undefined)
    throw new Error('The file is empty: it needs a header row with an "email" column');
  const chunks: CsvChunk[] = [];
  for (let first = 0; first < rows.length; first += size) {
    const part = rows.slice(first, first + size);
    chunks.push({ firstRow: first, rows: part.length, csv: [header, ...part].join('\r\n') });
  }
  return { header, rows: rows.length, chunks };
}

/** The cells of one record: quoted cells may hold commas, `""` and line breaks; cells trimmed. */
export function csvCells(record: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < record.length; i++) {
    const char = record[i];
    if (quoted) {
      if (char === '"' && record[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      cells.push(cell.trim());
      cell = '';
    } else cell += char;
  }
  cells.push(cell.trim());
  return cells;
}

/**
 * The first data row's merge variables, named as the API names them (mergeVariableOfHeader; the
 * email column and empty cells left out): sample data for the preview that the file itself gives.
 * Undefined when the file has no data row or the row's cells do not match the header's.
 */
export function firstRowData(file: CsvChunks): Record<string, string> | undefined {
  const first = file.chunks[0];
  const record = first && csvRecords(first.csv)[1];
  if (record === undefined) return undefined;
  const names = csvCells(file.header).map(mergeVariableOfHeader);
  const cells = csvCells(record);
  if (cells.length !== names.length) return undefined;
  const data: Record<string, string> = {};
  names.forEach((name, i) => {
    if (name !== 'email' && cells[i]) data[name] = cells[i] as string;
  });
  return data;
}
