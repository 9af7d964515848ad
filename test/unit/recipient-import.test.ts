import { ApiError } from '../../lambdas/shared/domain/errors';
import { checkRows, rowsFromCsv } from '../../lambdas/shared/domain/recipient-import';
import { NOW } from './support/factories';

const content = { subject: 'Hi {{first_name}}', text: 'x' };

describe('rowsFromCsv', () => {
  it('reads a header row, quoted fields and CRLF, leaving empty cells out of the data', () => {
    expect(rowsFromCsv('\uFEFFEmail,first_name,team\r\n"a@x.io","Ann, PhD",\r\n', 10)).toEqual([
      { email: 'a@x.io', data: { first_name: 'Ann, PhD' } },
    ]);
  });

  it.each([
    ['no email column', 'name\nAnn\n', 'invalid_csv'],
    ['an unclosed quote', 'email\n"a@x.io\n', 'invalid_csv'],
    ['too many rows', `email\n${'a@x.io\n'.repeat(11)}`, 'too_many_recipients'],
  ])('refuses %s', (_, csv, code) => {
    expect(() => rowsFromCsv(csv, 10)).toThrow(expect.objectContaining({ constructor: ApiError, code }));
  });
});

describe('checkRows', () => {
  it('keeps valid rows, reports each bad one with its reason, and counts duplicates once', () => {
    const result = checkRows(
      [
        { email: 'Ann@Example.org', data: { first_name: 'Ann' } },
        { email: 'ann@example.org', data: { first_name: 'Again' } },
        { email: 'bad address', data: { first_name: 'B' } },
        { email: 'c@example.org' },
        { email: 'd@example.org', data: { first_name: 'D' }, extra: true },
        'not an object',
      ],
      'c1',
      content,
      NOW,
    );
    expect(result.valid.map((r) => [r.email, r.address])).toEqual([['ann@example.org', 'Ann@example.org']]);
    expect(result.duplicates).toBe(1);
    expect(result.invalid.map((r) => r.row)).toEqual([3, 4, 5, 6]);
    expect(result.invalid[1]?.reason).toBe('missing variable "first_name"');
  });
});
