/** Opaque page cursors: DynamoDB's LastEvaluatedKey, base64url-encoded JSON. */
export function encodeCursor(key: Record<string, unknown> | undefined): string | undefined {
  return key ? Buffer.from(JSON.stringify(key), 'utf8').toString('base64url') : undefined;
}

export class InvalidCursorError extends Error {}

/** Accepts only what encodeCursor made for a table keyed by `keyNames`: each of them a string, nothing else. */
export function decodeCursor(
  cursor: string | undefined,
  keyNames: string[],
): Record<string, unknown> | undefined {
  if (cursor === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError('cursor is not one this API returned');
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidCursorError('cursor is not one this API returned');
  }
  const entries = Object.entries(value);
  const valid =
    entries.length === keyNames.length &&
    entries.every(([key, v]) => keyNames.includes(key) && typeof v === 'string');
  if (!valid) throw new InvalidCursorError('cursor is not one this API returned');
  return Object.fromEntries(entries);
}
