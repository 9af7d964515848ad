/**
 * Builds `SET a = :a, … REMOVE b, …` from a changes object: a value of undefined removes the
 * attribute. Names are always aliased, so reserved words (status, name, …) need no thought.
 */
export function updateFrom(
  changes: Record<string, unknown>,
  prefix = 'c',
): { set: string[]; remove: string[]; names: Record<string, string>; values: Record<string, unknown> } {
  const set: string[] = [];
  const remove: string[] = [];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  Object.entries(changes).forEach(([key, value], i) => {
    const name = `#${prefix}${i}`;
    names[name] = key;
    if (value === undefined) {
      remove.push(name);
    } else {
      set.push(`${name} = :${prefix}${i}`);
      values[`:${prefix}${i}`] = value;
    }
  });
  return { set, remove, names, values };
}

/** `SET x, y REMOVE z` from the parts, leaving out an empty clause. */
export function expression(set: string[], remove: string[]): string {
  return [set.length ? `SET ${set.join(', ')}` : '', remove.length ? `REMOVE ${remove.join(', ')}` : '']
    .filter(Boolean)
    .join(' ');
}

/** `:p0, :p1, …` for an IN (…) list, with the values to bind. */
export function inList(
  items: readonly string[],
  prefix: string,
): { list: string; values: Record<string, string> } {
  const values = Object.fromEntries(items.map((item, i) => [`:${prefix}${i}`, item]));
  return { list: Object.keys(values).join(', '), values };
}
