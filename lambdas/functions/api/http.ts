import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { ApiError } from '../../requests/errors';

/** API Gateway accepts 10 MB; a transactional mail needs far less, and DynamoDB items stop at 400 KB. */
export const MAX_BODY_BYTES = 256 * 1024;

export function json(
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyResult {
  if (statusCode === 204) return { statusCode, headers, body: '' };
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(body),
  };
}

export function errorResponse(error: ApiError): APIGatewayProxyResult {
  const body = {
    error: {
      code: error.code,
      message: error.message,
      ...(error.details === undefined ? {} : { details: error.details }),
    },
  };
  return json(error.status, body);
}

export function header(event: APIGatewayProxyEvent, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted && value !== undefined) return value;
  }
  return undefined;
}

const JSON_TYPE = /^application\/json\s*(;|$)/i;
const CSV_TYPE = /^text\/csv\s*(;|$)/i;

function rawBody(event: APIGatewayProxyEvent): Buffer {
  const raw = event.isBase64Encoded
    ? Buffer.from(event.body ?? '', 'base64')
    : Buffer.from(event.body ?? '', 'utf8');
  if (raw.length > MAX_BODY_BYTES) {
    throw new ApiError(413, 'too_large', `The body is ${raw.length} bytes; at most ${MAX_BODY_BYTES}`);
  }
  return raw;
}

/** A JSON body, or with `Content-Type: text/csv` where a route accepts CSV, the CSV text. */
export function jsonOrCsvBody(event: APIGatewayProxyEvent): { json: unknown } | { csv: string } {
  if (CSV_TYPE.test((header(event, 'content-type') ?? '').trim()))
    return { csv: rawBody(event).toString('utf8') };
  return {
    json: jsonBody(
      event,
      'Send the body as JSON (Content-Type: application/json) or CSV (Content-Type: text/csv)',
    ),
  };
}

/** The JSON body, or an ApiError that says exactly what is wrong with it. */
export function jsonBody(
  event: APIGatewayProxyEvent,
  wrongTypeMessage = 'Send the body as JSON with Content-Type: application/json',
): unknown {
  const contentType = header(event, 'content-type') ?? '';
  if (!JSON_TYPE.test(contentType.trim()))
    throw new ApiError(415, 'unsupported_media_type', wrongTypeMessage);
  const raw = rawBody(event);
  if (raw.length === 0) throw new ApiError(400, 'invalid_json', 'The body is empty; expected a JSON object');
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch (error) {
    throw new ApiError(400, 'invalid_json', `The body is not valid JSON: ${(error as Error).message}`);
  }
}
