import type { APIGatewayProxyEvent } from 'aws-lambda';
import { ApiError } from '../../requests/errors';
import { header, MAX_BODY_BYTES } from './http';

/**
 * Form bodies: `application/x-www-form-urlencoded` and `multipart/form-data`. RFC 8058 says a
 * one-click POST SHOULD be multipart; some providers send urlencoded; the unsubscribe page posts
 * urlencoded. Only text fields matter here: a part with a filename is skipped.
 *
 * The multipart reader is written here rather than taken from a library: nothing installed parses
 * multipart (Node's own `Response.formData()` refuses a preamble, which RFC 2046 allows, and
 * changes with the runtime), and reading a few text fields of a body already capped at
 * MAX_BODY_BYTES takes fifty lines.
 */
export type FormResult =
  | { ok: true; fields: Map<string, string[]> }
  | { ok: false; problem: 'empty' | 'unsupported_type' | 'malformed'; message: string };

/** More parts than any one-click POST has; a body of thousands of empty parts stops here. */
const MAX_PARTS = 50;

export function readForm(event: APIGatewayProxyEvent): FormResult {
  const raw = event.isBase64Encoded
    ? Buffer.from(event.body ?? '', 'base64')
    : Buffer.from(event.body ?? '', 'utf8');
  const type = (header(event, 'content-type') ?? '').trim();
  if (raw.length === 0) {
    return {
      ok: false,
      problem: 'empty',
      message: 'The request has no body; a one-click unsubscribe sends List-Unsubscribe=One-Click',
    };
  }
  if (raw.length > MAX_BODY_BYTES) {
    throw new ApiError(413, 'too_large', `The body is ${raw.length} bytes; at most ${MAX_BODY_BYTES}`);
  }
  if (/^application\/x-www-form-urlencoded\s*(;|$)/i.test(type)) {
    const fields = new Map<string, string[]>();
    for (const [name, value] of new URLSearchParams(raw.toString('utf8'))) add(fields, name, value);
    return { ok: true, fields };
  }
  if (/^multipart\/form-data\s*(;|$)/i.test(type)) return readMultipart(raw, type);
  return {
    ok: false,
    problem: 'unsupported_type',
    message: 'The body must be a form: Content-Type multipart/form-data or application/x-www-form-urlencoded',
  };
}

function add(fields: Map<string, string[]>, name: string, value: string): void {
  fields.set(name, [...(fields.get(name) ?? []), value]);
}

const malformed = (detail: string): FormResult => ({
  ok: false,
  problem: 'malformed',
  message: `The multipart/form-data body cannot be read: ${detail}`,
});

/**
 * RFC 7578 / RFC 2046: `--boundary` lines between parts, `--boundary--` at the end. A boundary is
 * 1 to 70 characters (RFC 2046 §5.1.1); a longer one is refused as such rather than never found.
 */
function readMultipart(raw: Buffer, contentType: string): FormResult {
  const boundary = /;\s*boundary=(?:"([^"]*)"|([^\s;"]*))/i.exec(contentType);
  const value = boundary?.[1] ?? boundary?.[2];
  if (!value) return malformed('Content-Type has no boundary');
  if (value.length > MAX_BOUNDARY)
    return malformed(
      `the boundary is too long: ${value.length} characters, at most ${MAX_BOUNDARY} (RFC 2046)`,
    );
  const text = raw.toString('latin1');
  const delimiter = `--${value}`;
  // Everything before the first delimiter is preamble.
  let current = findDelimiter(text, delimiter, 0);
  if (!current) return malformed('the boundary never appears');
  const fields = new Map<string, string[]>();
  for (let parts = 0; ; parts++) {
    if (current.close) return { ok: true, fields };
    if (parts === MAX_PARTS) return malformed(`more than ${MAX_PARTS} parts`);
    // From the line end of this delimiter: an empty part is a delimiter line right after another.
    const next = findDelimiter(text, delimiter, current.after - 1);
    if (!next) return malformed('the closing boundary is missing');
    // The line end before a delimiter belongs to the delimiter, not to the part.
    const partEnd = next.start - 1 - (text[next.start - 2] === '\r' ? 1 : 0);
    const part = text.slice(current.after, Math.max(current.after, partEnd));
    const split = /\r?\n\r?\n/.exec(part);
    const head = split ? part.slice(0, split.index) : part;
    const body = split ? part.slice(split.index + split[0].length) : '';
    const disposition = /^content-disposition:\s*form-data(.*)$/im.exec(head)?.[1] ?? '';
    const name = /;\s*name="([^"]*)"/i.exec(disposition)?.[1] ?? /;\s*name=([^\s;]+)/i.exec(disposition)?.[1];
    if (name !== undefined && !/;\s*filename\*?=/i.test(disposition)) {
      add(fields, utf8(name), utf8(body));
    }
    current = next;
  }
}

/** RFC 2046 caps a boundary at 70 characters. */
const MAX_BOUNDARY = 70;

/**
 * The first delimiter line at or after `from`: `--boundary` at the start of the body or of a line,
 * followed by `--` (the close delimiter) or by optional spaces and tabs and a line end (RFC 2046
 * §5.1.1: nothing else may follow). `--boundaryEXTRA` is part content, not a delimiter. `start` is
 * where the delimiter begins, `after` where what follows its line begins.
 */
function findDelimiter(
  text: string,
  delimiter: string,
  from: number,
): { start: number; after: number; close: boolean } | undefined {
  let candidate = from === 0 && text.startsWith(delimiter) ? 0 : text.indexOf(`\n${delimiter}`, from);
  while (candidate >= 0) {
    const start = text[candidate] === '\n' ? candidate + 1 : candidate;
    let after = start + delimiter.length;
    if (text.startsWith('--', after)) return { start, after: after + 2, close: true };
    while (text[after] === ' ' || text[after] === '\t') after++;
    if (text.startsWith('\r\n', after)) return { start, after: after + 2, close: false };
    if (text[after] === '\n') return { start, after: after + 1, close: false };
    candidate = text.indexOf(`\n${delimiter}`, candidate + 1);
  }
  return undefined;
}

/** The body was read as latin1 so offsets are bytes; field text is UTF-8. */
function utf8(latin1: string): string {
  return Buffer.from(latin1, 'latin1').toString('utf8');
}
