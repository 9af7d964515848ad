import { normalizeRecipient } from '../../lambdas/feedback/ses-events';
import {
  decodeCursor,
  encodeCursor,
  InvalidCursorError,
  TEMPLATE_NAME_SHAPE,
} from '../../lambdas/platform/page-cursor';
import { TEMPLATE_NAME } from '../../lambdas/templates/template-rules';

const forge = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('page cursors', () => {
  it.each([
    ['a template listing', { name: 'welcome' }, ['name']],
    ['a campaign listing', { id: '6f1d2c3b-4a5e-4f60-8b7c-1d2e3f4a5b6c' }, ['id']],
    ['the suppression list', { email: 'jane.doe+news@example.org' }, ['email']],
    ['suppressions by reason', { email: 'jane@example.org', reason: 'unsubscribe' }, ['email', 'reason']],
    ['a campaign recipient page', { campaignId: 'c-1', email: 'ann@example.org' }, ['campaignId', 'email']],
  ])('round-trip the key DynamoDB returned for %s', (_, key, names) => {
    expect(decodeCursor(encodeCursor(key), names)).toEqual(key);
  });

  it.each([
    ['not base64 JSON', 'not-a-cursor', ['name']],
    ['another key', forge({ id: 'x' }), ['name']],
    ['an extra key', forge({ name: 'a', email: 'b' }), ['name']],
    ['a non-string key value', forge({ name: { S: 'a' } }), ['name']],
    ['an array', forge(['name']), ['name']],
    // DynamoDB answers these with a ValidationException: each was a 500.
    ['an empty campaign id', forge({ id: '' }), ['id']],
    ['an empty template name', forge({ name: '' }), ['name']],
    ['an empty address', forge({ email: '' }), ['email']],
    ['an empty address by reason', forge({ email: '', reason: 'bounce' }), ['email', 'reason']],
    ['an empty reason', forge({ email: 'a@example.org', reason: '' }), ['email', 'reason']],
    ['a campaign id of 2 KB', forge({ id: 'x'.repeat(2048) }), ['id']],
    ['an address of 1,025 bytes', forge({ email: `${'é'.repeat(506)}a@example.org` }), ['email']],
    [
      'an address of 1,025 bytes by reason',
      forge({ email: `${'a'.repeat(1013)}@example.org`, reason: 'bounce' }),
      ['email', 'reason'],
    ],
    ['a template name no template can have', forge({ name: 'a b' }), ['name']],
    ['an unknown reason', forge({ email: 'a@example.org', reason: 'spite' }), ['email', 'reason']],
    ['an empty value of another key', forge({ other: '' }), ['other']],
    ['a cursor of 5 KB', 'A'.repeat(5000), ['name']],
  ])('refuse %s', (_, cursor, names) => {
    expect(() => decodeCursor(cursor, names)).toThrow(InvalidCursorError);
  });

  // Issue 11 review (N7): an SES address parseMailbox cannot read is stored as SES wrote it
  // (normalizeRecipient), and a suppression page ending on it must continue.
  it.each([
    ['an address without @', { email: 'nobody' }],
    ['an address with spaces and a control character', { email: 'a b\u0000@example.org' }],
    ['an address in capitals', { email: 'Jane@example.org' }],
    ['SES’s unparseable recipient, as stored', { email: normalizeRecipient('"unclosed <Jane@Example.org') }],
    ['an address of exactly 1,024 bytes', { email: `${'a'.repeat(1012)}@example.org` }],
  ])('accept %s as a suppression cursor, alone and by reason', (_, key) => {
    expect(decodeCursor(encodeCursor(key), ['email'])).toEqual(key);
    const byReason = { ...key, reason: 'bounce' };
    expect(decodeCursor(encodeCursor(byReason), ['email', 'reason'])).toEqual(byReason);
  });

  it('checks template names exactly as template-rules does', () => {
    expect(TEMPLATE_NAME_SHAPE.source).toBe(TEMPLATE_NAME.source);
  });
});
