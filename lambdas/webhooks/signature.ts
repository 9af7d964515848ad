import { createHmac, randomBytes } from 'node:crypto';

/**
 * Standard Webhooks signing (https://www.standardwebhooks.com, spec/standard-webhooks.md): the
 * secret is `whsec_` + base64 of 24–64 random bytes; the signature is `v1,` + base64 of
 * HMAC-SHA256(key, `${id}.${timestamp}.${body}`) where the key is the secret's decoded bytes and the
 * timestamp is whole seconds since the epoch. The `standardwebhooks` package verifies what this
 * signs (test/unit/webhook-signature.test.ts).
 */

const SECRET_PREFIX = 'whsec_';
/** 24 bytes (192 bits), as the spec's reference libraries generate. */
const SECRET_BYTES = 24;

/** A new signing secret, `whsec_<base64>`. */
export function newWebhookSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(SECRET_BYTES).toString('base64')}`;
}

/** The Standard Webhooks headers of one attempt. */
export interface SignedHeaders {
  readonly 'webhook-id': string;
  readonly 'webhook-timestamp': string;
  readonly 'webhook-signature': string;
}

/** Signs `body` as message `id` sent at `at`. */
export function signWebhook(secret: string, id: string, at: Date, body: string): SignedHeaders {
  const timestamp = String(Math.floor(at.getTime() / 1000));
  const key = Buffer.from(
    secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret,
    'base64',
  );
  const signature = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
  return { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': `v1,${signature}` };
}
