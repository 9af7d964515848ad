/**
 * What the API's CORS answers allow, for the campaign console: a page on its own origin
 * (CloudFront) calling the API with SigV4-signed fetches. Declared once: the stack's preflight
 * (OPTIONS) and gateway error answers, and the api function's answers, read it here.
 */

/** Request headers a signed browser call carries besides the CORS-safelisted ones. */
export const CORS_ALLOW_HEADERS = [
  'Authorization',
  'Content-Type',
  'X-Amz-Date',
  'X-Amz-Security-Token',
  'X-Amz-Content-Sha256',
  'Idempotency-Key',
] as const;

export const CORS_ALLOW_METHODS = ['GET', 'PUT', 'PATCH', 'POST', 'DELETE', 'OPTIONS'] as const;

/** Answer headers the client reads (retries, error codes, request ids). */
export const CORS_EXPOSE_HEADERS = ['Retry-After', 'X-Amzn-RequestId', 'X-Amzn-ErrorType'] as const;

/** How long a browser may keep a preflight's answer. */
export const CORS_MAX_AGE_SECONDS = 3600;

/** The headers every answer to the console's origin carries. */
export function corsHeaders(origin: string): Record<string, string> {
  return {
    'access-control-allow-origin': origin,
    'access-control-expose-headers': CORS_EXPOSE_HEADERS.join(','),
    vary: 'Origin',
  };
}
