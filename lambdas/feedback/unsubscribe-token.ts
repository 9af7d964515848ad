import { createHmac, timingSafeEqual } from 'node:crypto';
import { ROUTES } from '../../contract/routes';

/** Who a one-click unsubscribe link is for. */
export interface UnsubscribeSubject {
  email: string;
  campaignId: string;
  /** A test send's link: it leads to a page that says so and changes nothing. */
  test?: true;
}

/**
 * `base64url(payload).base64url(HMAC-SHA256(payload))`: anyone can read who a token is for, nobody
 * without the secret can make one for another address (or alter this one).
 */
export function signUnsubscribeToken(subject: UnsubscribeSubject, secret: string): string {
  const fields = { e: subject.email, c: subject.campaignId, v: 1, ...(subject.test ? { t: 1 } : {}) };
  const payload = Buffer.from(JSON.stringify(fields)).toString('base64url');
  return `${payload}.${mac(payload, secret)}`;
}

export class InvalidTokenError extends Error {}

export function verifyUnsubscribeToken(token: string, secret: string): UnsubscribeSubject {
  const [payload, signature, extra] = token.split('.');
  if (!payload || !signature || extra !== undefined) throw new InvalidTokenError('malformed token');
  const expected = Buffer.from(mac(payload, secret));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    throw new InvalidTokenError('bad signature');
  }
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidTokenError('malformed payload');
  }
  const { e, c, v, t } = (decoded ?? {}) as { e?: unknown; c?: unknown; v?: unknown; t?: unknown };
  if (v !== 1 || typeof e !== 'string' || typeof c !== 'string' || (t !== undefined && t !== 1))
    throw new InvalidTokenError('malformed payload');
  return { email: e, campaignId: c, ...(t === 1 ? { test: true as const } : {}) };
}

function mac(payload: string, secret: string): string {
  return createHmac('sha256', secret).update(payload).digest('base64url');
}

export function unsubscribeUrl(baseUrl: string, token: string): string {
  return `${baseUrl.replace(/\/+$/, '')}${ROUTES.unsubscribe.path}?token=${encodeURIComponent(token)}`;
}
