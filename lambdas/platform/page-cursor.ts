import { SUPPRESSION_REASONS } from '../feedback/suppression';

/** Opaque page cursors: DynamoDB's LastEvaluatedKey, base64url-encoded JSON. */
export function encodeCursor(key: Record<string, unknown> | undefined): string | undefined {
  return key ? Buffer.from(JSON.stringify(key), 'utf8').toString('base64url') : undefined;
}

export class InvalidCursorError extends Error {}

/**
 * The longest cursor a list route reads: a cursor this API returned is far shorter (a few keys of at
 * most 1 KB each, base64url), so anything longer is refused before it is decoded.
 */
export const MAX_CURSOR_LENGTH = 4096;

/** Campaign ids (UUIDs today) as the routes accept them. */
const ID = /^[A-Za-z0-9_-]{1,100}$/;
/**
 * template-rules' TEMPLATE_NAME, repeated rather than imported: that module loads Handlebars, which
 * the fan-out function (a user of this file) does not need in its bundle. A unit test keeps them equal.
 */
export const TEMPLATE_NAME_SHAPE = /^[A-Za-z0-9_-]{1,64}$/;
const reasons: ReadonlySet<string> = new Set(SUPPRESSION_REASONS);

/** Any string DynamoDB takes as a key: non-empty, within its sort-key limit of 1024 bytes. */
const anyKey = (v: string) => v.length > 0 && Buffer.byteLength(v, 'utf8') <= 1024;

/**
 * What each key attribute can hold in an item this API wrote. A cursor is decoded JSON anyone can
 * forge; DynamoDB answers a start key it cannot use (an empty string, a 2 KB value, the wrong
 * type) with a ValidationException, which would be a 500. A key of the right shape that we never
 * issued is harmless: the listing continues after it, as it would after any real item.
 *
 * An `email` is checked only as DynamoDB checks it (anyKey), not as an address: the suppression
 * list holds whatever SES reported when it was not an address parseMailbox reads
 * (ses-events.ts normalizeRecipient keeps it as written, lower-cased), and a page ending on such a
 * key must still continue (issue 11 review: it was refused 400, and the listing could not go on).
 */
const KEY_SHAPES: Record<string, (value: string) => boolean> = {
  id: (v) => ID.test(v),
  campaignId: (v) => ID.test(v),
  name: (v) => TEMPLATE_NAME_SHAPE.test(v),
  email: anyKey,
  reason: (v) => reasons.has(v),
  /** A webhook delivery attempt's sort key (the webhook's id is the route's, not the cursor's). */
  sk: anyKey,
};

/**
 * Accepts only what encodeCursor made for a table keyed by `keyNames`: each of them a string of the
 * shape that key has in our items, nothing else. Anything else is the caller's 400.
 */
export function decodeCursor(
  cursor: string | undefined,
  keyNames: string[],
): Record<string, unknown> | undefined {
  if (cursor === undefined) return undefined;
  const refuse = () => new InvalidCursorError('cursor is not one this API returned');
  if (cursor.length > MAX_CURSOR_LENGTH) throw refuse();
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw refuse();
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw refuse();
  const entries = Object.entries(value);
  const valid =
    entries.length === keyNames.length &&
    entries.every(
      ([key, v]) =>
        keyNames.includes(key) &&
        typeof v === 'string' &&
        (Object.hasOwn(KEY_SHAPES, key) ? KEY_SHAPES[key]?.(v) : anyKey(v)),
    );
  if (!valid) throw refuse();
  return Object.fromEntries(entries);
}
