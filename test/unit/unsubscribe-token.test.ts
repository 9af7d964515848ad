import {
  InvalidTokenError,
  signUnsubscribeToken,
  verifyUnsubscribeToken,
} from '../../lambdas/feedback/unsubscribe-token';

const SECRET = 'a'.repeat(32);
const subject = { email: 'jane@example.org', campaignId: 'c1' };

describe('unsubscribe tokens', () => {
  it('verify what they were signed for', () => {
    expect(verifyUnsubscribeToken(signUnsubscribeToken(subject, SECRET), SECRET)).toEqual(subject);
  });

  it.each([
    ['signed with another key', () => signUnsubscribeToken(subject, 'b'.repeat(32))],
    [
      'for another address (payload swapped, signature kept)',
      () => {
        const [, signature] = signUnsubscribeToken(subject, SECRET).split('.');
        const forged = Buffer.from(JSON.stringify({ e: 'boss@example.org', c: 'c1', v: 1 })).toString(
          'base64url',
        );
        return `${forged}.${signature}`;
      },
    ],
    ['with a tampered signature', () => `${signUnsubscribeToken(subject, SECRET).slice(0, -2)}AA`],
    ['truncated', () => signUnsubscribeToken(subject, SECRET).slice(0, 20)],
    ['empty', () => ''],
    ['with an extra part', () => `${signUnsubscribeToken(subject, SECRET)}.x`],
  ])('are refused when %s', (_, make) => {
    expect(() => verifyUnsubscribeToken(make(), SECRET)).toThrow(InvalidTokenError);
  });
});
