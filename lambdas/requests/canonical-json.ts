import { createHash } from 'node:crypto';

/**
 * JSON with object keys sorted, so two bodies that mean the same hash the same. Written with an
 * explicit stack, not recursion: the body is the caller's, and a recursive walk of 60,000 nested
 * arrays overflows the call stack (issue 11: a 500 on POST /v1/emails with an Idempotency-Key).
 * The output is the one the recursive version gave, so stored fingerprints still match.
 */
export function canonicalJson(value: unknown): string {
  const out: string[] = [];
  // Either a value still to write or text to write as it is.
  const pending: ({ value: unknown } | string)[] = [{ value }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (typeof next === 'string') {
      out.push(next);
      continue;
    }
    const current = next.value;
    if (Array.isArray(current)) {
      pending.push(']');
      for (let i = current.length - 1; i >= 0; i--) {
        pending.push({ value: current[i] });
        if (i > 0) pending.push(',');
      }
      pending.push('[');
    } else if (current && typeof current === 'object') {
      const entries = Object.entries(current as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      pending.push('}');
      for (let i = entries.length - 1; i >= 0; i--) {
        const [k, v] = entries[i] as [string, unknown];
        pending.push({ value: v });
        pending.push(`${i > 0 ? ',' : ''}${JSON.stringify(k)}:`);
      }
      pending.push('{');
    } else {
      // An array element JSON cannot write (undefined, a function) is written as nothing, as before.
      out.push(JSON.stringify(current) ?? '');
    }
  }
  return out.join('');
}

export function fingerprint(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}
