import { canonicalJson, fingerprint } from '../../lambdas/requests/canonical-json';

/** The recursive version this module had: the iterative one must write exactly what it wrote. */
function recursive(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(recursive).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${recursive(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** A seeded generator of JSON-ish values (mulberry32), undefined members included. */
function values(seed: number, count: number): unknown[] {
  let state = seed;
  const random = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const leaf = () => [null, true, false, 0, -1.5, 1e21, '', 'é"\\\n', undefined][Math.floor(random() * 9)];
  const make = (depth: number): unknown => {
    const kind = depth > 4 ? 0 : Math.floor(random() * 3);
    const size = Math.floor(random() * 4);
    if (kind === 1) return Array.from({ length: size }, () => make(depth + 1));
    if (kind === 2)
      return Object.fromEntries(
        Array.from({ length: size }, () => [
          ['b', 'a', 'B', '__proto__', 'é', ''][Math.floor(random() * 6)],
          make(depth + 1),
        ]),
      );
    return leaf();
  };
  return Array.from({ length: count }, () => make(0));
}

describe('canonicalJson', () => {
  it('writes exactly what the recursive version wrote (fingerprints already stored still match)', () => {
    for (const value of values(11, 2000)) {
      if (value === undefined) continue;
      expect(canonicalJson(value)).toBe(recursive(value));
    }
    expect(canonicalJson({ b: [1, { d: 2, c: undefined }], a: 'x' })).toBe('{"a":"x","b":[1,{"d":2}]}');
  });

  // Issue 11 review (B1): POST /v1/emails with an Idempotency-Key and 60,000 nested arrays was a 500.
  it('hashes 60,000 nested arrays without overflowing the stack', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 60_000; i++) deep = [deep];
    expect(() => recursive({ data: deep })).toThrow(RangeError);
    expect(canonicalJson({ data: deep })).toBe(`{"data":${'['.repeat(60_000)}1${']'.repeat(60_000)}}`);
    expect(fingerprint({ data: deep })).toMatch(/^[0-9a-f]{64}$/);
  });
});
