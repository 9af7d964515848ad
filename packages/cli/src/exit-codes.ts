import { MailroomApiError, MailroomConfigError, MailroomError, MailroomNetworkError } from '@mailroom/client';

/**
 * What `mailroom` exits with; scripts branch on these, so they never change meaning.
 * 3 is kept apart from 1 because it is the one worth retrying later.
 */
export const EXIT = {
  /** Done as asked (a watched campaign completed). */
  ok: 0,
  /** The API refused (4xx), or the operation ended badly (a watched campaign was cancelled). */
  failed: 1,
  /** Usage or configuration: unknown command or flag, a missing value, a malformed URL, no credentials, an unreadable file. Nothing was sent. */
  usage: 2,
  /** The API could not be reached or was unavailable (network, timeout, 429 or 5xx after the client's retries). */
  unavailable: 3,
  /** The smoke check ran and a step failed. */
  smokeFailed: 4,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The exit codes as `--help` and the README list them. */
export const EXIT_CODES_HELP = `Exit codes:
  0  done (a watched campaign completed)
  1  the API refused the request (4xx), or the operation failed (a watched campaign was cancelled)
  2  usage or configuration error: nothing was sent
  3  the API was unreachable or unavailable (network, timeout, 429 or 5xx after retries): try again
  4  the smoke check failed`;

/** A problem of the command line itself: one line on stderr, exit 2, no request made. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * A failure as the CLI reports it: the API's error shape (`{error: {code, message, details}}`)
 * and the exit code it maps to.
 */
export class CliFailure extends Error {
  override name = 'CliFailure';
  constructor(
    readonly exitCode: ExitCode,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** Any thrown value, as the failure the CLI reports. */
export function asFailure(error: unknown): CliFailure {
  if (error instanceof CliFailure) return error;
  if (error instanceof UsageError) return new CliFailure(EXIT.usage, 'usage', error.message);
  if (error instanceof MailroomConfigError) {
    const hint = /no AWS credentials/.test(error.message)
      ? ' (pass --profile, run aws sso login, or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)'
      : '';
    return new CliFailure(EXIT.usage, 'config', `${error.message}${hint}`);
  }
  if (error instanceof MailroomApiError) {
    const unavailable = error.status === 429 || error.status >= 500;
    return new CliFailure(
      unavailable ? EXIT.unavailable : EXIT.failed,
      error.code,
      `${error.method} ${error.path}: ${error.status} ${error.code}: ${error.message}`,
      error.details,
    );
  }
  if (error instanceof MailroomNetworkError) {
    // fetch says only "fetch failed"; why (ECONNREFUSED, ENOTFOUND) is in its cause.
    const cause = (error.cause as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
    const reason = cause?.code ?? cause?.message;
    return new CliFailure(
      EXIT.unavailable,
      'network',
      `${error.message}${typeof reason === 'string' ? ` (${reason})` : ''}: check --api`,
    );
  }
  if (error instanceof MailroomError) return new CliFailure(EXIT.failed, 'error', error.message);
  const { name = 'Error', message = String(error) } = (error ?? {}) as { name?: string; message?: string };
  return new CliFailure(EXIT.failed, 'unexpected', `${name}: ${message}`);
}
