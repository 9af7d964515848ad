/**
 * A message for the next page to show once (e.g. the `warnings` a create answered with, shown on
 * the campaign's page the console goes to next).
 */
let pending: string[] = [];

export function flash(messages: readonly string[]): void {
  pending = [...messages];
}

export function takeFlash(): string[] {
  const messages = pending;
  pending = [];
  return messages;
}
