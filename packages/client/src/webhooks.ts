import type { ProductEvent } from './api-types';

/**
 * Verifying Mailroom's webhook deliveries (the Standard Webhooks spec: `webhook-id`,
 * `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, secret
 * `whsec_<base64>`). WebCrypto only, so it runs in Node.js 20+, browsers and edge runtimes alike.
 */

/** What a delivery's body holds: a product event, or the test event of `POST /v1/webhooks/{id}/test`. */
export type WebhookEvent =
  | { type: ProductEvent['type']; timestamp: string; data: ProductEvent }
  | { type: 'test'; timestamp: string; data: { id: string; type: 'test'; webhookId: string; at: string } };

/** The signature, timestamp or headers of a delivery do not check out: answer it 400 and drop it. */
export class WebhookVerificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookVerificationError';
  }
}

/** A Headers object, or a plain record of header names (any case) to values (Node's IncomingHttpHeaders). */
export type WebhookHeaders = Headers | Readonly<Record<string, string | readonly string[] | undefined>>;

export interface VerifyOptions {
  /** How far the timestamp may be from now, in seconds (replay protection). @default 300 */
  toleranceSeconds?: number;
  /** @default Date.now */
  now?: () => number;
}

/**
 * Checks a delivery and returns its event. `payload` is the raw body exactly as received (parse it
 * only after this: re-serialized JSON does not verify). Throws {@link WebhookVerificationError} on
 * a missing header, a bad signature or a timestamp outside the tolerance.
 *
 * ```ts
 * const event = await verifyWebhook(await request.text(), request.headers, process.env.MAILROOM_WEBHOOK_SECRET!);
 * ```
 */
export async function verifyWebhook(
  payload: string,
  headers: WebhookHeaders,
  secret: string,
  options: VerifyOptions = {},
): Promise<WebhookEvent> {
  const id = header(headers, 'webhook-id');
  const timestamp = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  const seconds = Number(timestamp);
  if (!/^\d+$/.test(timestamp) || !Number.isSafeInteger(seconds)) {
    throw new WebhookVerificationError('webhook-timestamp is not a whole number of seconds');
  }
  const now = Math.floor((options.now ?? Date.now)() / 1000);
  const tolerance = options.toleranceSeconds ?? 300;
  if (Math.abs(now - seconds) > tolerance) {
    throw new WebhookVerificationError(`webhook-timestamp is more than ${tolerance} s from now`);
  }
  const key = await globalThis.crypto.subtle.importKey(
    'raw',
    fromBase64(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['verify'],
  );
  const signed = new TextEncoder().encode(`${id}.${timestamp}.${payload}`);
  // Several signatures may be sent (during a secret rotation): one valid v1 suffices. subtle.verify
  // compares in constant time.
  for (const candidate of signatures.split(' ')) {
    const [version, signature] = candidate.split(',');
    if (version !== 'v1' || !signature) continue;
    let bytes: Uint8Array<ArrayBuffer>;
    try {
      bytes = fromBase64(signature);
    } catch {
      continue;
    }
    if (await globalThis.crypto.subtle.verify('HMAC', key, bytes, signed)) {
      return JSON.parse(payload) as WebhookEvent;
    }
  }
  throw new WebhookVerificationError('no webhook-signature matches the payload');
}

function header(headers: WebhookHeaders, name: string): string {
  const value =
    typeof (headers as Headers).get === 'function'
      ? (headers as Headers).get(name)
      : Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1];
  const text = Array.isArray(value) ? value[0] : value;
  if (typeof text !== 'string' || text === '')
    throw new WebhookVerificationError(`the ${name} header is missing`);
  return text;
}

function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
