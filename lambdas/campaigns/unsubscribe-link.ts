import type { TemplateContent } from '../templates/template-rules';

/**
 * The merge variable that holds each recipient's unsubscribe link in bulk mail (bulk-content.ts
 * fills it; recipient data cannot override it). Pure and free of Node.js: the console imports it to
 * warn while a campaign is written, by the same rule the API warns with.
 */
export const UNSUBSCRIBE_URL_VARIABLE = 'unsubscribe_url';

/** What `{{unsubscribe_url}}` renders to where no real link is signed: row checks and previews. */
export const PLACEHOLDER_UNSUBSCRIBE_URL = 'https://example.invalid/unsubscribe';

/** `{{unsubscribe_url}}`, `{{{unsubscribe_url}}}` or `{{~ unsubscribe_url}}` anywhere in the part. */
const UNSUBSCRIBE_TAG = new RegExp(`\\{\\{\\{?~?\\s*${UNSUBSCRIBE_URL_VARIABLE}\\b`);

/** Whether the HTML shows a visible unsubscribe link (there is nothing to warn about without HTML). */
export function hasUnsubscribeLink(content: Pick<TemplateContent, 'html'>): boolean {
  return content.html === undefined || UNSUBSCRIBE_TAG.test(content.html);
}

/** What a campaign's content should have but does not: the `warnings` of its create answer. */
export function contentWarnings(content: Pick<TemplateContent, 'html'>): string[] {
  if (hasUnsubscribeLink(content)) return [];
  return [
    `The HTML has no {{${UNSUBSCRIBE_URL_VARIABLE}}} link. Every mail still carries one-click List-Unsubscribe ` +
      'headers, but Gmail and Yahoo expect a visible unsubscribe link in bulk mail too.',
  ];
}
