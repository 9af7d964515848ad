/**
 * How a CSV header names a merge variable: trimmed, lower-cased, and each run of spaces or hyphens
 * made one underscore, so `First_Name`, `first name` and `First-Name` all fill `{{first_name}}`.
 * Merge variables in a campaign used with CSV are therefore written in lower case. JSON data keys
 * are taken exactly as given (case and all). Zod-free: the console reads CSV headers with it too.
 */
export function mergeVariableOfHeader(header: string): string {
  return header
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
}
