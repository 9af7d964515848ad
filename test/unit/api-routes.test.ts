import type { APIGatewayProxyEvent } from 'aws-lambda';
import { SES_REVIEW_RATES } from '../../contract/alarms';
import { ROUTE_IDS, ROUTES, type RouteContract, routeKey } from '../../contract/routes';
import { PLACEHOLDER_UNSUBSCRIBE_URL } from '../../lambdas/campaigns/unsubscribe-link';
import { DEFAULT_THRESHOLDS, hourBuckets } from '../../lambdas/feedback/reputation-guard';
import { json, MAX_BODY_BYTES } from '../../lambdas/functions/api/http';
import { type RouteHandler, type RouteHandlers, Router } from '../../lambdas/functions/api/router';
import { ApiError } from '../../lambdas/requests/errors';
import { apiHarness } from './support/api-harness';
import { NOW } from './support/factories';
import type { InMemoryTemplates, RecordingQueue } from './support/in-memory';
import { InMemoryDeliverability } from './support/in-memory-feedback';

function setup(overrides: Parameters<typeof apiHarness>[0] = {}) {
  const harness = apiHarness(overrides);
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

  it('previews content with sample data as a send renders it, escaping HTML, and stores nothing', async () => {
    const { call, deps } = setup();
    const response = await call('POST', '/v1/previews', {
      subject: 'News for {{first_name}}',
      html: '<p>Hi {{first_name}}</p><a href="{{unsubscribe_url}}">Leave</a>',
      text: 'Hi {{default first_name "there"}}',
      data: { first_name: '<b>Ann</b>', unsubscribe_url: 'https://evil.example/' },
    });
    expect(response).toEqual({
      status: 200,
      json: {
        subject: 'News for <b>Ann</b>',
        html: `<p>Hi &lt;b&gt;Ann&lt;/b&gt;</p><a href="${PLACEHOLDER_UNSUBSCRIBE_URL}">Leave</a>`,
        text: 'Hi <b>Ann</b>',
      },
    });
    expect((deps.templates as InMemoryTemplates).items.size).toBe(0);
  });

  it('refuses a preview that does not parse (400 at its line), lacks a variable (422) or is malformed (400)', async () => {
    const { call } = setup();
    const syntax = await call('POST', '/v1/previews', { subject: 'x', html: '<p>\n{{#if a}}\n</p>' });
    expect(syntax.status).toBe(400);
    expect(syntax.json.error).toMatchObject({
      code: 'template_syntax_error',
      details: { field: 'html', line: 3 },
    });
    const missing = await call('POST', '/v1/previews', { subject: 'Hi {{first_name}}', text: 'x', data: {} });
    expect(missing.status).toBe(422);
    expect(missing.json.error).toMatchObject({
      code: 'missing_variable',
      details: { variable: 'first_name', field: 'subject' },
    });
    for (const body of [
      { subject: 'x' },
      { subject: 'x', text: 'y', extra: 1 },
      { subject: 'x', text: 'y', data: [] },
      [],
    ]) {
      const refused = await call('POST', '/v1/previews', body);
      expect(refused.status).toBe(400);
    }
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
      bulkReputation: {
        windowHours: DEFAULT_THRESHOLDS.windowHours,
        sent: 0,
        bounced: 0,
        complained: 0,
        bounceRate: null,
        complaintRate: null,
        minimumSample: DEFAULT_THRESHOLDS.minimumSample,
        judged: false,
        guardThresholds: {
          bounceRate: DEFAULT_THRESHOLDS.bounceRate,
          complaintRate: DEFAULT_THRESHOLDS.complaintRate,
        },
        sesReviewRates: { bounceRate: SES_REVIEW_RATES.bounce, complaintRate: SES_REVIEW_RATES.complaint },
      },
    });
  });

  it("reports bulk mail's rates as the guard judges them, against its configured thresholds, and the guard's pause", async () => {
    const reputation = new InMemoryDeliverability();
    await reputation.add(hourBuckets(NOW, 1)[0] ?? '', { sent: 400, bounced: 6, complained: 1 });
    await reputation.trip('bulk complaint rate 0.250% over the last 24 h reached 0.200%', NOW);
    const thresholds = { ...DEFAULT_THRESHOLDS, bounceRate: 0.02, complaintRate: 0.002, minimumSample: 300 };
    const { call } = setup({ reputation, guardThresholds: thresholds });

    const account = (await call('GET', '/v1/account')).json as Record<string, unknown>;

    expect(account.bulkReputation).toEqual({
      windowHours: 24,
      sent: 400,
      bounced: 6,
      complained: 1,
      bounceRate: 0.015,
      complaintRate: 0.0025,
      minimumSample: 300,
      judged: true,
      guardThresholds: { bounceRate: 0.02, complaintRate: 0.002 },
      sesReviewRates: { bounceRate: SES_REVIEW_RATES.bounce, complaintRate: SES_REVIEW_RATES.complaint },
    });
    expect(account.pausedStreams).toEqual([
      {
        stream: 'bulk',
        reason: 'bulk complaint rate 0.250% over the last 24 h reached 0.200%',
        since: NOW.toISOString(),
      },
    ]);
  });
});

/** A request path for a contract path: each `{name}` filled in (URL-encoded) by `value(name)`. */
function requestPath(path: string, value: (name: string) => string): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(value(name)));
}

/** Values with characters that must be decoded, so a handler is seen to get them decoded. */
const SAMPLE_PARAMS: Record<string, string> = { id: 'c-1', name: 'welcome', email: 'jane+news@example.org' };
const sample = (name: string) => SAMPLE_PARAMS[name] ?? `sample ${name}`;

/** Stub handlers: each answers 200 with its own route id and the parameters it was handed. */
function echoHandlers(): RouteHandlers {
  const echo =
    (id: string): RouteHandler =>
    async (_event, params) =>
      json(200, { id, params });
  return Object.fromEntries(ROUTE_IDS.map((id) => [id, echo(id)])) as unknown as RouteHandlers;
}

function proxyEvent(method: string, path: string): APIGatewayProxyEvent {
  return {
    httpMethod: method,
    path,
    headers: {},
    queryStringParameters: null,
    body: null,
  } as APIGatewayProxyEvent;
}

async function statusOf(router: Router, method: string, path: string): Promise<number> {
  try {
    return (await router.handle(proxyEvent(method, path))).statusCode;
  } catch (error) {
    if (error instanceof ApiError) return error.status;
    throw error;
  }
}

/** The names in a contract path's braces. */
const paramNames = (route: RouteContract) =>
  [...route.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => name ?? '');

describe('the router against the contract (contract/routes.ts)', () => {
  it.each(ROUTE_IDS.map((id) => [routeKey(ROUTES[id]), id] as const))(
    '%s goes to the %s handler with its decoded path parameters',
    async (_key, id) => {
      const route = ROUTES[id];
      const router = new Router(echoHandlers());
      const response = await router.handle(proxyEvent(route.method, requestPath(route.path, sample)));
      expect(JSON.parse(response.body)).toEqual({
        id,
        params: Object.fromEntries(paramNames(route).map((name) => [name, sample(name)])),
      });
    },
  );

  it('answers 405 for every other method on a contract path, and 404 off the contract', async () => {
    const router = new Router(echoHandlers());
    const paths = [...new Set(ROUTE_IDS.map((id) => ROUTES[id].path))];
    for (const path of paths) {
      const served = ROUTE_IDS.filter((id) => ROUTES[id].path === path).map((id) => ROUTES[id].method);
      for (const method of ['GET', 'PUT', 'POST', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS']) {
        const status = await statusOf(router, method, requestPath(path, sample));
        expect({ route: `${method} ${path}`, status }).toEqual({
          route: `${method} ${path}`,
          status: served.includes(method as RouteContract['method']) ? 200 : 405,
        });
      }
    }
    for (const path of ['/', '/v1', '/v2/emails', '/v1/emails/a/b', '/unsubscribe/x', '/v1/nothing-here']) {
      expect({ path, status: await statusOf(router, 'GET', path) }).toEqual({ path, status: 404 });
    }
  });

  it("answers every contract route with the api's own handler: never the router's 404 or 405", async () => {
    const harness = apiHarness();
    for (const id of ROUTE_IDS) {
      const route = ROUTES[id];
      const response = await harness.call(route.method, requestPath(route.path, sample), {
        body: route.body === 'none' ? null : '{}',
        headers: { 'Content-Type': 'application/json' },
      });
      // The router's own answers: 405, or 404 "No route for …" (a handler's 404 names what is missing).
      const fromRouter = response.statusCode === 405 || response.body.includes('No route for ');
      expect({ id, fromRouter }).toEqual({ id, fromRouter: false });
    }
  });

  it('serves /v1 with IAM auth and everything else publicly', () => {
    for (const id of ROUTE_IDS) {
      const { auth, path } = ROUTES[id];
      expect({ id, auth }).toEqual({ id, auth: path.startsWith('/v1/') ? 'iam' : 'none' });
    }
  });

  it('takes only a handler map that matches the contract (checked by tsc; see the @ts-expect-error lines)', () => {
    const handlers = echoHandlers();
    const { sendEmail: _left, ...withoutSendEmail } = handlers;
    // @ts-expect-error: a contract route without a handler
    expect(() => new Router(withoutSendEmail)).not.toThrow();
    // @ts-expect-error: a handler for no contract route
    expect(() => new Router({ ...handlers, sendNewsletter: handlers.sendEmail })).not.toThrow();
    // @ts-expect-error: a parameter the route's path does not have
    const getEmail: RouteHandlers['getEmail'] = async (_event, { name }) => json(200, name);
    expect(getEmail).toEqual(expect.any(Function));
  });
});
