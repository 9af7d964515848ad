import type { SQSRecord } from 'aws-lambda';
import { type BatchDeps, processBatch, SEND_BUDGET_MS } from '../../lambdas/sender/process-batch';
import { deliver, type RecordOutcome } from '../../lambdas/shared/domain/delivery';
import type { Clock } from '../../lambdas/shared/domain/pacer';
import { Pacer } from '../../lambdas/shared/domain/pacer';
import { aQueuedMessage, NOW, queueBody } from './support/factories';
import { InMemoryMessages, RecordingQueue, ScriptedMailer } from './support/in-memory';

class ManualClock implements Clock {
  time = 0;
  now = () => this.time;
  sleep = async (ms: number) => {
    this.time += ms;
  };
}

const record = (messageId: string, body = queueBody(messageId)): SQSRecord =>
  ({ messageId: `sqs-${messageId}`, body }) as SQSRecord;

async function setup(count: number, { rate = 10, deadlineMs = 60_000 } = {}) {
  const claims = new InMemoryMessages();
  for (let i = 0; i < count; i++) await claims.create(aQueuedMessage({ id: `m${i}` }));
  const clock = new ManualClock();
  const mailer = new ScriptedMailer();
  const queue = new RecordingQueue();
  const outcomes: string[] = [];
  const deps: BatchDeps<RecordOutcome> = {
    deliver: (body, onThrottle) =>
      deliver(body, { claims, mailer, requeue: queue, now: () => NOW, onThrottle }),
    requeue: queue,
    pacer: new Pacer(1, clock),
    clock,
    currentRate: async () => rate,
    deadline: deadlineMs,
    onOutcome: (o) => outcomes.push(o),
    onError: () => outcomes.push('error'),
  };
  return { deps, claims, queue, outcomes };
}

describe('processBatch', () => {
  it('sends every record once, paced to the current rate', async () => {
    const { deps, claims } = await setup(10, { rate: 5 });
    const records = Array.from({ length: 10 }, (_, i) => record(`m${i}`));
    const response = await processBatch(records, deps);
    expect(response.batchItemFailures).toEqual([]);
    expect([...claims.items.values()].every((m) => m.status === 'sent')).toBe(true);
    // 10 sends at 5/s: the last slot comes about 1.8 s after the first, not all at once.
    expect(deps.clock.now()).toBeGreaterThanOrEqual(1800);
  });

  it('reports only the record that failed, so SQS retries just that one', async () => {
    const { deps, outcomes } = await setup(2);
    const response = await processBatch([record('m0'), record('bad', 'not json'), record('m1')], deps);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'sqs-bad' }]);
    expect(outcomes.filter((o) => o === 'sent')).toHaveLength(2);
  });

  it('puts back, untouched, the records it cannot send before the deadline', async () => {
    // 1 per second with 20 s left: the budget covers only a handful of sends.
    const { deps, queue, claims } = await setup(10, { rate: 1, deadlineMs: SEND_BUDGET_MS + 3_000 });
    const response = await processBatch(
      Array.from({ length: 10 }, (_, i) => record(`m${i}`)),
      deps,
    );
    const sent = [...claims.items.values()].filter((m) => m.status === 'sent').length;
    expect(response.batchItemFailures).toEqual([]);
    expect(sent).toBeGreaterThan(0);
    expect(sent + queue.requeued.length).toBe(10);
    expect(queue.requeued.every((r) => r.delaySeconds === 0)).toBe(true);
    expect([...claims.items.values()].filter((m) => m.status === 'queued')).toHaveLength(
      queue.requeued.length,
    );
  });
});
