import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AddRecipientsResult, MailroomApiError, MailroomNetworkError } from '@mailroom/client';
import { csvLine, uploadCsv } from '../../packages/cli/src/csv-upload';
import { CliFailure, EXIT, UsageError } from '../../packages/cli/src/exit-codes';

const dir = mkdtempSync(join(tmpdir(), 'mailroom-csv-'));
let n = 0;
function csvFile(text: string): string {
  const file = join(dir, `list-${++n}.csv`);
  writeFileSync(file, text);
  return file;
}

/** An upload that records each chunk and accepts every row, or answers as `answer` says. */
function recorder(
  answer: (rows: string[], index: number) => AddRecipientsResult = (rows) => ({
    added: rows.length,
    duplicates: 0,
    invalid: [],
  }),
) {
  const chunks: string[][] = [];
  const upload = async (csv: string) => {
    const lines = csv.split('\n');
    chunks.push(lines);
    return answer(lines.slice(1), chunks.length - 1);
  };
  return { chunks, upload };
}

describe('uploadCsv', () => {
  it('sends chunks of at most chunkSize rows, each with the header, every cell quoted', async () => {
    const rows = Array.from({ length: 2500 }, (_, i) => `r${i}@example.org,N${i}`);
    const file = csvFile(`email,first_name\n${rows.join('\n')}\n`);
    const { chunks, upload } = recorder();

    const summary = await uploadCsv({ file, rejectsFile: `${file}.rejected.csv`, chunkSize: 1000, upload });

    expect(chunks.map((c) => c.length - 1)).toEqual([1000, 1000, 500]);
    expect(chunks.every((c) => c[0] === '"email","first_name"')).toBe(true);
    expect(chunks[2]?.at(-1)).toBe('"r2499@example.org","N2499"');
    expect(summary).toMatchObject({ rowsRead: 2500, rowsSent: 2500, added: 2500, rejected: 0, chunks: 3 });
    expect(summary.rejectsFile).toBeUndefined();
    expect(existsSync(`${file}.rejected.csv`)).toBe(false);
  });

  it('keeps commas, quotes and line breaks inside a value, and drops empty lines and a BOM', async () => {
    const file = csvFile('\uFEFFemail,note\r\n\r\n"a@example.org","say ""hi"", then\nbye"\r\n');
    const { chunks, upload } = recorder();

    await uploadCsv({ file, rejectsFile: join(dir, 'r.csv'), chunkSize: 10, upload });

    expect(chunks[0]).toEqual(['"email","note"', '"a@example.org","say ""hi"", then', 'bye"']);
  });

  it('writes the rows the API refused to the rejects file, with their line in the file and the reason', async () => {
    const file = csvFile(
      'Email,First Name\nok1@example.org,A\nbad,B\n\nok2@example.org,C\nnoname@example.org,\n',
    );
    const { upload } = recorder((_rows) => ({
      added: 2,
      duplicates: 0,
      invalid: [
        { row: 2, email: 'bad', reason: 'email is not an address' },
        { row: 4, email: 'noname@example.org', reason: 'missing variable "first_name"' },
      ],
    }));
    const rejectsFile = join(dir, 'refused.csv');

    const summary = await uploadCsv({ file, rejectsFile, chunkSize: 1000, upload });

    expect(summary).toMatchObject({ rowsRead: 4, added: 2, rejected: 2, rejectsFile });
    expect(readFileSync(rejectsFile, 'utf8').split('\n')).toEqual([
      '"Email","First Name","rejected_line","rejected_reason"',
      '"bad","B","3","email is not an address"',
      '"noname@example.org","","6","missing variable ""first_name"""',
      '',
    ]);
  });

  it('writes records the CSV reader cannot read to the rejects file and goes on', async () => {
    const file = csvFile('email,name\na@example.org,A\n"b@example.org"x,B\n');
    const { chunks, upload } = recorder();
    const rejectsFile = join(dir, 'malformed.csv');

    const summary = await uploadCsv({ file, rejectsFile, chunkSize: 1000, upload });

    expect(chunks[0]).toEqual(['"email","name"', '"a@example.org","A"']);
    expect(summary).toMatchObject({ rowsRead: 1, rejected: 1 });
    expect(readFileSync(rejectsFile, 'utf8')).toMatch(
      /^"email","name","rejected_line","rejected_reason"\n"""b@example.org""x,B","","3","Invalid Closing Quote/,
    );
  });

  it('streams: the first chunk is sent long before the file is read to its end', async () => {
    const rows = Array.from({ length: 20_000 }, (_, i) => `big${i}@example.org,Name ${i}`);
    const file = csvFile(`email,first_name\n${rows.join('\n')}\n`);
    let parsed = 0;
    const parsedAtUpload: number[] = [];

    const summary = await uploadCsv({
      file,
      rejectsFile: join(dir, 'big.rejected.csv'),
      chunkSize: 1000,
      upload: async (csv) => {
        parsedAtUpload.push(parsed);
        return { added: csv.split('\n').length - 1, duplicates: 0, invalid: [] };
      },
      onProgress: (p) => {
        parsed = p.bytesRead / p.fileBytes;
      },
    });

    expect(summary).toMatchObject({ rowsRead: 20_000, added: 20_000, chunks: 20 });
    expect(parsedAtUpload[0]).toBeLessThan(0.1);
  }, 30_000);

  it('stops at a failed chunk, says how far it got and that running it again finishes it', async () => {
    const rows = Array.from({ length: 1500 }, (_, i) => `r${i}@example.org`);
    const file = csvFile(`email\n${rows.join('\n')}\n`);
    const { upload } = recorder((lines, index) => {
      if (index === 1) {
        throw new MailroomNetworkError({
          message: 'no answer',
          cause: undefined,
          attempts: 3,
          method: 'POST',
          path: '/v1/campaigns/c1/recipients',
        });
      }
      return { added: lines.length, duplicates: 0, invalid: [] };
    });

    const error = await uploadCsv({ file, rejectsFile: join(dir, 'x.csv'), chunkSize: 1000, upload }).catch(
      (e: unknown) => e,
    );

    expect(error).toBeInstanceOf(CliFailure);
    expect(error).toMatchObject({ exitCode: EXIT.unavailable, code: 'network' });
    expect((error as Error).message).toMatch(
      /after 1000 rows in 1 chunks: run the same command again to finish the upload/,
    );
  });
});

describe('uploadCsv after 503 upload_incomplete (the API kept what it wrote, and asks for the rows again)', () => {
  const incomplete = () =>
    new MailroomApiError({
      status: 503,
      code: 'upload_incomplete',
      message: '800 rows were written before the upload ran out of time',
      attempts: 3,
      method: 'POST',
      path: '/v1/campaigns/c1/recipients',
    });

  it('sends the same chunk again, and counts what the last answer says', async () => {
    const file = csvFile('email\na@example.org\nb@example.org\n');
    const sent: string[] = [];
    const summary = await uploadCsv({
      file,
      rejectsFile: join(dir, 'inc.csv'),
      chunkSize: 1000,
      upload: async (csv) => {
        sent.push(csv);
        if (sent.length < 3) throw incomplete();
        return { added: 1, duplicates: 1, invalid: [] };
      },
    });

    expect(sent).toHaveLength(3);
    expect(new Set(sent).size).toBe(1);
    expect(summary).toMatchObject({ added: 1, duplicates: 1, chunks: 1 });
  });

  it('gives up after 3 rounds: exit 3, and how to finish', async () => {
    const file = csvFile('email\na@example.org\n');
    let calls = 0;

    const error = await uploadCsv({
      file,
      rejectsFile: join(dir, 'inc2.csv'),
      chunkSize: 1000,
      upload: async () => {
        calls++;
        throw incomplete();
      },
    }).catch((e: unknown) => e);

    expect(calls).toBe(3);
    expect(error).toMatchObject({ exitCode: EXIT.unavailable, code: 'upload_incomplete' });
    expect((error as Error).message).toMatch(/run the same command again to finish the upload/);
  });
});

describe('uploadCsv: the rejects file', () => {
  const oneRefused = (rows: string[]) => ({
    added: rows.length - 1,
    duplicates: 0,
    invalid: [{ row: 1, email: 'bad', reason: 'email is not an address' }],
  });

  it('is a usage error, before any request, when it cannot be created where asked', async () => {
    const file = csvFile('email\na@example.org\n');
    for (const rejectsFile of [join(dir, 'no-such-folder', 'r.csv'), dir]) {
      const { chunks, upload } = recorder(oneRefused);
      await expect(uploadCsv({ file, rejectsFile, chunkSize: 10, upload })).rejects.toThrow(UsageError);
      expect(chunks).toHaveLength(0);
    }
  });

  it('fails with exit 1 and the upload summary when it cannot be written after the rows went in', async () => {
    const file = csvFile('email\nbad\na@example.org\n');
    const folder = join(dir, 'vanishing');
    mkdirSync(folder);
    const { upload } = recorder((rows) => {
      // The folder goes away between the check and the first refused row.
      rmSync(folder, { recursive: true });
      return oneRefused(rows);
    });

    const failure = await uploadCsv({
      file,
      rejectsFile: join(folder, 'r.csv'),
      chunkSize: 10,
      upload,
    }).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(CliFailure);
    expect(failure).toMatchObject({ exitCode: EXIT.failed, code: 'rejects_not_written' });
    expect((failure as Error).message).toMatch(
      /the upload finished \(1 added, 0 duplicates, 1 refused\), but .*r\.csv could not be written/,
    );
  });
});

describe('csvLine', () => {
  it('quotes every cell and doubles quotes', () => {
    expect(csvLine(['a', 'b,c', 'say "x"', ''])).toBe('"a","b,c","say ""x""",""');
  });
});
