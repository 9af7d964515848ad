/**
 * A failure the caller can act on: it maps to one HTTP status and a stable machine-readable code.
 * Domain code throws these; the API handler turns them into `{error: {code, message, details?}}`.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const badRequest = (code: string, message: string, details?: unknown) =>
  new ApiError(400, code, message, details);
export const notFound = (message: string) => new ApiError(404, 'not_found', message);
export const conflict = (code: string, message: string) => new ApiError(409, code, message);
export const unprocessable = (code: string, message: string, details?: unknown) =>
  new ApiError(422, code, message, details);
/** The request did part of its work and can simply be sent again to finish it. */
export const unavailable = (code: string, message: string) => new ApiError(503, code, message);
