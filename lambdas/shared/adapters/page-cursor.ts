/** Opaque page cursors: DynamoDB's LastEvaluatedKey, base64url-encoded JSON. */
export function encodeCursor(key: Record<string, unknown> | undefined): string | undefined {
  return key ? Buffer.from(JSON.stringify(key), 'utf8').toString('base64url') : undefined;
}

export class InvalidCursorError extends Error {}

/** Accepts only what encodeCursor made for a table keyed by `keyName`: `{[keyName]: string}`. */
export function decodeCursor(
  cursor: string | undefined,
  keyName: string,
): Record<string, unknown> | undefined {
  if (cursor === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      const entries = Object.entries(value);
      const [only] = entries;
      if (entries.length === 1 && only?.[0] === keyName && typeof only[1] === 'string')
        return { [keyName]: only[1] };
    }
  } catch {
    // falls through to the error below
  }
  throw new InvalidCursorError('cursor is not one this API returned');
}
