/**
 * Characters as the OpenAPI document counts them: JSON Schema's `maxLength` is in Unicode code
 * points (JSON Schema Validation §6.3.1), and so is zod 4's `.max()` on strings, while
 * `String.length` counts UTF-16 code units (an emoji is 2). The limits checked by hand, outside a
 * zod schema, count here, so what the document allows, the server accepts.
 */
export function characterCount(value: string): number {
  let count = 0;
  for (const _ of value) count++;
  return count;
}
