import { MAX_BODY_BYTES } from '../../lambdas/functions/api/http';
import { apiHarness } from './support/api-harness';
import type { InMemoryTemplates, RecordingQueue } from './support/in-memory';

function setup() {
  const harness = apiHarness();
  const call = async (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = { 'Content-Type': 'application/json' },
  ): Promise<{
    status: number;
    json: { error?: { code: string; message: string; details?: unknown } } & Record<string, unknown>;
  }> => {
    const result = await harness.call(method, path, {
      body: body === undefined ? null : typeof body === 'string' ? body : JSON.stringify(body),
      headers,
    });
    return { status: result.statusCode, json: result.body ? JSON.parse(result.body) : {} };
  };
  return { deps: harness.deps, call };
}

const email = { to: 'jane@example.org', subject: 'Hi', text: 'Hello' };

describe('API routes', () => {
  it('accepts a mail with 202 and shows it by id', async () => {
    const { call } = setup();
    const accepted = await call('POST', '/v1/emails', email);
    expect(accepted).toEqual({ status: 202, json: { id: 'msg-1', status: 'queued', suppressed: [] } });
    const shown = await call('GET', '/v1/emails/msg-1');
    expect(shown.status).toBe(200);
    expect(shown.json).toMatchObject({ id: 'msg-1', status: 'queued', events: [{ type: 'queued' }] });
    expect(shown.json).not.toHaveProperty('text');
  });

  it.each([
    ['malformed JSON', '{"to": ', { 'Content-Type': 'application/json' }, 400, 'invalid_json'],
    ['an empty body', '', { 'Content-Type': 'application/json' }, 400, 'invalid_json'],
    [
      'a form body',
      'to=jane',
      { 'Content-Type': 'application/x-www-form-urlencoded' },
      415,
      'unsupported_media_type',
    ],
    ['no content type', JSON.stringify(email), {}, 415, 'unsupported_media_type'],
    [
      'a body over the limit',
      JSON.stringify({ ...email, text: 'x'.repeat(MAX_BODY_BYTES) }),
      { 'Content-Type': 'application/json' },
      413,
      'too_large',
    ],
    ['a JSON array', '[]', { 'Content-Type': 'application/json' }, 400, 'validation_failed'],
  ])('answers %s with a clear error and queues nothing', async (_, body, headers, status, code) => {
    const { call, deps } = setup();
    const response = await call('POST', '/v1/emails', body, headers);
    expect(response.status).toBe(status);
    expect(response.json.error?.code).toBe(code);
    expect(response.json.error?.message).toEqual(expect.any(String));
    expect((deps.queue as RecordingQueue).enqueued).toEqual([]);
  });

  it('answers 404 for an unknown email id, a malformed one and an unknown route', async () => {
    const { call } = setup();
    expect((await call('GET', '/v1/emails/unknown')).status).toBe(404);
    expect((await call('GET', '/v1/emails/..%2F..%2Fetc')).status).toBe(404);
    expect((await call('GET', '/v2/emails')).json.error?.code).toBe('not_found');
  });

  it('answers 405 for a method a route does not take', async () => {
    const { call } = setup();
    expect((await call('DELETE', '/v1/emails')).status).toBe(405);
  });

  it('creates, replaces, reads, lists and deletes a template', async () => {
    const { call } = setup();
    const template = { subject: 'Welcome {{name}}', html: '<p>{{name}}</p>' };
    expect((await call('PUT', '/v1/templates/welcome', template)).status).toBe(201);
    expect((await call('PUT', '/v1/templates/welcome', { ...template, text: '{{name}}' })).status).toBe(200);
    expect((await call('GET', '/v1/templates/welcome')).json).toMatchObject({
      name: 'welcome',
      text: '{{name}}',
    });
    expect((await call('GET', '/v1/templates')).json).toMatchObject({ items: [{ name: 'welcome' }] });
    expect((await call('DELETE', '/v1/templates/welcome')).status).toBe(204);
    expect((await call('GET', '/v1/templates/welcome')).status).toBe(404);
    expect((await call('DELETE', '/v1/templates/welcome')).status).toBe(404);
  });

  it('refuses a template with a syntax error, naming the part and the line, and stores nothing', async () => {
    const { call, deps } = setup();
    const response = await call('PUT', '/v1/templates/broken', {
      subject: 'x',
      html: '<p>\n{{#if a}}\n</p>',
    });
    expect(response.status).toBe(400);
    expect(response.json.error).toMatchObject({ code: 'template_syntax_error', details: { field: 'html' } });
    expect(response.json.error?.message).toMatch(/html, line \d/);
    expect((deps.templates as InMemoryTemplates).items.size).toBe(0);
  });

  it('refuses a template name with dots and a listing limit out of range', async () => {
    const { call } = setup();
    expect((await call('PUT', '/v1/templates/a.b', { subject: 'x', text: 'y' })).json.error?.code).toBe(
      'invalid_template_name',
    );
    expect((await call('GET', '/v1/templates?limit=0')).json.error?.code).toBe('invalid_limit');
    expect((await call('GET', '/v1/templates?limit=101')).status).toBe(400);
  });

  it('reports the account quota and the rate in use', async () => {
    const { call } = setup();
    expect((await call('GET', '/v1/account')).json).toEqual({
      sandbox: true,
      sendingEnabled: true,
      enforcementStatus: 'HEALTHY',
      maxSendRate: 1,
      max24HourSend: 200,
      sentLast24Hours: 7,
      rateInUse: 1,
      sendRateShare: 1,
      rateOverride: null,
      pausedStreams: [],
    });
  });
});
