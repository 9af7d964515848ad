import type { SQSRecord } from 'aws-lambda';
import { processBatch } from '../../lambdas/sending/process-batch';
import {
  BULK_LOOKAHEAD_MS,
  LANE_RATE,
  LanedSendSchedule,
  scheduleLanes,
  slotSpacingMs,
} from '../../lambdas/sending/send-schedule';
import { InMemorySendSchedule, RecordingQueue } from './support/in-memory';
import { maxInAnyWindow } from './support/send-windows';
import { VirtualClock } from './support/virtual-clock';

const records = (prefix: string, count: number) =>
  Array.from(
    { length: count },
    (_, i) => ({ messageId: `${prefix}${i}`, body: `${prefix}${i}` }) as SQSRecord,
  );

/** A deterministic stand-in for Math.random. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

/**
 * `senders` containers, each with its own view of the schedule (a LanedSendSchedule of its own) over
 * the same lanes, each draining bulk batches of 10 back to back with an SQS receive between them.
 * `dies` names a sender that stops half-way through one batch: the rest of its booking is never sent.
 */
async function drain(
  rate: number,
  senders: number,
  batchesEach: number,
  dies?: { sender: number; batch: number },
) {
  const clock = new VirtualClock();
  const lanes = new Map<number, InMemorySendSchedule>();
  const lane = (n: number) => {
    const existing = lanes.get(n) ?? new InMemorySendSchedule();
    lanes.set(n, existing);
    return existing;
  };
  const sends: number[] = [];
  let unsent = 0;
  const sender = async (s: number) => {
    const schedule = new LanedSendSchedule(lane, seeded(s + 1));
    for (let b = 0; b < batchesEach; b++) {
      const dying = dies?.sender === s && dies.batch === b;
      let started = 0;
      await processBatch(records(`s${s}b${b}-`, 10), {
        schedule,
        clock,
        requeue: new RecordingQueue(),
        currentRate: async () => rate,
        lookaheadMs: BULK_LOOKAHEAD_MS,
        deadline: clock.now() + 60_000,
        deliver: async (_, slot) => {
          if (dying && started++ >= 5) {
            unsent++;
            return 'sent';
          }
          await slot.untilSlot();
          sends.push(clock.now());
          return 'sent';
        },
        onOutcome: () => {},
        onError: (error) => {
          throw error;
        },
        onHoldFailed: () => {},
      });
      if (dying) return;
      // The next SQS receive.
      await clock.sleep(20);
    }
  };
  await clock.run(Promise.all(Array.from({ length: senders }, (_, s) => sender(s))));
  return { sends, lanes, unsent };
}

/** Mails a second in steady state: leaving out the first and last 200 ms (senders starting, finishing). */
function achieved(times: number[]): number {
  const from = Math.min(...times) + 200;
  const to = Math.max(...times) - 200;
  return times.filter((t) => t >= from && t < to).length / ((to - from) / 1000);
}

/**
 * Thousands of sends in virtual time: a few seconds of CPU on a busy machine. A limit, not a
 * timed assertion: nothing here depends on how fast it runs.
 */
const HEAVY_MS = 60_000;

describe('the send schedule in lanes (issue 14, scale)', () => {
  it('is one schedule up to LANE_RATE, then one lane more per LANE_RATE', () => {
    expect(scheduleLanes(1)).toBe(1);
    expect(scheduleLanes(1_000)).toBe(1);
    expect(scheduleLanes(LANE_RATE)).toBe(1);
    expect(scheduleLanes(LANE_RATE + 1)).toBe(2);
    expect(scheduleLanes(10_000)).toBe(3);
  });

  it('never has more lanes than the 1 % headroom can absorb (each lane adds at most one slot a second)', () => {
    for (let rate = 1; rate <= 200_000; rate += rate < 10_000 ? 1 : 97) {
      const lanes = scheduleLanes(rate);
      // Any second holds at most rate/1.01 + lanes slots of all lanes together (send-schedule.ts).
      if (lanes > 1) expect(rate / 1.01 + lanes).toBeLessThanOrEqual(rate);
    }
  });

  it('books on lane 0 only below LANE_RATE, exactly as the one shared schedule did', async () => {
    const asked: number[] = [];
    const only = new InMemorySendSchedule();
    const schedule = new LanedSendSchedule((n) => {
      asked.push(n);
      return only;
    });
    for (let i = 0; i < 5; i++)
      await schedule.reserve({
        count: 10,
        spacingMs: 10,
        now: 0,
        latestStart: Number.POSITIVE_INFINITY,
        lanes: 1,
      });
    await schedule.hold(100, 0);
    expect(asked).toEqual([0]);
    expect(only.reservations).toBe(5);
  });

  it('tries the other lanes before refusing a bulk booking, and says when the soonest frees', async () => {
    const lanes = [new InMemorySendSchedule(), new InMemorySendSchedule()];
    (lanes[0] as InMemorySendSchedule).nextFreeAt = 5_000;
    (lanes[1] as InMemorySendSchedule).nextFreeAt = 50;
    const schedule = new LanedSendSchedule(
      (n) => lanes[n] as InMemorySendSchedule,
      () => 0,
    );
    const request = { count: 10, spacingMs: 1, now: 0, latestStart: 100, lanes: 2 };

    expect(await schedule.reserve(request)).toEqual({ granted: true, firstAt: 50 });
    (lanes[1] as InMemorySendSchedule).nextFreeAt = 9_000;
    expect(await schedule.reserve(request)).toEqual({ granted: false, nextFreeAt: 5_000 });
  });

  it('holds every lane in use after a throttle', async () => {
    const lanes = [new InMemorySendSchedule(), new InMemorySendSchedule(), new InMemorySendSchedule()];
    const schedule = new LanedSendSchedule((n) => lanes[n] as InMemorySendSchedule);
    await schedule.reserve({
      count: 1,
      spacingMs: 1,
      now: 0,
      latestStart: Number.POSITIVE_INFINITY,
      lanes: 3,
    });
    await schedule.hold(100, 10);
    expect(lanes.map((l) => l.nextFreeAt ?? 0).every((at) => at >= 110)).toBe(true);
  });

  it(
    'keeps 30 racing senders within 10,000/s over any second, uses the rate, and spreads the bookings',
    async () => {
      const rate = 10_000;
      const { sends, lanes } = await drain(rate, 30, 30);

      expect(sends).toHaveLength(30 * 30 * 10);
      expect(maxInAnyWindow(sends)).toBeLessThanOrEqual(rate);
      expect(achieved(sends)).toBeGreaterThanOrEqual(rate * 0.98);
      // Three lanes, each booked about a third of the time: well under 1,000 writes a second each.
      expect(lanes.size).toBe(3);
      const seconds = (Math.max(...sends) - Math.min(...sends)) / 1000;
      for (const lane of lanes.values()) {
        expect(lane.reservations / seconds).toBeLessThan(500);
        expect(lane.reservations).toBeGreaterThan(0.25 * 30 * 30);
      }
    },
    HEAVY_MS,
  );

  it(
    'loses at most the rest of one booking when a sender dies half-way through its batch',
    async () => {
      const rate = 10_000;
      const all = await drain(rate, 30, 16);
      const { sends, unsent } = await drain(rate, 30, 16, { sender: 7, batch: 3 });

      // Its 5 unsent slots passed unused; nobody else lost a slot or sent out of turn.
      expect(unsent).toBe(5);
      expect(all.sends.length - sends.length).toBe(12 * 10 + 5);
      expect(maxInAnyWindow(sends)).toBeLessThanOrEqual(rate);
      expect(achieved(sends)).toBeGreaterThanOrEqual(rate * 0.98);
    },
    HEAVY_MS,
  );

  it('gives a lane slots spaced lanes × the account spacing', async () => {
    const clock = new VirtualClock();
    const lanes = new Map<number, InMemorySendSchedule>();
    const schedule = new LanedSendSchedule((n) => {
      const lane = new InMemorySendSchedule();
      lanes.set(n, lane);
      return lane;
    });
    const sends: number[] = [];
    await clock.run(
      processBatch(records('one', 10), {
        schedule,
        clock,
        requeue: new RecordingQueue(),
        currentRate: async () => 10_000,
        lookaheadMs: Number.POSITIVE_INFINITY,
        deadline: 60_000,
        deliver: async (_, slot) => {
          await slot.untilSlot();
          sends.push(clock.now());
          return 'sent';
        },
        onOutcome: () => {},
        onError: () => {},
        onHoldFailed: () => {},
      }),
    );
    const gaps = sends.slice(1).map((at, i) => at - (sends[i] ?? 0));
    for (const gap of gaps) expect(gap).toBeCloseTo(3 * slotSpacingMs(10_000), 6);
  });
});
