import type { AddRecipientsResult } from '@mailroom/client';
import { useState } from 'preact/hooks';
import { csvChunks, firstRowData, ROWS_PER_UPLOAD } from '../csv-chunks';
import { count } from '../format';
import { useApi } from '../hooks';
import { DataTable, ErrorBox } from '../ui';

type InvalidRow = AddRecipientsResult['invalid'][number];

interface Upload {
  file: string;
  rows: number;
  done: number;
  added: number;
  duplicates: number;
  invalid: InvalidRow[];
  finished: boolean;
  error?: unknown;
}

/**
 * A CSV file sent in uploads of {@link ROWS_PER_UPLOAD} rows (the API's limit per call), one after
 * another, with the rows the API refused listed by their line in the file. `onFirstRow` gets the
 * first data row's merge variables (the preview's sample data, from the file itself).
 */
export function RecipientsUpload({
  campaignId,
  onUploaded,
  onFirstRow,
}: {
  campaignId: string;
  onUploaded: () => void;
  onFirstRow?: (data: Record<string, string>) => void;
}) {
  const api = useApi();
  const [upload, setUpload] = useState<Upload | undefined>(undefined);

  const start = async (input: HTMLInputElement) => {
    const file = input.files?.[0];
    if (!file) return;
    let state: Upload = {
      file: file.name,
      rows: 0,
      done: 0,
      added: 0,
      duplicates: 0,
      invalid: [],
      finished: false,
    };
    try {
      const parsed = csvChunks(await file.text());
      const { rows, chunks } = parsed;
      const sample = firstRowData(parsed);
      if (sample && onFirstRow) onFirstRow(sample);
      state = { ...state, rows };
      setUpload(state);
      for (const chunk of chunks) {
        const result = await api.campaigns.addRecipientsCsv(campaignId, chunk.csv);
        state = {
          ...state,
          done: state.done + chunk.rows,
          added: state.added + result.added,
          duplicates: state.duplicates + result.duplicates,
          // The API numbers each upload's rows from 1: the row in the whole file is what a person finds.
          invalid: [
            ...state.invalid,
            ...result.invalid.map((row) => ({ ...row, row: row.row + chunk.firstRow })),
          ],
        };
        setUpload(state);
      }
      setUpload({ ...state, finished: true });
    } catch (error) {
      setUpload({ ...state, error });
    } finally {
      input.value = '';
      onUploaded();
    }
  };

  const busy = upload !== undefined && !upload.finished && upload.error === undefined;
  return (
    <div>
      <div class="field">
        <label for="csv">Recipients CSV</label>
        <input
          id="csv"
          type="file"
          accept=".csv,text/csv"
          disabled={busy}
          onChange={(event) => void start(event.currentTarget)}
        />
        <span class="muted">
          A header row with an <code>email</code> column; the other columns are merge variables. Sent{' '}
          {count(ROWS_PER_UPLOAD)} rows at a time.
        </span>
      </div>
      {upload && (
        <div aria-live="polite">
          <progress id="upload-progress" max={Math.max(1, upload.rows)} value={upload.done} />
          <p id="upload-summary">
            {upload.file}: {count(upload.done)} of {count(upload.rows)} rows sent; {count(upload.added)}{' '}
            added, {count(upload.duplicates)} duplicates, {count(upload.invalid.length)} refused
            {upload.finished ? '.' : '…'}
          </p>
          <ErrorBox error={upload.error} />
          {upload.invalid.length > 0 && (
            <DataTable
              id="refused-rows"
              caption="Refused rows (line in the file, header not counted)"
              columns={['Row', 'Email', 'Reason']}
            >
              {upload.invalid.map((row) => (
                <tr key={row.row}>
                  <td>{row.row}</td>
                  <td>{row.email ?? ''}</td>
                  <td>{row.reason}</td>
                </tr>
              ))}
            </DataTable>
          )}
        </div>
      )}
    </div>
  );
}
