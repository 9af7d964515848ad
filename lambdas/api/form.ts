import type { APIGatewayProxyEvent } from 'aws-lambda';
import { ApiError } from '../shared/domain/errors';
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

/** RFC 7578 / RFC 2046: `--boundary` lines between parts, `--boundary--` at the end. */
function readMultipart(raw: Buffer, contentType: string): FormResult {
  const boundary = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;"]{1,70}))/i.exec(contentType);
  const value = boundary?.[1] ?? boundary?.[2];
  if (!value) return malformed('Content-Type has no boundary');
  const text = raw.toString('latin1');
  const delimiter = `--${value}`;
  // Everything before the first delimiter is preamble; it must start a line.
  let at = text.startsWith(delimiter) ? 0 : text.indexOf(`\n${delimiter}`);
  if (at < 0) return malformed('the boundary never appears');
  if (at > 0) at += 1;
  const fields = new Map<string, string[]>();
  for (let parts = 0; ; parts++) {
    at += delimiter.length;
    if (text.startsWith('--', at)) return { ok: true, fields };
    if (parts === MAX_PARTS) return malformed(`more than ${MAX_PARTS} parts`);
    const lineEnd = text.indexOf('\n', at);
    if (lineEnd < 0) return malformed('the body ends inside a part');
    const next = text.indexOf(`\n${delimiter}`, lineEnd);
    if (next < 0) return malformed('the closing boundary is missing');
    const part = text.slice(lineEnd + 1, text[next - 1] === '\r' ? next - 1 : next);
    const split = /\r?\n\r?\n/.exec(part);
    const head = split ? part.slice(0, split.index) : part;
    const body = split ? part.slice(split.index + split[0].length) : '';
    const disposition = /^content-disposition:\s*form-data(.*)$/im.exec(head)?.[1] ?? '';
    const name = /;\s*name="([^"]*)"/i.exec(disposition)?.[1] ?? /;\s*name=([^\s;]+)/i.exec(disposition)?.[1];
    if (name !== undefined && !/;\s*filename\*?=/i.test(disposition)) {
      add(fields, utf8(name), utf8(body));
    }
    at = next + 1;
  }
}

/** The body was read as latin1 so offsets are bytes; field text is UTF-8. */
function utf8(latin1: string): string {
  return Buffer.from(latin1, 'latin1').toString('utf8');
}
