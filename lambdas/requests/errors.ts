/**
 * Every error code Mailroom answers with, and its HTTP status: declared once. The helpers below and
 * `new ApiError` take only these codes, each with its own status (tsc refuses anything else), and
 * the OpenAPI document lists them (lambdas/requests/error-response.ts, docs/openapi.yaml).
 */
export const ERROR_STATUS = {
  validation_failed: 400,
  invalid_json: 400,
  invalid_idempotency_key: 400,
  invalid_limit: 400,
  invalid_cursor: 400,
  invalid_template_name: 400,
  template_syntax_error: 400,
  invalid_path: 400,
  invalid_csv: 400,
  too_many_recipients: 400,
  no_rows: 400,
  invalid_email: 400,
  invalid_reason: 400,
  not_found: 404,
  /** Local mode only: API Gateway answers 403 for a method a path does not have. */
  method_not_allowed: 405,
  idempotency_mismatch: 409,
  idempotency_in_progress: 409,
  invalid_state: 409,
  bulk_paused: 409,
  not_paused: 409,
  upload_in_progress: 409,
  start_pending: 409,
  upload_expired: 409,
  too_many_webhooks: 409,
  too_many_recipients_to_check: 409,
  too_large: 413,
  rendered_too_large: 413,
  unsupported_media_type: 415,
  all_recipients_suppressed: 422,
  unknown_template: 422,
  missing_variable: 422,
  unrenderable: 422,
  render_limit_exceeded: 422,
  no_recipients: 422,
  unrenderable_for_recipients: 422,
  internal_error: 500,
  ses_unavailable: 502,
  upload_incomplete: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;
export type ErrorStatus<Code extends ErrorCode = ErrorCode> = (typeof ERROR_STATUS)[Code];
/** The codes answered with `status`. */
type CodeWithStatus<Status extends number> = {
  [Code in ErrorCode]: ErrorStatus<Code> extends Status ? Code : never;
}[ErrorCode];

/**
 * A failure the caller can act on: it maps to one HTTP status and a stable machine-readable code.
 * Domain code throws these; the API handler turns them into `{error: {code, message, details?}}`.
 */
export class ApiError<Code extends ErrorCode = ErrorCode> extends Error {
  constructor(
    readonly status: ErrorStatus<Code>,
    readonly code: Code,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const badRequest = (code: CodeWithStatus<400>, message: string, details?: unknown) =>
  new ApiError(400, code, message, details);
export const notFound = (message: string) => new ApiError(404, 'not_found', message);
export const conflict = (code: CodeWithStatus<409>, message: string) => new ApiError(409, code, message);
export const unprocessable = (code: CodeWithStatus<422>, message: string, details?: unknown) =>
  new ApiError(422, code, message, details);
/** The request did part of its work and can simply be sent again to finish it. */
export const unavailable = (code: CodeWithStatus<503>, message: string, details?: unknown) =>
  new ApiError(503, code, message, details);
