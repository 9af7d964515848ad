import type { SQSRecord } from 'aws-lambda';
import { deliver } from '../../lambdas/emails/delivery';
import {
  type BatchDeps,
  CLAIM_LEAD_MS,
  processBatch,
  SEND_BUDGET_MS,
  THROTTLE_HOLD_MS,
} from '../../lambdas/sending/process-batch';
import { BULK_LOOKAHEAD_MS, slotSpacingMs } from '../../lambdas/sending/send-schedule';
import { aQueuedMessage, NOW, queueBody } from './support/factories';
import { InMemoryMessages, InMemorySendSchedule, RecordingQueue, ScriptedMailer } from './support/in-memory';
import { maxInAnyWindow } from './support/send-windows';
import { VirtualClock } from './support/virtual-clock';

const record = (messageId: string, body = queueBody(messageId)): SQSRecord =>
  ({ messageId: `sqs-${messageId}`, body }) as SQSRecord;
const records = (prefix: string, count: number) =>
  Array.from({ length: count }, (_, i) => record(`${prefix}${i}`));

type Stream = 'transactional' | 'bulk';

/** The transactional delivery itself (claim, send, record) over in-memory claims and an accepting SES. */
const realDelivery =
  (claims: InMemoryMessages): BatchDeps<string>['deliver'] =>
  (body, slot) =>
    deliver(body, {
      claims,
      mailer: new ScriptedMailer(),
      requeue: new RecordingQueue(),
      now: () => NOW,
      slot,
    });

/**
 * Several senders (transactional and bulk batches, as many containers would run them) on one
 * shared schedule and one virtual clock; `deliver` only notes when each send went to SES.
 */
function world(rate: number) {
  const clock = new VirtualClock();
  const schedule = new InMemorySendSchedule();
  const queue = new RecordingQueue();
  const sends: { stream: Stream; body: string; at: number }[] = [];
  const batch = (stream: Stream, batchRecords: SQSRecord[], overrides: Partial<BatchDeps<string>> = {}) =>
    processBatch(batchRecords, {
      schedule,
      clock,
      requeue: queue,
      currentRate: async () => rate,
      lookaheadMs: stream === 'bulk' ? BULK_LOOKAHEAD_MS : Number.POSITIVE_INFINITY,
      deadline: clock.now() + 60_000,
      deliver: async (body, slot) => {
        await slot.untilSlot();
        sends.push({ stream, body, at: clock.now() });
        return 'sent';
      },
      onOutcome: () => {},
      onError: () => {},
      onHoldFailed: () => {},
      ...overrides,
    });
  return { clock, schedule, queue, sends, batch };
}

describe('processBatch on the shared send schedule', () => {
  it('sends every record once, each on its own slot, at the rate', async () => {
    const claims = new InMemoryMessages();
    for (let i = 0; i < 10; i++) await claims.create(aQueuedMessage({ id: `m${i}` }));
    const { clock, batch } = world(5);
    const response = await clock.run(
      batch('transactional', records('m', 10), {
        deliver: realDelivery(claims),
      }),
    );
    expect(response.batchItemFailures).toEqual([]);
    expect([...claims.items.values()].every((m) => m.status === 'sent')).toBe(true);
    // 10 sends at 5/s: the last slot comes about 1.8 s after the first, not all at once.
    expect(clock.now()).toBeGreaterThanOrEqual(1800);
  });

  it.each([1, 14, 100])(
    'keeps both streams and every sender together within %i/s over any second, and uses the rate',
    async (rate) => {
      const { clock, sends, batch } = world(rate);
      const perBatch = 10;
      const work: Promise<unknown>[] = [];
      // Three bulk senders draining a campaign, two transactional senders, and OTPs arriving late.
      for (let b = 0; b < Math.max(3, rate); b++) work.push(batch('bulk', records(`b${b}-`, perBatch)));
      for (let t = 0; t < 2; t++) work.push(batch('transactional', records(`t${t}-`, 3)));
      work.push(clock.sleep(700).then(() => batch('transactional', records('late-', 2))));
      await clock.run(Promise.all(work));

      const times = sends.map((s) => s.at);
      expect(new Set(sends.map((s) => s.body)).size).toBe(sends.length);
      expect(maxInAnyWindow(times)).toBeLessThanOrEqual(rate);
      const achieved = (times.length - 1) / ((Math.max(...times) - Math.min(...times)) / 1000);
      expect(achieved).toBeGreaterThanOrEqual(rate * 0.98);
    },
  );

  it('gives an OTP a slot at once ahead of a campaign that keeps the rate busy (transactional first)', async () => {
    const rate = 14;
    const { clock, sends, batch } = world(rate);
    const campaign = Array.from({ length: 6 }, (_, b) => batch('bulk', records(`b${b}-`, 10)));
    const otp = clock.sleep(1_000).then(() => batch('transactional', [record('otp')]));
    await clock.run(Promise.all([...campaign, otp]));

    const otpAt = sends.find((s) => s.body === queueBody('otp'))?.at ?? Number.NaN;
    const spacing = slotSpacingMs(rate);
    // Bulk never books further ahead than its lookahead plus the chunk it booked last.
    const chunk = Math.max(1, Math.floor(BULK_LOOKAHEAD_MS / spacing));
    expect(otpAt - 1_000).toBeLessThanOrEqual(BULK_LOOKAHEAD_MS + chunk * spacing);
    // The campaign was sending before and after it: the OTP did not wait for a pause in bulk mail.
    expect(sends.some((s) => s.stream === 'bulk' && s.at > otpAt)).toBe(true);
    expect(sends.some((s) => s.stream === 'bulk' && s.at < otpAt && s.at > 500)).toBe(true);
  });

  it('lets bulk mail take the whole rate while transactional mail is quiet', async () => {
    const { clock, sends, batch } = world(14);
    await clock.run(Promise.all([batch('bulk', records('a', 10)), batch('bulk', records('b', 10))]));
    const times = sends.map((s) => s.at);
    const achieved = (times.length - 1) / ((Math.max(...times) - Math.min(...times)) / 1000);
    expect(achieved).toBeGreaterThanOrEqual(14 * 0.98);
  });

  it('starts each delivery (its claim) shortly before its slot, not when the batch booked it', async () => {
    const { clock, batch } = world(1);
    const startedAt: number[] = [];
    const sentAt: number[] = [];
    await clock.run(
      batch('transactional', records('m', 5), {
        deliver: async (_, slot) => {
          startedAt.push(clock.now());
          await slot.untilSlot();
          sentAt.push(clock.now());
          return 'sent';
        },
      }),
    );
    // Slots 1.01 s apart, booked at once; each claim comes at most CLAIM_LEAD_MS before its send.
    expect(sentAt).toHaveLength(5);
    sentAt.forEach((at, i) => {
      expect(at - (startedAt[i] ?? 0)).toBeLessThanOrEqual(CLAIM_LEAD_MS);
    });
    expect(sentAt[4]).toBeCloseTo(4 * slotSpacingMs(1), 5);
  });

  it('holds the schedule back after a throttle', async () => {
    const { clock, sends, batch } = world(100);
    const throttled = batch('transactional', [record('first')], {
      deliver: async (body, slot) => {
        await slot.untilSlot();
        sends.push({ stream: 'transactional', body, at: clock.now() });
        slot.onThrottle();
        return 'requeued';
      },
    });
    const next = clock.sleep(1).then(() => batch('transactional', [record('second')]));
    await clock.run(Promise.all([throttled, next]));
    // Without the hold the second send would have had the next slot, 10 ms after the first.
    const second = sends.find((s) => s.body === queueBody('second'));
    expect(second?.at).toBeGreaterThanOrEqual(THROTTLE_HOLD_MS);
  });

  it('holds a busy schedule back behind what is already booked', async () => {
    const { clock, sends, schedule, batch } = world(100);
    // Ten slots booked (0 to 90.9 ms) when the first of them is throttled.
    const throttled = batch('transactional', records('busy', 10), {
      deliver: async (body, slot) => {
        await slot.untilSlot();
        sends.push({ stream: 'transactional', body, at: clock.now() });
        if (body === queueBody('busy0')) slot.onThrottle();
        return 'sent';
      },
    });
    const next = clock.sleep(1).then(() => batch('transactional', [record('after')]));
    await clock.run(Promise.all([throttled, next]));
    const after = sends.find((s) => s.body === queueBody('after'));
    expect(after?.at).toBeCloseTo(10 * slotSpacingMs(100) + THROTTLE_HOLD_MS, 5);
    expect(schedule.nextFreeAt).toBeCloseTo(11 * slotSpacingMs(100) + THROTTLE_HOLD_MS, 5);
  });

  it('reports only the record that failed, so SQS retries just that one', async () => {
    const claims = new InMemoryMessages();
    for (let i = 0; i < 2; i++) await claims.create(aQueuedMessage({ id: `m${i}` }));
    const { clock, batch } = world(10);
    const outcomes: string[] = [];
    const response = await clock.run(
      batch('transactional', [record('m0'), record('bad', 'not json'), record('m1')], {
        deliver: realDelivery(claims),
        onOutcome: (o) => outcomes.push(o),
      }),
    );
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'sqs-bad' }]);
    expect(outcomes.filter((o) => o === 'sent')).toHaveLength(2);
  });

  it('puts back, untouched, the records it cannot start before the deadline', async () => {
    // 1 per second with 18 s left: the budget covers only a handful of sends.
    const { clock, sends, queue, batch } = world(1);
    const response = await clock.run(
      batch('transactional', records('m', 10), { deadline: SEND_BUDGET_MS + 3_000 }),
    );
    expect(response.batchItemFailures).toEqual([]);
    expect(sends.length).toBeGreaterThan(0);
    expect(sends.length + queue.requeued.length).toBe(10);
    // Back on the queue until about when the schedule has room again (this batch booked it).
    expect(queue.requeued.every((r) => r.delaySeconds <= 3)).toBe(true);
    // Nothing was sent after the last moment a send could still finish.
    expect(Math.max(...sends.map((s) => s.at))).toBeLessThanOrEqual(3_000);
  });

  it('puts the batch back until the schedule comes in reach when it is booked past the invocation', async () => {
    const { clock, sends, queue, schedule, batch } = world(14);
    // Say a burst of transactional mail has booked the next two minutes.
    schedule.nextFreeAt = 120_000;
    const response = await clock.run(batch('transactional', records('m', 2)));
    expect(response.batchItemFailures).toEqual([]);
    expect(sends).toEqual([]);
    expect(queue.requeued).toHaveLength(2);
    // Back when the free slot is within an invocation's reach (about 45 s ahead), not at once.
    for (const { delaySeconds } of queue.requeued) {
      expect(delaySeconds).toBeGreaterThanOrEqual(70);
      expect(delaySeconds).toBeLessThanOrEqual(80);
    }
  });

  it('puts bulk mail back rather than idle for long while transactional mail has the schedule', async () => {
    const { clock, sends, queue, schedule, batch } = world(14);
    schedule.nextFreeAt = 20_000;
    await clock.run(batch('bulk', records('m', 3)));
    expect(sends).toEqual([]);
    expect(clock.now()).toBe(0);
    expect(queue.requeued.map((r) => r.delaySeconds)).toEqual([20, 20, 20]);
  });

  it('leaves the records to SQS when the schedule cannot be reached', async () => {
    const { clock, sends, schedule, batch } = world(14);
    schedule.failNext = true;
    const errors: unknown[] = [];
    const response = await clock.run(
      batch('bulk', records('m', 3), { onError: (error) => errors.push(error) }),
    );
    expect(sends).toEqual([]);
    expect(response.batchItemFailures).toHaveLength(3);
    expect(errors).toHaveLength(3);
  });

  it('waits for its own slot rather than sending early when bulk mail has booked ahead', async () => {
    const { clock, sends, schedule, batch } = world(10);
    schedule.nextFreeAt = 3_000;
    await clock.run(batch('bulk', records('m', 1)));
    // Bulk books nothing until the free slot is within its lookahead, then sends on it.
    expect(sends[0]?.at).toBe(3_000);
    expect(schedule.reservations).toBe(1);
  });
});

describe('slotSpacingMs', () => {
  it('spaces slots evenly with 1 % headroom', () => {
    expect(slotSpacingMs(10)).toBeCloseTo(101);
    expect(slotSpacingMs(1000)).toBeCloseTo(1.01);
  });

  it('refuses a rate that is not a positive number', () => {
    expect(() => slotSpacingMs(0)).toThrow(RangeError);
    expect(() => slotSpacingMs(Number.NaN)).toThrow(RangeError);
  });
});
