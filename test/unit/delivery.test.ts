import { type DeliveryDeps, deliver } from '../../lambdas/emails/delivery';
import { STALE_CLAIM_MS } from '../../lambdas/sending/claim-and-settle';
import type { SendResult } from '../../lambdas/sending/ports';
import { retryDelaySeconds, throttleRetryDelaySeconds } from '../../lambdas/sending/retry';
import { aQueuedMessage, aSlotNow, NOW, queueBody } from './support/factories';
import { InMemoryMessages, RecordingQueue, ScriptedMailer } from './support/in-memory';

async function setup(script: SendResult[] = [], message = aQueuedMessage()) {
  const claims = new InMemoryMessages();
  await claims.create(message);
  const mailer = new ScriptedMailer(script);
  const requeue = new RecordingQueue();
  let throttles = 0;
  const deps: DeliveryDeps = { claims, mailer, requeue, now: () => NOW, slot: aSlotNow(() => throttles++) };
  return { deps, claims, mailer, requeue, throttles: () => throttles };
}

describe('deliver', () => {
  it('sends a queued message and records the SES message id', async () => {
    const { deps, claims, mailer } = await setup();
    await expect(deliver(queueBody(), deps)).resolves.toBe('sent');
    expect(mailer.sent).toHaveLength(1);
    expect(claims.items.get('msg-1')).toMatchObject({ status: 'sent', sesMessageId: 'ses-1', attempts: 1 });
  });

  it('sends nothing when SQS delivers the same record again', async () => {
    const { deps, mailer } = await setup();
    await deliver(queueBody(), deps);
    await expect(deliver(queueBody(), deps)).resolves.toBe('duplicate');
    expect(mailer.sent).toHaveLength(1);
  });

  it('puts a throttled message back on the queue, neither failed nor lost, backing off from the second throttle', async () => {
    const { deps, claims, requeue, throttles } = await setup([
      { kind: 'throttled', detail: '429' },
      { kind: 'throttled', detail: '429' },
    ]);
    await expect(deliver(queueBody(), deps)).resolves.toBe('requeued');
    expect(claims.items.get('msg-1')?.status).toBe('queued');
    // The first at once: the schedule was held back, so the retry gets a later slot anyway.
    expect(requeue.requeued).toEqual([{ body: queueBody(), delaySeconds: 0 }]);
    await expect(deliver(queueBody(), deps)).resolves.toBe('requeued');
    expect(requeue.requeued[1]?.delaySeconds).toBeGreaterThanOrEqual(1);
    expect(throttles()).toBe(2);
    // The re-queued record is then sent normally.
    await expect(deliver(queueBody(), deps)).resolves.toBe('sent');
  });

  it('waits for the daily quota window when SES says the quota is used up', async () => {
    const { deps, requeue } = await setup([{ kind: 'quota_exceeded', detail: 'LimitExceeded' }]);
    await deliver(queueBody(), deps);
    expect(requeue.requeued[0]?.delaySeconds).toBe(900);
  });

  it('fails a rejected message with the SES reason and does not retry it', async () => {
    const failure = { code: 'MessageRejected', message: 'Email address is not verified.' };
    const { deps, claims, requeue } = await setup([{ kind: 'rejected', failure }]);
    await expect(deliver(queueBody(), deps)).resolves.toBe('failed');
    expect(claims.items.get('msg-1')).toMatchObject({ status: 'failed', failure });
    expect(requeue.requeued).toEqual([]);
  });

  it('does not retry when SES may already have sent the mail', async () => {
    const failure = { code: 'OutcomeUnknown', message: '503' };
    const { deps, claims, requeue } = await setup([{ kind: 'outcome_unknown', failure }]);
    await deliver(queueBody(), deps);
    expect(claims.items.get('msg-1')?.status).toBe('failed');
    expect(requeue.requeued).toEqual([]);
  });

  it('retries a send that never reached SES', async () => {
    const { deps, claims, requeue } = await setup([{ kind: 'not_sent', detail: 'ECONNREFUSED' }]);
    await deliver(queueBody(), deps);
    expect(claims.items.get('msg-1')?.status).toBe('queued');
    expect(requeue.requeued).toHaveLength(1);
  });

  it('marks a claim abandoned by a crashed sender as failed, never sending it twice', async () => {
    const claimedAt = new Date(NOW.getTime() - STALE_CLAIM_MS - 1000).toISOString();
    const { deps, claims, mailer } = await setup(
      [],
      aQueuedMessage({ status: 'sending', claimedAt, attempts: 1 }),
    );
    await expect(deliver(queueBody(), deps)).resolves.toBe('stale_claim_failed');
    expect(mailer.sent).toEqual([]);
    expect(claims.items.get('msg-1')?.failure?.code).toBe('OutcomeUnknown');
  });

  it('leaves a fresh claim alone: another sender is working on it', async () => {
    const { deps, claims, mailer } = await setup(
      [],
      aQueuedMessage({ status: 'sending', claimedAt: NOW.toISOString() }),
    );
    await expect(deliver(queueBody(), deps)).resolves.toBe('duplicate');
    expect(mailer.sent).toEqual([]);
    expect(claims.items.get('msg-1')?.status).toBe('sending');
  });

  it('reports a queue record for a message that does not exist', async () => {
    const { deps } = await setup();
    await expect(deliver(queueBody('nope'), deps)).resolves.toBe('orphan');
  });

  it('throws on a record that is not a queued-message body, so it ends in the DLQ', async () => {
    const { deps } = await setup();
    await expect(deliver('not json', deps)).rejects.toThrow();
    await expect(deliver(JSON.stringify({ id: 'x' }), deps)).rejects.toThrow();
  });
});

describe('throttleRetryDelaySeconds', () => {
  it('retries a first throttle at once, then backs off like any retry', () => {
    const noJitter = () => 0;
    expect([1, 2, 3, 4].map((a) => throttleRetryDelaySeconds(a, noJitter))).toEqual([0, 1, 2, 4]);
  });
});

describe('retryDelaySeconds', () => {
  it('doubles with each attempt and stops at 15 minutes', () => {
    const noJitter = () => 0;
    expect([1, 2, 3, 4].map((a) => retryDelaySeconds(a, noJitter))).toEqual([1, 2, 4, 8]);
    expect(retryDelaySeconds(50, noJitter)).toBe(512);
    expect(retryDelaySeconds(50, () => 0.999)).toBe(900);
  });
});
