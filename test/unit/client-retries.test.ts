import { MailroomApiError, MailroomClient, MailroomNetworkError } from '@mailroom/client';
import { isRetryable, parseRetryAfter } from '../../packages/client/src/transport';
import {
  connectionRefused,
  recordedSleep,
  type ScriptedAnswer,
  scriptedFetch,
} from './support/scripted-fetch';

const LOCAL = 'http://127.0.0.1:3000';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function client(answers: ScriptedAnswer[], options: { maxAttempts?: number; random?: () => number } = {}) {
  const { sent, fetch } = scriptedFetch(...answers);
  const { waits, sleep } = recordedSleep();
  const mailroom = new MailroomClient({ apiUrl: LOCAL, fetch, sleep, random: () => 0.5, ...options });
  return { mailroom, sent, waits };
}

const queued = { status: 202, json: { id: 'm-1', status: 'queued', suppressed: [] } };
const serverError = {
  status: 500,
  json: { error: { code: 'internal_error', message: 'Something went wrong' } },
};
const draft = { status: 201, json: { id: 'c-1', status: 'draft' } };
const email = { to: 'jane@example.org', subject: 'Your code', text: '482913' };

describe('which failures the client retries', () => {
  it.each([
    ['GET', {}, 500, true],
    ['PUT', {}, 503, true],
    ['DELETE', {}, 502, true],
    ['POST', {}, 500, false],
    ['POST', { idempotencyKey: 'k' }, 500, true],
    ['POST', { replayable: true }, 503, true],
    ['POST', {}, 429, true],
    ['GET', {}, 429, true],
    ['GET', {}, 400, false],
    ['GET', {}, 404, false],
    ['POST', { idempotencyKey: 'k' }, 422, false],
    ['PUT', {}, 409, false],
  ] as const)('%s %j answered %i: retried %s', (method, extra, status, retried) => {
    expect(isRetryable({ method, path: '/v1/x', ...extra }, { status })).toBe(retried);
  });

  it('retries a lost answer only where a repeat cannot do the work twice', () => {
    expect(isRetryable({ method: 'GET', path: '/v1/x' }, 'no_answer')).toBe(true);
    expect(isRetryable({ method: 'POST', path: '/v1/emails', idempotencyKey: 'k' }, 'no_answer')).toBe(true);
    expect(isRetryable({ method: 'POST', path: '/v1/campaigns' }, 'no_answer')).toBe(false);
  });

  it('retries a 409 idempotency_in_progress only for the call that holds that key', () => {
    const busy = { status: 409, code: 'idempotency_in_progress' };
    expect(isRetryable({ method: 'POST', path: '/v1/emails', idempotencyKey: 'k' }, busy)).toBe(true);
    expect(isRetryable({ method: 'POST', path: '/v1/emails' }, busy)).toBe(false);
    expect(
      isRetryable(
        { method: 'POST', path: '/v1/emails', idempotencyKey: 'k' },
        { status: 409, code: 'idempotency_mismatch' },
      ),
    ).toBe(false);
  });
});

describe('a DELETE retried after its answer was lost', () => {
  const notFound = {
    status: 404,
    json: { error: { code: 'not_found', message: 'No template named "otp"' } },
  };

  it('takes a 404 on the retry as done: the first attempt deleted it', async () => {
    const { mailroom, sent } = client([{ fail: connectionRefused() }, notFound]);

    await expect(mailroom.templates.delete('otp')).resolves.toBeUndefined();
    expect(sent).toHaveLength(2);
  });

  it('still reports a 404 on the first attempt as not found', async () => {
    const { mailroom } = client([notFound]);

    await expect(mailroom.templates.delete('otp')).rejects.toMatchObject({ status: 404, code: 'not_found' });
  });
});

describe('a send and its Idempotency-Key', () => {
  it('sends a new random key with each send, and the same key on its retries', async () => {
    const { mailroom, sent } = client([serverError, queued, queued]);

    const first = await mailroom.emails.send(email);
    await mailroom.emails.send(email);

    expect(first).toEqual({ id: 'm-1', status: 'queued', suppressed: [] });
    expect(sent).toHaveLength(3);
    const keys = sent.map((r) => r.headers['idempotency-key']);
    expect(keys[0]).toMatch(UUID);
    expect(keys[1]).toBe(keys[0]);
    expect(keys[2]).toMatch(UUID);
    expect(keys[2]).not.toBe(keys[0]);
    expect(sent[1]?.body).toBe(sent[0]?.body);
  });

  it("sends the caller's own key", async () => {
    const { mailroom, sent } = client([{ fail: connectionRefused() }, queued]);

    await mailroom.emails.send(email, { idempotencyKey: 'otp-user-42-1' });

    expect(sent.map((r) => r.headers['idempotency-key'])).toEqual(['otp-user-42-1', 'otp-user-42-1']);
  });

  it('retries a 409 idempotency_in_progress (its own earlier attempt is still running) and gets the answer', async () => {
    const busy = {
      status: 409,
      json: { error: { code: 'idempotency_in_progress', message: 'still being processed' } },
    };
    const { mailroom, sent } = client([{ fail: connectionRefused() }, busy, queued]);

    await expect(mailroom.emails.send(email)).resolves.toEqual(queued.json);
    expect(sent).toHaveLength(3);
  });
});

describe('backoff and Retry-After', () => {
  it('waits a random time under an exponentially growing ceiling (full jitter), up to maxDelayMs', async () => {
    const { sent, fetch } = scriptedFetch(serverError);
    const { waits, sleep } = recordedSleep();
    const mailroom = new MailroomClient({
      apiUrl: LOCAL,
      fetch,
      sleep,
      random: () => 0.5,
      maxAttempts: 5,
      baseDelayMs: 100,
      maxDelayMs: 300,
    });

    await expect(mailroom.emails.get('m-1')).rejects.toMatchObject({ status: 500, attempts: 5 });

    expect(sent).toHaveLength(5);
    expect(waits).toEqual([50, 100, 150, 150]);
  });

  it('honours Retry-After on a 429, in seconds or as a date', async () => {
    const throttled = (retryAfter: string) => ({
      status: 429,
      json: { error: { code: 'THROTTLED', message: 'Too Many Requests' } },
      headers: { 'retry-after': retryAfter },
    });
    const { mailroom, waits } = client([throttled('3'), queued], { random: () => 0 });

    await mailroom.emails.send(email);

    expect(waits).toEqual([3000]);
    expect(
      parseRetryAfter('Wed, 21 Oct 2015 07:28:10 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT')),
    ).toBe(10_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
  });

  it('does not wait for a Retry-After longer than maxDelayMs: the error carries it', async () => {
    const { mailroom, sent } = client([
      {
        status: 429,
        json: { error: { code: 'THROTTLED', message: 'x' } },
        headers: { 'retry-after': '3600' },
      },
    ]);

    const error = await mailroom.account.get().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(MailroomApiError);
    expect(error).toMatchObject({ status: 429, code: 'THROTTLED', retryAfterMs: 3_600_000, attempts: 1 });
    expect(sent).toHaveLength(1);
  });

  it('stops after maxAttempts and reports how many requests it made', async () => {
    const { mailroom, sent } = client([serverError], { maxAttempts: 2 });

    await expect(mailroom.templates.get('welcome')).rejects.toMatchObject({ status: 500, attempts: 2 });
    expect(sent).toHaveLength(2);
  });
});

describe('calls that are not idempotent', () => {
  it('does not retry a 5xx on POST /v1/campaigns (a repeat could create a second campaign)', async () => {
    const { mailroom, sent } = client([serverError, draft]);

    await expect(mailroom.campaigns.create({ name: 'n', subject: 's', text: 't' })).rejects.toMatchObject({
      status: 500,
      code: 'internal_error',
      attempts: 1,
    });
    expect(sent).toHaveLength(1);
    expect(sent[0]?.headers['idempotency-key']).toBeUndefined();
  });

  it('does not retry a lost answer to a campaign send, pause, resume or cancel', async () => {
    const { mailroom, sent } = client([{ fail: connectionRefused() }]);

    for (const call of [
      () => mailroom.campaigns.send('c-1'),
      () => mailroom.campaigns.pause('c-1'),
      () => mailroom.campaigns.resume('c-1'),
      () => mailroom.campaigns.cancel('c-1'),
      () => mailroom.campaigns.test('c-1', { to: 'me@example.org' }),
      () => mailroom.account.resumeBulk(),
    ]) {
      await expect(call()).rejects.toBeInstanceOf(MailroomNetworkError);
    }
    expect(sent).toHaveLength(6);
  });

  it('retries a 429 on any call: a throttled request was not processed', async () => {
    const { mailroom, sent } = client([
      { status: 429, json: { error: { code: 'THROTTLED', message: 'x' } } },
      draft,
    ]);

    await expect(mailroom.campaigns.create({ name: 'n', subject: 's', text: 't' })).resolves.toMatchObject({
      id: 'c-1',
    });
    expect(sent).toHaveLength(2);
  });
});

describe('recipient uploads', () => {
  const incomplete = {
    status: 503,
    json: {
      error: {
        code: 'upload_incomplete',
        message: '500 rows were written before the upload ran out of time',
      },
    },
    headers: { 'retry-after': '1' },
  };
  const added = { status: 200, json: { added: 2, duplicates: 0, invalid: [] } };

  it('sends an upload answered 503 upload_incomplete again, the same rows, after its Retry-After', async () => {
    const { mailroom, sent, waits } = client([incomplete, added], { random: () => 0 });
    const rows = [{ email: 'ann@example.org', data: { first_name: 'Ann' } }, { email: 'bob@example.org' }];

    await expect(mailroom.campaigns.addRecipients('c-1', rows)).resolves.toEqual(added.json);

    expect(sent).toHaveLength(2);
    expect(sent[1]?.body).toBe(sent[0]?.body);
    expect(JSON.parse(sent[0]?.body ?? '')).toEqual({ recipients: rows });
    expect(waits).toEqual([1000]);
    // The API keys an upload by its addresses; it reads no Idempotency-Key there.
    expect(sent[0]?.headers['idempotency-key']).toBeUndefined();
  });

  it('sends CSV as text/csv, and retries it the same way', async () => {
    const { mailroom, sent } = client([incomplete, added]);
    const csv = 'email,first_name\nann@example.org,Ann\n';

    await mailroom.campaigns.addRecipientsCsv('c-1', csv);

    expect(sent.map((r) => [r.headers['content-type'], r.body])).toEqual([
      ['text/csv', csv],
      ['text/csv', csv],
    ]);
  });
});

describe('errors', () => {
  it("carries the API's status, code, message, details and API Gateway's request id", async () => {
    const { mailroom } = client([
      {
        status: 422,
        json: {
          error: {
            code: 'missing_variable',
            message: 'No value for {{code}}',
            details: { variable: 'code' },
          },
        },
        headers: { 'x-amzn-RequestId': 'a1b2-c3' },
      },
    ]);

    const error = await mailroom.emails
      .send({ to: 'jane@example.org', template: 'otp' })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(MailroomApiError);
    expect(error).toMatchObject({
      status: 422,
      code: 'missing_variable',
      message: 'No value for {{code}}',
      details: { variable: 'code' },
      requestId: 'a1b2-c3',
      method: 'POST',
      path: '/v1/emails',
    });
  });

  it("names API Gateway's own refusals by their response type, and anything else by its status", async () => {
    const { mailroom } = client([
      { status: 403, json: { error: { code: 'ACCESS_DENIED', message: 'User is not authorized' } } },
      { status: 502, text: '<html>Bad Gateway</html>', headers: { 'content-type': 'text/html' } },
    ]);

    await expect(mailroom.campaigns.pause('c-1')).rejects.toMatchObject({
      status: 403,
      code: 'ACCESS_DENIED',
    });
    await expect(mailroom.campaigns.cancel('c-1')).rejects.toMatchObject({
      status: 502,
      code: 'http_502',
      message: '<html>Bad Gateway</html>',
    });
  });

  it('gives up on a connection that keeps failing with a MailroomNetworkError holding the cause', async () => {
    const { mailroom, sent } = client([{ fail: connectionRefused() }]);

    const error = await mailroom.suppressions.get('jane@example.org').catch((e: unknown) => e);

    expect(error).toBeInstanceOf(MailroomNetworkError);
    expect(error).toMatchObject({ attempts: 3, method: 'GET', path: '/v1/suppressions/jane%40example.org' });
    expect((error as Error).cause).toBeInstanceOf(TypeError);
    expect(sent).toHaveLength(3);
  });

  it("does not retry after the caller's own abort, and rethrows its reason", async () => {
    const controller = new AbortController();
    const reason = new Error('the caller gave up');
    const fetch = async () => {
      controller.abort(reason);
      throw reason;
    };
    const mailroom = new MailroomClient({ apiUrl: LOCAL, fetch: fetch as typeof globalThis.fetch });

    await expect(mailroom.emails.get('m-1', { signal: controller.signal })).rejects.toBe(reason);
  });
});
