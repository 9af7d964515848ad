import { characterCount } from './characters';
import { hasControlCharacters } from './control-characters';

/**
 * Rules for caller-supplied message headers. Headers that decide who a mail is from or to, what it
 * is, or that SES writes itself, can never be set: a value here must not be able to re-route a mail
 * or forge its identity.
 */
export const MAX_CUSTOM_HEADERS = 10;
// SESv2 MessageHeader.Value is at most 870 characters.
export const MAX_HEADER_VALUE_LENGTH = 870;

export const RESERVED_HEADERS: ReadonlySet<string> = new Set(
  [
    'from',
    'to',
    'cc',
    'bcc',
    'subject',
    'date',
    'message-id',
    'return-path',
    'sender',
    'reply-to',
    'mime-version',
    'content-type',
    'content-transfer-encoding',
    'content-disposition',
    'dkim-signature',
    'feedback-id',
    'received',
    'references',
    'in-reply-to',
  ].map((name) => name.toLowerCase()),
);
export const RESERVED_PREFIXES = ['x-ses-', 'x-amz-', 'x-mailroom-', 'arc-', 'authentication-results'];
export const HEADER_NAME = /^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/;

/** Why a header may not be set, or undefined when it may. */
export function headerNameProblem(name: string): string | undefined {
  if (!HEADER_NAME.test(name)) return 'is not a valid header name (letters, digits and dashes, at most 64)';
  const lower = name.toLowerCase();
  if (RESERVED_HEADERS.has(lower) || RESERVED_PREFIXES.some((prefix) => lower.startsWith(prefix))) {
    return 'is set by Mailroom or SES and cannot be overridden';
  }
  return undefined;
}

export function headerValueProblem(value: string): string | undefined {
  if (hasControlCharacters(value, { allowTab: true }))
    return 'must not contain CR, LF or other control characters';
  if (characterCount(value) > MAX_HEADER_VALUE_LENGTH)
    return `is longer than ${MAX_HEADER_VALUE_LENGTH} characters`;
  return undefined;
}
