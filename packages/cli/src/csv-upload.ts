import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { access, constants, open, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type AddRecipientsResult, MailroomApiError } from '@mailroom/client';
import { type CsvError, parse } from 'csv-parse';
import { asFailure, CliFailure, EXIT, UsageError } from './exit-codes';

/**
 * Times one chunk is sent while the API answers `upload_incomplete` (its time ran out with rows
 * left; each time is itself the client's attempts). After that the command stops and says how to
 * finish: run it again.
 */
const UPLOAD_ROUNDS = 3;

/** How far an upload is, for a progress line. */
export interface UploadProgress {
  /** Bytes of the file read so far, and its size: the share done without counting its rows first. */
  bytesRead: number;
  fileBytes: number;
  /** Data rows read (the header not counted), and sent in finished chunks. */
  rowsRead: number;
  rowsSent: number;
  added: number;
  duplicates: number;
  rejected: number;
  chunks: number;
}

export interface UploadSummary extends Omit<UploadProgress, 'bytesRead'> {
  /** Where the refused rows went; absent when none was refused. */
  rejectsFile?: string;
}

export interface CsvUploadOptions {
  file: string;
  /** Refused rows are written here (created only if there are any), with their line and reason. */
  rejectsFile: string;
  /** Rows per request: the API's MAX_RECIPIENTS_PER_CALL. */
  chunkSize: number;
  /** Sends one chunk: CSV text, the header line first. */
  upload: (csv: string) => Promise<AddRecipientsResult>;
  onProgress?: (progress: UploadProgress) => void;
}

/** A row kept until its chunk's answer says whether it was refused. */
interface PendingRow {
  cells: string[];
  line: number;
}

/**
 * Uploads a CSV file of any size to a campaign, chunk by chunk, reading it as a stream: at most one
 * chunk is in memory. The header row goes with every chunk, so the server reads each one as it
 * reads a whole file (merge variable names, cell counts, address checks stay the server's).
 *
 * Rows the server refuses (its `invalid`, row numbers within the chunk) and records the CSV reader
 * cannot read (an unclosed quote) go to the rejects file with their line and reason. The chunks
 * are the same on every run of the same file, and the API knows an upload by its addresses: after
 * a failure, running the same upload again completes it (added rows count as duplicates).
 */
export async function uploadCsv(options: CsvUploadOptions): Promise<UploadSummary> {
  const fileBytes = await readableFileSize(options.file);
  await writableRejectsPath(options.rejectsFile);
  const progress: UploadProgress = {
    bytesRead: 0,
    fileBytes,
    rowsRead: 0,
    rowsSent: 0,
    added: 0,
    duplicates: 0,
    rejected: 0,
    chunks: 0,
  };
  const rejects = new RejectsFile(options.rejectsFile);
  // The reader's options are the server's (lambdas/campaigns/recipient-import.ts rowsFromCsv), so a
  // record is the same record on both sides; bad records are reported, not fatal.
  const parser = createReadStream(options.file).pipe(
    parse({
      bom: true,
      skip_empty_lines: true,
      trim: true,
      record_delimiter: ['\r\n', '\n', '\r'],
      relax_column_count: true,
      skip_records_with_error: true,
      info: true,
      raw: true,
    }),
  );
  let header: string[] | undefined;
  // Records the reader could not read, by line: csv-parse may report one twice (an invalid closing
  // quote, then the quote not closed at the end), and reports them ahead of the records this loop
  // has taken (the header included), so they are written at the end, with the fullest raw text.
  const unreadable = new Map<number, { raw: string; reason: string }>();
  parser.on('skip', (error: CsvError & { raw?: string }) => {
    const line = typeof error.lines === 'number' ? error.lines : 0;
    const raw = (error.raw ?? '').trim();
    const seen = unreadable.get(line);
    if (seen === undefined) progress.rejected++;
    if (seen === undefined || raw.length > seen.raw.length) {
      unreadable.set(line, { raw, reason: seen?.reason ?? error.message });
    }
  });

  let chunk: PendingRow[] = [];
  const send = async () => {
    if (chunk.length === 0 || header === undefined) return;
    const rows = chunk;
    chunk = [];
    const csv = [header, ...rows.map((row) => row.cells)].map(csvLine).join('\n');
    let result: AddRecipientsResult | undefined;
    for (let round = 1; result === undefined; round++) {
      try {
        result = await options.upload(csv);
      } catch (error) {
        // The API kept what it wrote and asks for the same rows again: each round gets further.
        const incomplete = error instanceof MailroomApiError && error.code === 'upload_incomplete';
        if (!incomplete || round >= UPLOAD_ROUNDS) throw interrupted(error, progress);
      }
    }
    progress.chunks++;
    progress.rowsSent += rows.length;
    progress.added += result.added;
    progress.duplicates += result.duplicates;
    for (const refused of result.invalid) {
      const row = rows[refused.row - 1];
      progress.rejected++;
      rejects.add(header, row?.cells ?? [refused.email ?? ''], row?.line ?? 0, refused.reason);
    }
    options.onProgress?.({ ...progress });
  };

  try {
    for await (const { record, info } of parser as AsyncIterable<{
      record: string[];
      info: { lines: number; bytes: number };
    }>) {
      progress.bytesRead = info.bytes;
      if (header === undefined) {
        header = record;
        continue;
      }
      progress.rowsRead++;
      chunk.push({ cells: record, line: info.lines });
      if (chunk.length >= options.chunkSize) await send();
      else if (progress.rowsRead % 100 === 0) options.onProgress?.({ ...progress });
    }
    await send();
    for (const [line, { raw, reason }] of unreadable) rejects.add(header ?? [], [raw], line, reason);
  } catch (error) {
    parser.destroy();
    // The upload's own failure is the one to report; the rejects file is closed on the way out.
    await rejects.close().catch(() => undefined);
    throw error;
  }
  parser.destroy();
  await rejects.close().catch((error: Error) => {
    throw new CliFailure(
      EXIT.failed,
      'rejects_not_written',
      `the upload finished (${progress.added} added, ${progress.duplicates} duplicates, ${progress.rejected} refused), but ${error.message}: run the same command again to list the refused rows (rows already added count as duplicates)`,
    );
  });
  if (progress.rowsRead === 0) {
    throw new CliFailure(
      EXIT.usage,
      'empty_csv',
      `${options.file} has no data rows: a header row with an email column, then one row per recipient`,
    );
  }
  const { bytesRead: _, ...summary } = progress;
  return { ...summary, ...(rejects.written ? { rejectsFile: options.rejectsFile } : {}) };
}

/** The file's size, or a UsageError saying why it cannot be read: before any request. */
async function readableFileSize(file: string): Promise<number> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(file, 'r');
    const stat = await handle.stat();
    if (!stat.isFile()) throw new UsageError(`${file} is not a file`);
    return stat.size;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(
      `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  } finally {
    await handle?.close();
  }
}

/**
 * The rejects file can be created where it is asked for: checked before any request, so a path
 * that cannot be written is a usage error (exit 2, nothing sent), not a failure after the upload.
 */
async function writableRejectsPath(path: string): Promise<void> {
  const existing = await stat(path).catch(() => undefined);
  if (existing?.isDirectory()) throw new UsageError(`cannot write ${path}: it is a folder`);
  const target = existing ? path : dirname(path);
  try {
    await access(target, constants.W_OK);
  } catch (error) {
    throw new UsageError(
      `cannot write ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
}

/** The upload stopped half-way: what went wrong, how far it got, and how to finish it. */
function interrupted(error: unknown, progress: UploadProgress): CliFailure {
  const failure = asFailure(error);
  if (progress.rowsSent === 0 && failure.exitCode === EXIT.failed) return failure;
  return new CliFailure(
    failure.exitCode,
    failure.code,
    `${failure.message} (after ${progress.rowsSent} rows in ${progress.chunks} chunks: run the same command again to finish the upload; rows already added count as duplicates)`,
    failure.details,
  );
}

/** One CSV line, every cell quoted: values may hold commas, quotes and line breaks. */
export function csvLine(cells: readonly string[]): string {
  return cells.map((cell) => `"${cell.replaceAll('"', '""')}"`).join(',');
}

/** The refused rows: the file's own columns, then the line they were on and why. */
class RejectsFile {
  private stream: WriteStream | undefined;
  private failed: Error | undefined;

  constructor(private readonly path: string) {}

  get written(): boolean {
    return this.stream !== undefined;
  }

  add(header: readonly string[], cells: readonly string[], line: number, reason: string): void {
    if (this.stream === undefined) {
      this.stream = createWriteStream(this.path);
      this.stream.on('error', (error) => {
        this.failed = error;
      });
      this.stream.write(`${csvLine([...header, 'rejected_line', 'rejected_reason'])}\n`);
    }
    const padded = [...cells, ...Array<string>(Math.max(0, header.length - cells.length)).fill('')];
    this.stream.write(`${csvLine([...padded, String(line), reason])}\n`);
  }

  async close(): Promise<void> {
    const stream = this.stream;
    if (stream === undefined) return;
    await new Promise<void>((done) => stream.end(done));
    if (this.failed) throw new Error(`${this.path} could not be written (${this.failed.message})`);
  }
}
