import { decodeCursor, encodeCursor, InvalidCursorError } from '../../lambdas/shared/adapters/page-cursor';

const forge = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('page cursors', () => {
  it('round-trip the key DynamoDB returned', () => {
    expect(decodeCursor(encodeCursor({ name: 'welcome' }), ['name'])).toEqual({ name: 'welcome' });
  });

  it.each([
    ['not base64 JSON', 'not-a-cursor'],
    ['another key', forge({ id: 'x' })],
    ['an extra key', forge({ name: 'a', email: 'b' })],
    ['a non-string key value', forge({ name: { S: 'a' } })],
    ['an array', forge(['name'])],
  ])('refuse %s', (_, cursor) => {
    expect(() => decodeCursor(cursor, ['name'])).toThrow(InvalidCursorError);
  });
});
