import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand, GetQueueUrlCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { verifyWebhook } from '@mailroom/client';
import { Webhook } from 'standardwebhooks';
import { MAX_WEBHOOKS } from '../../lambdas/webhooks/webhook-schemas';
import { eventually, type LocalMode, localClients, startLocalMode } from './support/local-mode';
import { checkedApi } from './support/openapi-validator';

jest.setTimeout(120_000);

/** One request a receiver got. */
interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A webhook receiver on 127.0.0.1 (node:http), answering each request with what `answer` says. */
interface Receiver {
  url: string;
  received: Received[];
  answer: (request: Received, n: number) => number;
  close(): Promise<void>;
}

async function startReceiver(answer: Receiver['answer'] = () => 204): Promise<Receiver> {
  const received: Received[] = [];
  const receiver = { received, answer } as Receiver;
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
    });
    request.on('end', () => {
      const seen = { path: request.url ?? '', headers: request.headers, body };
      received.push(seen);
      response.statusCode = receiver.answer(seen, received.length);
      response.end(response.statusCode >= 400 ? 'nope' : '');
    });
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  receiver.close = () =>
    new Promise<void>((closed) => {
      server.closeAllConnections();
      server.close(() => closed());
    });
  return receiver;
}

let local: LocalMode;
let sns: SNSClient;
let sqs: SQSClient;
const receivers: Receiver[] = [];
beforeAll(async () => {
  local = await startLocalMode({
    // Three attempts a second apart: exhausting the schedule (and so disabling) takes seconds.
    WEBHOOK_RETRY_SCHEDULE: '0,1,1',
  });
  ({ sns, sqs } = localClients(local));
}, 90_000);

afterAll(async () => {
  await Promise.all(receivers.map((r) => r.close()));
  await local?.stop();
}, 30_000);

const call = (method: string, path: string, body?: unknown) => checkedApi(local.apiUrl, method, path, body);
/** Messages on the webhooks queue: visible, in flight and delayed. */
async function webhooksQueueDepth(): Promise<number> {
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: 'mailroom-webhooks' }));
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl,
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
      ],
    }),
  );
  return Object.values(Attributes).reduce((sum, n) => sum + Number(n), 0);
}
const productEventsTopic = () => /Product events topic\s+(\S+)/.exec(local.output())?.[1] ?? '';

async function receiver(answer?: Receiver['answer']): Promise<Receiver> {
  const started = await startReceiver(answer);
  receivers.push(started);
  return started;
}

async function createWebhook(url: string, events?: string[]): Promise<{ id: string; secret: string }> {
  const created = await call('POST', '/v1/webhooks', { url, ...(events ? { events } : {}) });
  expect(created.status).toBe(201);
  return { id: String(created.body.id), secret: String(created.body.secret) };
}

/** A product event as the events function publishes it, straight onto the product events topic. */
async function publishProductEvent(event: Record<string, unknown>): Promise<void> {
  await sns.send(
    new PublishCommand({
      TopicArn: productEventsTopic(),
      Message: JSON.stringify(event),
      MessageAttributes: { type: { DataType: 'String', StringValue: String(event.type) } },
    }),
  );
}

const headersOf = (r: Received) => ({
  'webhook-id': String(r.headers['webhook-id']),
  'webhook-timestamp': String(r.headers['webhook-timestamp']),
  'webhook-signature': String(r.headers['webhook-signature']),
});

describe('webhooks in local mode', () => {
  it('delivers the product events of a bounced mail to a loopback receiver, signed so standardwebhooks verifies them', async () => {
    const endpoint = await receiver();
    const { secret } = await createWebhook(endpoint.url, ['bounced']);

    const sent = await call('POST', '/v1/emails', {
      to: 'bounce@simulator.amazonses.com',
      subject: 'Webhook check',
      text: 'This bounces.',
    });
    expect(sent.status).toBe(202);
    const [delivery] = await eventually(
      async () => (endpoint.received.length > 0 ? endpoint.received : undefined),
      30_000,
      'the bounced event at the receiver',
    );

    const verified = new Webhook(secret).verify(delivery?.body ?? '', headersOf(delivery as Received)) as {
      type: string;
      data: { email: string; messageId: string };
    };
    expect(verified.type).toBe('bounced');
    expect(verified.data).toMatchObject({ email: 'bounce@simulator.amazonses.com', messageId: sent.body.id });
    expect(String(delivery?.headers['content-type'])).toBe('application/json');
    // The client's helper (WebCrypto) accepts the same delivery.
    await expect(verifyWebhook(delivery?.body ?? '', delivery?.headers ?? {}, secret)).resolves.toMatchObject(
      {
        type: 'bounced',
      },
    );
  });

  it('delivers again, with the same webhook-id, after the receiver answers 500, and lists both attempts', async () => {
    const endpoint = await receiver((_request, n) => (n === 1 ? 500 : 204));
    const { id, secret } = await createWebhook(endpoint.url, ['complained']);

    await publishProductEvent({
      id: 'evt-retry-1',
      type: 'complained',
      email: 'jo@example.org',
      at: new Date().toISOString(),
    });
    await eventually(
      async () => (endpoint.received.length >= 2 ? true : undefined),
      30_000,
      'a second attempt',
    );

    const [first, second] = endpoint.received as [Received, Received];
    expect(second.headers['webhook-id']).toBe(first.headers['webhook-id']);
    expect(second.body).toBe(first.body);
    expect(() => new Webhook(secret).verify(second.body, headersOf(second))).not.toThrow();
    const deliveries = await eventually(async () => {
      const page = await call('GET', `/v1/webhooks/${id}/deliveries`);
      const items = page.body.items as {
        attempt: number;
        status: string;
        httpStatus: number;
        latencyMs: number;
      }[];
      return items.length >= 2 ? items : undefined;
    });
    expect(deliveries.map((d) => [d.attempt, d.status, d.httpStatus])).toEqual([
      [2, 'succeeded', 204],
      [1, 'failed', 500],
    ]);
    expect(deliveries.every((d) => Number.isInteger(d.latencyMs) && d.latencyMs >= 0)).toBe(true);
    const page = await call('GET', `/v1/webhooks/${id}/deliveries?limit=1`);
    expect(page.body.nextCursor).toEqual(expect.any(String));
    const rest = await call(
      'GET',
      `/v1/webhooks/${id}/deliveries?limit=1&cursor=${String(page.body.nextCursor)}`,
    );
    expect((rest.body.items as { attempt: number }[])[0]?.attempt).toBe(1);
  });

  it('disables a webhook whose receiver fails its whole (compressed) schedule, with a webhook_disabled event', async () => {
    const failing = await receiver(() => 500);
    const watcher = await receiver();
    const { id } = await createWebhook(failing.url, ['unsubscribed']);
    const { secret: watcherSecret } = await createWebhook(watcher.url, ['webhook_disabled']);

    await publishProductEvent({
      id: 'evt-fail-1',
      type: 'unsubscribed',
      email: 'al@example.org',
      at: new Date().toISOString(),
    });
    const disabledEvent = await eventually(
      async () => watcher.received[0],
      30_000,
      'the webhook_disabled event at the watcher',
    );

    expect(failing.received).toHaveLength(3);
    const event = new Webhook(watcherSecret).verify(disabledEvent.body, headersOf(disabledEvent)) as {
      type: string;
      data: { webhookId: string; url: string };
    };
    expect(event).toMatchObject({
      type: 'webhook_disabled',
      data: { webhookId: id, url: new URL(failing.url).origin },
    });
    const webhook = await call('GET', `/v1/webhooks/${id}`);
    expect(webhook.body).toMatchObject({
      status: 'disabled',
      disabledReason: expect.stringContaining('3 attempts'),
    });
    expect(webhook.body).not.toHaveProperty('secret');

    // Re-enabled, it gets the next event.
    failing.answer = () => 204;
    expect((await call('POST', `/v1/webhooks/${id}/enable`)).body).toMatchObject({ status: 'enabled' });
    await publishProductEvent({
      id: 'evt-fail-2',
      type: 'unsubscribed',
      email: 'al@example.org',
      at: new Date().toISOString(),
    });
    await eventually(
      async () => (failing.received.length === 4 ? true : undefined),
      30_000,
      'a delivery after enable',
    );
  });

  it('sends nothing more to a deleted webhook, retries included', async () => {
    const endpoint = await receiver(() => 500);
    const { id } = await createWebhook(endpoint.url, ['delivered']);
    await publishProductEvent({
      id: 'evt-del-1',
      type: 'delivered',
      email: 'x@example.org',
      at: new Date().toISOString(),
    });
    await eventually(
      async () => (endpoint.received.length >= 1 ? true : undefined),
      30_000,
      'the first attempt',
    );

    expect((await call('DELETE', `/v1/webhooks/${id}`)).status).toBe(204);
    // Its retry was queued (due a second after the first attempt): wait until the queue has nothing
    // left, delayed or in flight.
    await eventually(
      async () => ((await webhooksQueueDepth()) === 0 ? true : undefined),
      30_000,
      'an empty webhooks queue',
    );

    expect(endpoint.received).toHaveLength(1);
    expect((await call('GET', `/v1/webhooks/${id}`)).status).toBe(404);
  });

  it('answers POST /v1/webhooks/{id}/test with the queued message, which the receiver then gets signed', async () => {
    const endpoint = await receiver();
    const { id, secret } = await createWebhook(endpoint.url);

    const queued = await call('POST', `/v1/webhooks/${id}/test`);
    expect(queued.status).toBe(202);
    const delivery = await eventually(async () =>
      endpoint.received.find((r) => r.headers['webhook-id'] === queued.body.messageId),
    );

    expect(new Webhook(secret).verify(delivery.body, headersOf(delivery))).toMatchObject({
      type: 'test',
      data: { webhookId: id },
    });
  });

  it('refuses bad webhooks with a 400 that creates nothing', async () => {
    const before = (await call('GET', '/v1/webhooks')).body.items as unknown[];
    for (const body of [
      { url: 'http://user:pw@127.0.0.1/x' },
      { url: 'http://10.0.0.1/x' },
      { url: 'http://169.254.169.254/latest/meta-data' },
      { url: 'ftp://127.0.0.1/x' },
      { url: `https://example.org/${'a'.repeat(2000)}` },
      { url: 'https://example.org/x', events: ['opened'] },
    ]) {
      const refused = await call('POST', '/v1/webhooks', body);
      expect([refused.status, refused.body.error?.code]).toEqual([400, 'validation_failed']);
    }
    expect((await call('GET', '/v1/webhooks')).body.items).toEqual(before);
  });

  it(`creates at most ${MAX_WEBHOOKS} webhooks when 25 creates race`, async () => {
    const existing = ((await call('GET', '/v1/webhooks')).body.items as unknown[]).length;

    const answers = await Promise.all(
      Array.from({ length: 25 }, (_, n) =>
        call('POST', '/v1/webhooks', { url: `http://127.0.0.1:9/race-${n}` }),
      ),
    );

    const created = answers.filter((a) => a.status === 201);
    expect(created).toHaveLength(MAX_WEBHOOKS - existing);
    expect(
      answers.filter((a) => a.status === 409).every((a) => a.body.error?.code === 'too_many_webhooks'),
    ).toBe(true);
    expect(answers.filter((a) => a.status === 409)).toHaveLength(25 - (MAX_WEBHOOKS - existing));
    expect((await call('GET', '/v1/webhooks')).body.items).toHaveLength(MAX_WEBHOOKS);
  });
});
