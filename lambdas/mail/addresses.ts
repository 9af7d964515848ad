import { domainToASCII } from 'node:url';
import { characterCount } from './characters';
import { hasControlCharacters } from './control-characters';

/** An email address as SES takes it: ASCII, with an optional display name kept apart. */
export interface Mailbox {
  /** The bare address, domain in ASCII (punycode) and lower case. */
  address: string;
  name?: string;
}

const MAX_ADDRESS_LENGTH = 254;
const MAX_LOCAL_PART_LENGTH = 64;
const MAX_NAME_LENGTH = 200;
// RFC 5322 dot-atom for the local part: quoted local parts are legal but so rare in practice (and so
// often abused) that refusing them is the safer default.
const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const DOMAIN_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
// One way to match any input (no two quantifiers compete for the same spaces: the unquoted name
// keeps its spaces and is trimmed after), so the time is linear in the input; the earlier form,
// with `\s*` on both sides of a lazy name, took 57 s for 5,000 spaces (review finding).
const NAME_AND_ADDRESS = /^(?:\s*"((?:[^"\\]|\\.)*)"\s*|([^<>"]*))<([^<>]*)>\s*$/;
/**
 * The longest mailbox read at all: the longest address, a 200-character name encoded as RFC 2047
 * words (4 UTF-8 bytes a character, base64), quotes and brackets, with room to spare.
 */
const MAX_MAILBOX_INPUT = 2_000;

export class AddressError extends Error {}

/**
 * Parses `jane@example.com` or `"Jane Doe" <jane@example.com>` (or `Jane Doe <jane@example.com>`).
 * Throws AddressError with a reason a caller can read; never returns something SES would refuse.
 */
export function parseMailbox(input: string): Mailbox {
  if (input.length > MAX_MAILBOX_INPUT)
    throw new AddressError(`is longer than ${MAX_MAILBOX_INPUT} characters`);
  if (hasControlCharacters(input))
    throw new AddressError('must not contain control characters (CR, LF, tab…)');
  const named = NAME_AND_ADDRESS.exec(input);
  const rawAddress = named ? (named[3] ?? '') : input;
  const rawName = named ? (named[1] !== undefined ? named[1].replace(/\\(.)/g, '$1') : named[2]) : undefined;
  const address = parseAddress(rawAddress);
  // Unquoted: it may be encoded-words, as formatMailbox writes a name that is not ASCII (and as the
  // API then shows it): decoded, so a mailbox read back from the API is the same mailbox again.
  const name = (
    named?.[1] === undefined && rawName !== undefined ? decodeEncodedWords(rawName) : rawName
  )?.trim();
  if (name !== undefined && hasControlCharacters(name))
    throw new AddressError('display name must not contain control characters (CR, LF, tab…)');
  if (name !== undefined && characterCount(name) > MAX_NAME_LENGTH) {
    throw new AddressError(`display name is longer than ${MAX_NAME_LENGTH} characters`);
  }
  return name ? { address, name } : { address };
}

function parseAddress(raw: string): string {
  if (raw.length === 0) throw new AddressError('is empty');
  if (/\s/.test(raw)) throw new AddressError('must not contain spaces');
  if (raw.length > MAX_ADDRESS_LENGTH)
    throw new AddressError(`is longer than ${MAX_ADDRESS_LENGTH} characters`);
  const at = raw.lastIndexOf('@');
  if (at < 1 || at === raw.length - 1)
    throw new AddressError('must have a local part and a domain (name@domain)');
  const local = raw.slice(0, at);
  const domain = toAsciiDomain(raw.slice(at + 1));
  if (local.length > MAX_LOCAL_PART_LENGTH) {
    throw new AddressError(`local part is longer than ${MAX_LOCAL_PART_LENGTH} characters`);
  }
  if (!LOCAL_PART.test(local)) throw new AddressError('local part has characters SES does not accept');
  const address = `${local}@${domain}`;
  if (address.length > MAX_ADDRESS_LENGTH)
    throw new AddressError(`is longer than ${MAX_ADDRESS_LENGTH} characters`);
  return address;
}

function toAsciiDomain(domain: string): string {
  const ascii = domainToASCII(domain.toLowerCase());
  const labels = ascii.split('.');
  if (!ascii || labels.length < 2 || !labels.every((label) => DOMAIN_LABEL.test(label))) {
    throw new AddressError('has an invalid domain');
  }
  return ascii;
}

/** The key under which an address is suppressed or deduplicated: case does not make two people. */
export function normalizeAddress(address: string): string {
  return address.toLowerCase();
}

/** One RFC 2047 encoded-word: charset, B or Q, text. */
const ENCODED_WORD = /=\?([A-Za-z0-9_-]+)\?([BbQq])\?([^?\s]*)\?=/g;
const CHARSETS: Record<string, BufferEncoding> = {
  'utf-8': 'utf8',
  'us-ascii': 'ascii',
  'iso-8859-1': 'latin1',
};

/**
 * A display name that is wholly RFC 2047 encoded-words (whitespace between them ignored, RFC 2047
 * §6.2), decoded; anything else, or a charset Node cannot decode, as it is.
 */
function decodeEncodedWords(raw: string): string {
  const trimmed = raw.trim();
  if (!trimmed.startsWith('=?') || trimmed.replace(ENCODED_WORD, '').trim() !== '') return raw;
  let decoded = '';
  for (const [, charset = '', kind = '', text = ''] of trimmed.matchAll(ENCODED_WORD)) {
    const encoding = CHARSETS[charset.toLowerCase()];
    if (encoding === undefined) return raw;
    const bytes =
      kind.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64')
        : Buffer.from(
            text
              .replace(/_/g, ' ')
              .replace(/=([0-9A-Fa-f]{2})/g, (_, hex: string) =>
                String.fromCharCode(Number.parseInt(hex, 16)),
              ),
            'latin1',
          );
    decoded += bytes.toString(encoding);
  }
  return decoded;
}

/** `"Name" <address>` as SES wants it: quoted when ASCII, RFC 2047 encoded-word otherwise. */
export function formatMailbox({ address, name }: Mailbox): string {
  if (!name) return address;
  if (/^[\x20-\x7e]*$/.test(name)) return `"${name.replace(/(["\\])/g, '\\$1')}" <${address}>`;
  return `=?UTF-8?B?${Buffer.from(name, 'utf8').toString('base64')}?= <${address}>`;
}

export function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1);
}

/** Whether a parsed address (domain already lower case) is at `domain`. */
export function atDomain(address: string, domain: string): boolean {
  return domainOf(address) === domain;
}
