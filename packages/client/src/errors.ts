/** Anything the client throws on purpose. */
export class MailroomError extends Error {
  override name = 'MailroomError';
}

/**
 * The client cannot make a request at all: a malformed API URL, no region to sign for, no AWS
 * credentials. Thrown before anything is sent.
 */
export class MailroomConfigError extends MailroomError {
  override name = 'MailroomConfigError';
}

/**
 * The API answered with an error: `{error: {code, message, details?}}`, or API Gateway's own
 * refusal. `message` is the API's message as it sent it.
 */
export class MailroomApiError extends MailroomError {
  override name = 'MailroomApiError';
  /** 400 validation, 404, 409 conflict or idempotency mismatch, 413, 415, 422, 429, 5xx. */
  readonly status: number;
  /**
   * The API's error code (`validation_failed`, `not_found`, `invalid_state`, `idempotency_mismatch`,
   * …), or API Gateway's response type when the gateway refused the request (`ACCESS_DENIED`,
   * `MISSING_AUTHENTICATION_TOKEN`, `THROTTLED`, …); `http_<status>` when the body said neither.
   */
  readonly code: string;
  /** What the API added: the invalid fields, the merge variable without a value, … */
  readonly details: unknown;
  /** API Gateway's request id (`x-amzn-RequestId`), for the access log; absent in local mode. */
  readonly requestId: string | undefined;
  /** `Retry-After`, in milliseconds, when the API sent one. */
  readonly retryAfterMs: number | undefined;
  /** How many requests were made, retries included. */
  readonly attempts: number;
  readonly method: string;
  readonly path: string;

  constructor(fields: {
    status: number;
    code: string;
    message: string;
    details?: unknown;
    requestId?: string | undefined;
    retryAfterMs?: number | undefined;
    attempts: number;
    method: string;
    path: string;
  }) {
    super(fields.message);
    this.status = fields.status;
    this.code = fields.code;
    this.details = fields.details;
    this.requestId = fields.requestId;
    this.retryAfterMs = fields.retryAfterMs;
    this.attempts = fields.attempts;
    this.method = fields.method;
    this.path = fields.path;
  }
}

/**
 * No answer: the connection failed or the attempt timed out, after every retry that was safe.
 * For a call that is not idempotent (see the README's retry rules) the request may or may not
 * have taken effect.
 */
export class MailroomNetworkError extends MailroomError {
  override name = 'MailroomNetworkError';
  readonly attempts: number;
  readonly method: string;
  readonly path: string;

  constructor(fields: { message: string; cause: unknown; attempts: number; method: string; path: string }) {
    super(`${fields.method} ${fields.path}: ${fields.message}`, { cause: fields.cause });
    this.attempts = fields.attempts;
    this.method = fields.method;
    this.path = fields.path;
  }
}
