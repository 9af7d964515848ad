import { csvCells, csvChunks, csvRecords, firstRowData } from '../../console/src/csv-chunks';

describe('the console cutting a recipients CSV into uploads', () => {
  it('keeps quoted commas, quotes and line breaks inside their record, and takes CRLF, LF and CR alike', () => {
    const text = 'email,note\r\na@example.org,"one, two"\nb@example.org,"say ""hi""\nthere"\rc@example.org,x';

    expect(csvRecords(text)).toEqual([
      'email,note',
      'a@example.org,"one, two"',
      'b@example.org,"say ""hi""\nthere"',
      'c@example.org,x',
    ]);
  });

  it('cuts 2,500 rows into uploads of 1,000, 1,000 and 500, each starting with the header', () => {
    const rows = Array.from({ length: 2500 }, (_, i) => `r${i}@example.org,${i}`);

    const { rows: total, chunks } = csvChunks(['email,n', ...rows].join('\n'));

    expect(total).toBe(2500);
    expect(chunks.map((c) => [c.firstRow, c.rows])).toEqual([
      [0, 1000],
      [1000, 1000],
      [2000, 500],
    ]);
    expect(chunks[2]?.csv.split('\r\n')).toEqual(['email,n', ...rows.slice(2000)]);
  });

  it("counts rows as the API numbers them: blank lines and a byte order mark don't count", () => {
    const { header, rows, chunks } = csvChunks('\uFEFFemail\n\na@example.org\n   \nb@example.org\n\n');

    expect(header).toBe('email');
    expect(rows).toBe(2);
    expect(chunks[0]?.csv).toBe('email\r\na@example.org\r\nb@example.org');
  });

  it('refuses an empty file', () => {
    expect(() => csvChunks('\n\n')).toThrow(/header row/);
  });

  it("gives the first data row's merge variables, named as the API names headers, for the preview", () => {
    const file = csvChunks(
      'Email,First Name,Plan-Level,note\r\nann@example.org, Ann ,"Pro, yearly",\nbob@example.org,Bob,Free,x',
    );
    expect(firstRowData(file)).toEqual({ first_name: 'Ann', plan_level: 'Pro, yearly' });
    expect(csvCells('a,"say ""hi""",  b ,')).toEqual(['a', 'say "hi"', 'b', '']);
    // No data row, or a first row with a cell too many: no sample.
    expect(firstRowData(csvChunks('email,first_name\n'))).toBeUndefined();
    expect(firstRowData(csvChunks('email,first_name\na@example.org,A,extra'))).toBeUndefined();
  });
});
