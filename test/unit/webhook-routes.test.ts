import { MAX_WEBHOOKS } from '../../lambdas/webhooks/webhook-schemas';
import { apiHarness, webhookDepsInMemory } from './support/api-harness';

function harness() {
  const webhookDeps = webhookDepsInMemory();
  const api = apiHarness({ webhookDeps });
  const send = (method: string, path: string, body?: unknown) =>
    api.call(method, path, {
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? null : JSON.stringify(body),
    });
  const parsed = async (method: string, path: string, body?: unknown) => {
    const response = await send(method, path, body);
    return { status: response.statusCode, body: response.body ? JSON.parse(response.body) : undefined };
  };
  return { webhookDeps, call: parsed };
}

describe('the webhook routes', () => {
  it('create answers the webhook with its secret, which no other route shows', async () => {
    const { call } = harness();

    const created = await call('POST', '/v1/webhooks', {
      url: 'https://hooks.example.org/a',
      events: ['bounced'],
    });
    const listed = await call('GET', '/v1/webhooks');
    const one = await call('GET', `/v1/webhooks/${created.body.id}`);

    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      url: 'https://hooks.example.org/a',
      events: ['bounced'],
      status: 'enabled',
    });
    expect(created.body.secret).toMatch(/^whsec_/);
    expect(listed.body.items).toEqual([expect.not.objectContaining({ secret: expect.anything() })]);
    expect(one.body).not.toHaveProperty('secret');
    expect(one.body.id).toBe(created.body.id);
  });

  it.each([
    ['http in AWS', { url: 'http://hooks.example.org/a' }, 'url'],
    ['a loopback host', { url: 'https://127.0.0.1/a' }, 'url'],
    ['a decimal IPv4 loopback', { url: 'https://2130706433/a' }, 'url'],
    ['an IPv4-mapped IPv6 loopback', { url: 'https://[::ffff:127.0.0.1]/a' }, 'url'],
    ['the metadata address', { url: 'https://169.254.169.254/latest' }, 'url'],
    ['a unique-local IPv6 host', { url: 'https://[fd00::1]/a' }, 'url'],
    ['localhost', { url: 'https://localhost/a' }, 'url'],
    ['credentials', { url: 'https://u:p@hooks.example.org/a' }, 'url'],
    ['2,001 characters', { url: `https://hooks.example.org/${'a'.repeat(1975)}` }, 'url'],
    ['an unknown event type', { url: 'https://hooks.example.org/a', events: ['opened'] }, 'events.0'],
    ['an event type twice', { url: 'https://hooks.example.org/a', events: ['bounced', 'bounced'] }, 'events'],
    ['no events at all', { url: 'https://hooks.example.org/a', events: [] }, 'events'],
    ['an unknown field', { url: 'https://hooks.example.org/a', secret: 'mine' }, '(body)'],
  ])('refuses %s with a 400 that creates nothing', async (_case, body, path) => {
    const { call, webhookDeps } = harness();

    const refused = await call('POST', '/v1/webhooks', body);

    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('validation_failed');
    expect(refused.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
    expect(await webhookDeps.webhooks.list()).toEqual([]);
  });

  it(`refuses webhook ${MAX_WEBHOOKS + 1} with a 409`, async () => {
    const { call } = harness();
    for (let i = 0; i < MAX_WEBHOOKS; i++) {
      expect((await call('POST', '/v1/webhooks', { url: `https://hooks.example.org/${i}` })).status).toBe(
        201,
      );
    }

    const refused = await call('POST', '/v1/webhooks', { url: 'https://hooks.example.org/one-more' });

    expect([refused.status, refused.body.error.code]).toEqual([409, 'too_many_webhooks']);
  });

  it('answers 404 for a webhook that does not exist, on every route that names one', async () => {
    const { call } = harness();

    const answers = await Promise.all([
      call('GET', '/v1/webhooks/wh_nope'),
      call('DELETE', '/v1/webhooks/wh_nope'),
      call('POST', '/v1/webhooks/wh_nope/test'),
      call('POST', '/v1/webhooks/wh_nope/enable'),
      call('GET', '/v1/webhooks/wh_nope/deliveries'),
      call('GET', '/v1/webhooks/not%20an%20id'),
    ]);

    expect(answers.map((a) => a.status)).toEqual([404, 404, 404, 404, 404, 404]);
  });

  it('test queues one signed test delivery and answers its webhook-id', async () => {
    const { call, webhookDeps } = harness();
    const created = await call('POST', '/v1/webhooks', { url: 'https://hooks.example.org/a' });

    const queued = await call('POST', `/v1/webhooks/${created.body.id}/test`);

    expect(queued.status).toBe(202);
    expect(webhookDeps.deliveryQueue.sent).toEqual([
      {
        delaySeconds: 0,
        message: expect.objectContaining({
          messageId: queued.body.messageId,
          eventType: 'test',
          test: true,
          attempt: 1,
        }),
      },
    ]);
  });

  it('delete removes it and frees its place; enable turns a disabled one back on', async () => {
    const { call, webhookDeps } = harness();
    const a = await call('POST', '/v1/webhooks', { url: 'https://hooks.example.org/a' });
    await webhookDeps.webhooks.disable(a.body.id, 'failing', new Date(), new Date());

    const enabled = await call('POST', `/v1/webhooks/${a.body.id}/enable`);
    const deleted = await call('DELETE', `/v1/webhooks/${a.body.id}`);

    expect(enabled.body).toMatchObject({ status: 'enabled' });
    expect(enabled.body).not.toHaveProperty('disabledReason');
    expect(deleted.status).toBe(204);
    expect((await call('GET', '/v1/webhooks')).body.items).toEqual([]);
  });
});
