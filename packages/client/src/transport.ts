import { MailroomApiError, MailroomNetworkError } from './errors';
import type { RequestSigner } from './signing';

export type HttpMethod = 'GET' | 'PUT' | 'PATCH' | 'POST' | 'DELETE';

/** One API call, before retries. */
export interface Call {
  method: HttpMethod;
  /** Under the stage, each parameter already URL-encoded: `/v1/suppressions/jane%40example.org`. */
  path: string;
  query?: Record<string, string | number | undefined> | undefined;
  body?: { json: unknown } | { csv: string } | undefined;
  /** Sent as `Idempotency-Key`, the same on every attempt. */
  idempotencyKey?: string | undefined;
  /**
   * The server makes a repeat of this POST harmless without a key (a recipient upload is keyed by
   * its rows): a 5xx or a lost answer may be retried.
   */
  replayable?: boolean;
  signal?: AbortSignal | undefined;
}

export interface RetryPolicy {
  /** Requests per call, the first included. @default 3 */
  maxAttempts: number;
  /** The backoff before retry n is random in [0, min(maxDelayMs, baseDelayMs × 2^(n-1))]. @default 200 */
  baseDelayMs: number;
  /** No wait is longer; a `Retry-After` beyond it is not waited for (the error carries it). @default 20000 */
  maxDelayMs: number;
}

export interface TransportOptions extends RetryPolicy {
  baseUrl: URL;
  signer: RequestSigner | undefined;
  fetch: typeof fetch;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  random: () => number;
  /** Each attempt's time limit. */
  timeoutMs: number;
}

/**
 * Whether a failed attempt may be sent again. 429 (throttled: nothing was done) always; a 5xx or
 * no answer at all only when a repeat cannot do the work twice: GET, PUT, PATCH (a campaign edit
 * sets the fields it names) and DELETE, a POST
 * carrying an Idempotency-Key, or one the server keys itself (a recipient upload); a 409
 * `idempotency_in_progress` when this call's own earlier attempt holds the key.
 */
export function isRetryable(call: Call, outcome: { status: number; code?: string } | 'no_answer'): boolean {
  const idempotent = call.method !== 'POST' || call.idempotencyKey !== undefined || call.replayable === true;
  if (outcome === 'no_answer') return idempotent;
  if (outcome.status === 429) return true;
  if (outcome.status === 409) {
    return outcome.code === 'idempotency_in_progress' && call.idempotencyKey !== undefined;
  }
  return outcome.status >= 500 && idempotent;
}

/** `Retry-After` in milliseconds: delay-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Full jitter: random in [0, min(max, base × 2^(retry-1))]. */
export function backoffMs(retry: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.floor(random() * ceiling);
}

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

/** Sends calls: signs each attempt, retries where safe, turns error answers into MailroomApiError. */
export class Transport {
  constructor(private readonly options: TransportOptions) {}

  url(path: string, query?: Call['query']): URL {
    const url = new URL(`${this.options.baseUrl.href.replace(/\/+$/, '')}${path}`);
    for (const [name, value] of Object.entries(query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    return url;
  }

  /** The answer's body: parsed JSON, or undefined for 204. */
  async call(call: Call): Promise<unknown> {
    const url = this.url(call.path, call.query);
    const payload =
      call.body === undefined
        ? undefined
        : 'csv' in call.body
          ? call.body.csv
          : JSON.stringify(call.body.json);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (call.body !== undefined) {
      headers['content-type'] = 'csv' in call.body ? 'text/csv' : 'application/json';
    }
    if (call.idempotencyKey !== undefined) headers['idempotency-key'] = call.idempotencyKey;

    // Whether an earlier attempt may have done the work although its answer was lost or a 5xx.
    let mayHaveActed = false;
    for (let attempt = 1; ; attempt++) {
      const last = attempt >= this.options.maxAttempts;
      // Signed per attempt: the signature carries the time, and credentials may have been
      // refreshed. Outside the try: no credentials is a MailroomConfigError, not a lost answer.
      const signed = this.options.signer
        ? await this.options.signer.sign(call.method, url, headers, payload)
        : headers;
      let answer: Answer;
      try {
        answer = await this.attempt(call, url, signed, payload);
      } catch (error) {
        // The caller's own abort is theirs to handle, never retried.
        if (call.signal?.aborted) throw call.signal.reason ?? error;
        if (last || !isRetryable(call, 'no_answer')) {
          throw new MailroomNetworkError({
            message: timedOut(error)
              ? `no answer within ${this.options.timeoutMs} ms`
              : `request failed: ${(error as Error).message}`,
            cause: error,
            attempts: attempt,
            method: call.method,
            path: url.pathname + url.search,
          });
        }
        mayHaveActed = true;
        await this.options.sleep(backoffMs(attempt, this.options, this.options.random), call.signal);
        continue;
      }
      if (answer.status >= 200 && answer.status < 300) return answer.json;
      // A DELETE retried after a lost answer or a 5xx finds nothing when its first attempt did
      // delete: that is the outcome asked for, not an error.
      if (call.method === 'DELETE' && answer.status === 404 && mayHaveActed) return undefined;
      if (answer.status >= 500) mayHaveActed = true;

      const error = apiError(answer, call.method, url, attempt);
      if (last || !isRetryable(call, { status: answer.status, code: error.code })) throw error;
      const backoff = backoffMs(attempt, this.options, this.options.random);
      if (error.retryAfterMs !== undefined && error.retryAfterMs > this.options.maxDelayMs) throw error;
      await this.options.sleep(Math.max(backoff, error.retryAfterMs ?? 0), call.signal);
    }
  }

  /** One unsigned request to a public URL (an unsubscribe link): the answer as it is, whatever its status. */
  async page(
    url: URL,
    init: { method: 'GET' | 'POST'; headers?: Record<string, string>; body?: string },
    signal?: AbortSignal,
  ): Promise<{ status: number; contentType: string; text: string }> {
    const response = await this.options.fetch(url, {
      ...init,
      redirect: 'manual',
      signal: withTimeout(signal, this.options.timeoutMs),
    });
    return {
      status: response.status,
      contentType: response.headers.get('content-type') ?? '',
      text: await response.text(),
    };
  }

  private async attempt(
    call: Call,
    url: URL,
    headers: Record<string, string>,
    payload: string | undefined,
  ): Promise<Answer> {
    const response = await this.options.fetch(url, {
      method: call.method,
      headers,
      ...(payload === undefined ? {} : { body: payload }),
      redirect: 'manual',
      signal: withTimeout(call.signal, this.options.timeoutMs),
    });
    const text = await response.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, text, json };
  }
}

function apiError(answer: Answer, method: string, url: URL, attempts: number): MailroomApiError {
  const body = answer.json as
    | { error?: { code?: unknown; message?: unknown; details?: unknown }; message?: unknown }
    | undefined;
  const envelope = body?.error;
  const code =
    typeof envelope?.code === 'string' && envelope.code
      ? envelope.code
      : (answer.headers.get('x-amzn-errortype')?.split(':')[0] ?? `http_${answer.status}`);
  const message =
    typeof envelope?.message === 'string'
      ? envelope.message
      : typeof body?.message === 'string'
        ? body.message
        : answer.text.slice(0, 500) || `HTTP ${answer.status}`;
  return new MailroomApiError({
    status: answer.status,
    code,
    message,
    ...(envelope?.details === undefined ? {} : { details: envelope.details }),
    requestId: answer.headers.get('x-amzn-requestid') ?? undefined,
    retryAfterMs: parseRetryAfter(answer.headers.get('retry-after')),
    attempts,
    method,
    path: url.pathname + url.search,
  });
}

function timedOut(error: unknown): boolean {
  return (error as { name?: string } | undefined)?.name === 'TimeoutError';
}

/** The caller's signal (if any) and this attempt's time limit, as one signal. */
function withTimeout(signal: AbortSignal | undefined, timeoutMs: number): AbortSignal {
  const timeout = AbortSignal.timeout(Math.max(1, timeoutMs));
  if (!signal) return timeout;
  if (typeof AbortSignal.any === 'function') return AbortSignal.any([signal, timeout]);
  const controller = new AbortController();
  const abort = (source: AbortSignal) => () => controller.abort(source.reason);
  signal.addEventListener('abort', abort(signal), { once: true });
  timeout.addEventListener('abort', abort(timeout), { once: true });
  return controller.signal;
}
