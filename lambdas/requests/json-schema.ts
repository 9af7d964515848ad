/**
 * JSON Schema for rules the zod schemas check in code (transforms and refinements, which zod cannot
 * render), written beside those rules from the same constants, so the OpenAPI document states the
 * rules the server applies (docs/openapi.yaml is generated from the zod schemas).
 */

type JsonSchema = Record<string, unknown>;

/**
 * A regular expression source that matches `text` in any letter case: JSON Schema patterns take no
 * flags, and Mailroom compares header and tag names case-insensitively.
 */
export function anyCase(text: string): string {
  return [...text]
    .map((char) => {
      const lower = char.toLowerCase();
      const upper = char.toUpperCase();
      if (lower !== upper) return `[${lower}${upper}]`;
      // Only syntax characters: JSON Schema validators compile patterns in Unicode mode (ajv), where
      // escaping anything else (a `-`) is an error.
      return /[\\^$.*+?()[\]{}|/]/.test(char) ? `\\${char}` : char;
    })
    .join('');
}

/**
 * For `oneOrMany` (a single value read as a list of one): the rendered list schema becomes
 * `anyOf: [item, list]`, the list keeping its limits and any description moving to the top.
 */
export function oneOrManyJsonSchema({ jsonSchema }: { jsonSchema: JsonSchema }): void {
  const { description, ...list } = jsonSchema;
  for (const key of Object.keys(jsonSchema)) delete jsonSchema[key];
  if (description !== undefined) jsonSchema.description = description;
  jsonSchema.anyOf = [list.items, list];
}
