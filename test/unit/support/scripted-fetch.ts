/** What the client sent, as a test reads it. */
export interface SentRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | undefined;
}

/** An answer to script: a status, a JSON (or text) body, headers; or a network failure. */
export type ScriptedAnswer =
  | { status: number; json?: unknown; text?: string; headers?: Record<string, string> }
  | { fail: Error };

/**
 * A fetch that records each request and answers from a script, one answer per request (the last
 * one again when the script runs out).
 */
export function scriptedFetch(...answers: ScriptedAnswer[]) {
  const sent: SentRequest[] = [];
  const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries((init?.headers ?? {}) as Record<string, string>)) {
      headers[name.toLowerCase()] = value;
    }
    sent.push({
      method: init?.method ?? 'GET',
      url: String(input),
      headers,
      body: typeof init?.body === 'string' ? init.body : undefined,
    });
    const answer = answers[Math.min(sent.length - 1, answers.length - 1)] ?? { status: 200, json: {} };
    if ('fail' in answer) throw answer.fail;
    const body =
      answer.status === 204
        ? null
        : (answer.text ?? (answer.json === undefined ? '' : JSON.stringify(answer.json)));
    return new Response(body, {
      status: answer.status,
      headers: {
        ...(answer.json === undefined ? {} : { 'content-type': 'application/json' }),
        ...answer.headers,
      },
    });
  };
  return { sent, fetch: fetch as typeof globalThis.fetch };
}

/** A sleep that only records how long it was asked to wait. */
export function recordedSleep() {
  const waits: number[] = [];
  return { waits, sleep: async (ms: number) => void waits.push(ms) };
}

/** `fetch` refuses a connection this way (undici): a TypeError with the system error as its cause. */
export function connectionRefused(): Error {
  return new TypeError('fetch failed', {
    cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
  });
}
