import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { OLDEST_MESSAGE_ALARM_MINUTES } from '../../contract/alarms';
import { WEBHOOK_RETRY_SCHEDULE_SECONDS } from '../../contract/thresholds';
import type { ProductEvent } from '../../lambdas/feedback/ports';
import { MAX_QUEUE_DELAY_SECONDS } from '../../lambdas/sending/retry';
import { LONGEST_ROUND_SECONDS, SqsDeliveryQueue } from '../../lambdas/webhooks/adapters/delivery-queue';
import { type DeliverDeps, deliver, fanOutEvent } from '../../lambdas/webhooks/deliver';
import { parseWebhookWork } from '../../lambdas/webhooks/delivery-message';
import type { PostResult } from '../../lambdas/webhooks/ports';
import { afterFailure, parseRetrySchedule, retrySpanSeconds } from '../../lambdas/webhooks/retry-schedule';
import type { StoredWebhook } from '../../lambdas/webhooks/webhook-schemas';
import { RecordingProductEvents } from './support/in-memory-feedback';
import { InMemoryWebhooks, RecordingDeliveryQueue, scriptedEndpoint } from './support/in-memory-webhooks';

const START = new Date('2026-11-22T10:00:00.000Z');
const EVENT: ProductEvent = {
  id: 'evt-1',
  type: 'bounced',
  email: 'jo@example.org',
  at: START.toISOString(),
};

function webhook(overrides: Partial<StoredWebhook> = {}): StoredWebhook {
  return {
    id: 'wh_a',
    url: 'https://hooks.example.org/a',
    status: 'enabled',
    createdAt: START.toISOString(),
    secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    ...overrides,
  };
}

async function world(
  answers: Partial<PostResult>[],
  schedule: readonly number[] = WEBHOOK_RETRY_SCHEDULE_SECONDS,
) {
  const store = new InMemoryWebhooks();
  await store.create(webhook(), 20);
  let now = START.getTime();
  const deps: DeliverDeps = {
    webhooks: store,
    deliveries: store,
    queue: new RecordingDeliveryQueue(),
    post: scriptedEndpoint(answers),
    products: new RecordingProductEvents(),
    schedule,
    now: () => new Date(now),
  };
  const queue = deps.queue as RecordingDeliveryQueue;
  return {
    deps,
    store,
    queue,
    products: deps.products as RecordingProductEvents,
    endpoint: deps.post as ReturnType<typeof scriptedEndpoint>,
    /** The product event EVENT through the fan-out. */
    fanOut: () => fanOutEvent(EVENT, { ...deps, webhooks: () => store.list() }),
    /** Lets time pass until the next queued message is visible, and hands it to deliver. */
    async next() {
      const head = queue.sent[0];
      if (!head) throw new Error('nothing queued');
      now += head.delaySeconds * 1000;
      return deliver(queue.take(), deps);
    },
  };
}

describe('the retry schedule', () => {
  it('retries for at least 24 hours by default', () => {
    expect(retrySpanSeconds(WEBHOOK_RETRY_SCHEDULE_SECONDS)).toBeGreaterThanOrEqual(24 * 3600);
    expect(WEBHOOK_RETRY_SCHEDULE_SECONDS[0]).toBe(0);
  });

  it('gives the wait before the next attempt, and none after the last', () => {
    const schedule = parseRetrySchedule('0,5,300');

    expect([afterFailure(1, schedule), afterFailure(2, schedule), afterFailure(3, schedule)]).toEqual([
      { retry: true, delaySeconds: 5 },
      { retry: true, delaySeconds: 300 },
      { retry: false },
    ]);
  });

  it.each(['', '0,,5', '0,-5', '1.5', 'soon'])('refuses the setting %p', (text) => {
    expect(() => parseRetrySchedule(text)).toThrow('WEBHOOK_RETRY_SCHEDULE');
  });
});

describe('delivering a product event', () => {
  it('queues one delivery per enabled webhook subscribed to its type', async () => {
    const w = await world([]);
    await w.store.create(webhook({ id: 'wh_b', events: ['complained'] }), 20);
    await w.store.create(webhook({ id: 'wh_c', events: ['bounced'], status: 'disabled' }), 20);
    await w.store.create(webhook({ id: 'wh_d', events: ['bounced', 'suppressed'] }), 20);

    expect(await w.fanOut()).toBe(2);
    expect(w.queue.sent.map((s) => [s.message.webhookId, s.delaySeconds])).toEqual([
      ['wh_a', 0],
      ['wh_d', 0],
    ]);
    expect(new Set(w.queue.sent.map((s) => s.message.messageId)).size).toBe(1);
  });

  it('signs each attempt with the same webhook-id and body and a fresh timestamp', async () => {
    const w = await world([
      { ok: false, httpStatus: 500 },
      { ok: true, httpStatus: 200 },
    ]);
    await w.fanOut();

    expect((await w.next()).outcome).toBe('retrying');
    expect((await w.next()).outcome).toBe('succeeded');

    const [first, second] = w.endpoint.calls;
    expect(second?.headers['webhook-id']).toBe(first?.headers['webhook-id']);
    expect(second?.body).toBe(first?.body);
    expect(Number(second?.headers['webhook-timestamp']) - Number(first?.headers['webhook-timestamp'])).toBe(
      5,
    );
    expect(JSON.parse(first?.body ?? '')).toEqual({ type: 'bounced', timestamp: EVENT.at, data: EVENT });
    expect((await w.store.listDeliveries('wh_a', 10)).items.map((a) => [a.attempt, a.status])).toEqual([
      [2, 'succeeded'],
      [1, 'failed'],
    ]);
  });

  it('counts only a 2xx as success: a 3xx is retried like a 500', async () => {
    const w = await world([{ ok: false, httpStatus: 302, error: 'redirects are not followed' }]);
    await w.fanOut();

    expect((await w.next()).outcome).toBe('retrying');
    expect(w.queue.sent[0]?.message.attempt).toBe(2);
  });

  it('waits out a delay longer than SQS allows in 15-minute rounds, without calling the endpoint', async () => {
    const w = await world([{ ok: false, httpStatus: 503 }], [0, 1800]);
    await w.fanOut();
    await w.next();
    expect(w.queue.sent[0]?.delaySeconds).toBe(1800);

    // The adapter caps each round at SQS's 900 s: the message comes back early, and goes round again.
    const early = w.queue.take();
    w.deps.now = () => new Date(START.getTime() + MAX_QUEUE_DELAY_SECONDS * 1000);
    const effects = await deliver(early, w.deps);

    expect(effects.outcome).toBe('waiting');
    expect(w.endpoint.calls).toHaveLength(1);
    expect(w.queue.sent[0]?.delaySeconds).toBe(900);
  });
});

describe('the disable rule', () => {
  it('disables the webhook and publishes webhook_disabled when the last attempt fails', async () => {
    const w = await world([{ ok: false, httpStatus: 500 }]);
    await w.fanOut();

    const outcomes = [];
    for (let i = 0; i < WEBHOOK_RETRY_SCHEDULE_SECONDS.length; i++) outcomes.push((await w.next()).outcome);

    expect(outcomes.at(-1)).toBe('exhausted');
    expect(outcomes.slice(0, -1).every((o) => o === 'retrying')).toBe(true);
    expect(w.queue.sent).toHaveLength(0);
    expect((await w.store.get('wh_a'))?.status).toBe('disabled');
    expect(w.products.events).toEqual([
      expect.objectContaining({
        type: 'webhook_disabled',
        webhookId: 'wh_a',
        // The origin only: the event goes to the other webhooks, and a path may hold a token.
        url: 'https://hooks.example.org',
      }),
    ]);
  });

  it('publishes webhook_disabled again, with the same id, when SQS hands over the message that disabled it', async () => {
    const w = await world([{ ok: false, httpStatus: 500 }], [0]);
    await w.fanOut();
    const last = w.queue.take();
    const publish = w.products.publish.bind(w.products);
    let calls = 0;
    w.products.publish = async (events) => {
      calls += 1;
      if (calls === 1) throw new Error('SNS unavailable');
      await publish(events);
    };

    await expect(deliver(last, w.deps)).rejects.toThrow('SNS unavailable');
    const again = await deliver(last, w.deps);
    await deliver(last, w.deps);

    expect(again.outcome).toBe('exhausted');
    // Reported as the disable again, so the handler counts the metric the alarm watches and logs it.
    expect(again.disabled?.id).toBe('wh_a');
    expect(w.endpoint.calls).toHaveLength(1);
    expect(w.products.events).toHaveLength(2);
    expect(new Set(w.products.events.map((e) => e.id)).size).toBe(1);
    expect(w.products.events[0]?.reason).toContain(last.messageId);
  });

  it('does not disable a webhook that answered 2xx since the failing delivery began', async () => {
    const w = await world([{ ok: false, httpStatus: 500 }], [0, 60]);
    await w.fanOut();
    await w.next();
    await w.store.succeeded('wh_a', new Date(START.getTime() + 30_000));

    const effects = await w.next();

    expect(effects).toEqual({ outcome: 'exhausted' });
    expect((await w.store.get('wh_a'))?.status).toBe('enabled');
    expect(w.products.events).toEqual([]);
  });

  it('drops, unsent, the pending deliveries of a disabled or deleted webhook', async () => {
    const w = await world([{ ok: false, httpStatus: 500 }]);
    await w.fanOut();
    await w.next();
    await w.store.disable('wh_a', 'by hand', START, START);

    expect((await w.next()).outcome).toBe('dropped');
    expect((await w.store.listDeliveries('wh_a', 1)).items[0]?.status).toBe('dropped');
    await w.store.delete('wh_a');
    await w.fanOut();
    expect(w.queue.sent).toHaveLength(0);
    expect(w.endpoint.calls).toHaveLength(1);
  });

  it('makes one attempt of a test delivery, even to a disabled webhook, and never disables for it', async () => {
    const w = await world([{ ok: false, httpStatus: 500 }]);
    await w.store.disable('wh_a', 'by hand', START, START);
    await w.queue.enqueue(
      {
        kind: 'webhook_delivery',
        webhookId: 'wh_a',
        messageId: 'msg_t',
        eventId: 't',
        eventType: 'test',
        payload: '{}',
        attempt: 1,
        firstAttemptAt: START.toISOString(),
        test: true,
      },
      0,
    );

    expect((await w.next()).outcome).toBe('test_failed');
    expect(w.queue.sent).toHaveLength(0);
    expect(w.products.events).toEqual([]);
  });
});

describe('webhooks queue messages', () => {
  it('reads a product event from its SNS envelope and a delivery as itself', () => {
    const envelope = JSON.stringify({ Type: 'Notification', MessageId: 'm', Message: JSON.stringify(EVENT) });
    const delivery = {
      kind: 'webhook_delivery',
      webhookId: 'wh_a',
      messageId: 'msg_1',
      eventId: 'e',
      eventType: 'bounced',
      payload: '{}',
      attempt: 2,
      firstAttemptAt: START.toISOString(),
    };

    expect(parseWebhookWork(envelope)).toEqual({ kind: 'event', event: EVENT });
    expect(parseWebhookWork(JSON.stringify(delivery))).toEqual({ kind: 'delivery', delivery });
    expect(() => parseWebhookWork('{"Type":"Notification","Message":"{}"}')).toThrow();
  });
});

describe('the webhooks queue adapter', () => {
  it('never delays a message as long as the OldestMessage alarm age, nor beyond what SQS allows', async () => {
    const sqs = mockClient(SQSClient);
    sqs.on(SendMessageCommand).resolves({});
    const queue = new SqsDeliveryQueue('https://sqs.eu-west-1.amazonaws.com/123456789012/webhooks');
    const message = {
      kind: 'webhook_delivery' as const,
      webhookId: 'wh_a',
      messageId: 'msg_1',
      eventId: 'e',
      eventType: 'bounced',
      payload: '{}',
      attempt: 4,
      firstAttemptAt: START.toISOString(),
    };

    await queue.enqueue(message, 36_000);
    await queue.enqueue(message, 4.2);

    const delays = sqs.commandCalls(SendMessageCommand).map((call) => call.args[0].input.DelaySeconds);
    expect(delays).toEqual([LONGEST_ROUND_SECONDS, 5]);
    expect(LONGEST_ROUND_SECONDS).toBeLessThan(OLDEST_MESSAGE_ALARM_MINUTES * 60);
    sqs.restore();
  });
});
