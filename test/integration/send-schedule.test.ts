import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../lambdas/platform/clients/dynamo';
import { DynamoSendSchedule } from '../../lambdas/sending/adapters/dynamo-send-schedule';
import { DynamoRateLedger } from '../../lambdas/sending/adapters/rate-ledger';
import {
  LanedSendSchedule,
  type SlotGrant,
  scheduleLanes,
  slotSpacingMs,
} from '../../lambdas/sending/send-schedule';
import { LOCAL_TABLES } from '../../local/resources';
import { startDynamo } from '../fault/support/dynamo';

let dynamoDb: { stop: () => Promise<void> };
const TABLE = LOCAL_TABLES.rateLedger.name;

beforeAll(async () => {
  dynamoDb = await startDynamo();
});

afterAll(async () => {
  await dynamoDb.stop();
});

const firstAt = (grant: SlotGrant) => {
  if (!grant.granted) throw new Error(`not granted: next free slot at ${grant.nextFreeAt}`);
  return grant.firstAt;
};

// Each test starts far beyond the previous one's bookings, on the one shared item.
let epoch = Date.now() + 1e9;
const freshStart = () => {
  epoch += 10_000_000;
  return epoch;
};

describe('DynamoSendSchedule (the send schedule every sender shares)', () => {
  it('starts an idle schedule now and books the following slots after it', async () => {
    const t0 = freshStart();
    const schedule = new DynamoSendSchedule(TABLE);
    const request = { count: 3, spacingMs: 100, latestStart: Number.POSITIVE_INFINITY };
    expect(firstAt(await schedule.reserve({ ...request, now: t0 }))).toBe(t0);
    expect(firstAt(await schedule.reserve({ ...request, now: t0 + 10 }))).toBe(t0 + 300);
  });

  it('never hands the same slot to two containers racing for it', async () => {
    const t0 = freshStart();
    const containers = Array.from({ length: 5 }, () => new DynamoSendSchedule(TABLE));
    const grants = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        (containers[i % containers.length] as DynamoSendSchedule).reserve({
          count: 2,
          spacingMs: 10,
          now: t0,
          latestStart: Number.POSITIVE_INFINITY,
        }),
      ),
    );
    const starts = grants.map(firstAt).sort((a, b) => a - b);
    // 40 reservations of 2 slots: back to back from t0, no overlap and no gap.
    expect(starts).toEqual(Array.from({ length: 40 }, (_, i) => t0 + i * 20));
  });

  it('refuses to book past latestStart and says when the next free slot comes', async () => {
    const t0 = freshStart();
    const otp = new DynamoSendSchedule(TABLE);
    const bulk = new DynamoSendSchedule(TABLE);
    // Transactional mail books two seconds ahead...
    await otp.reserve({ count: 20, spacingMs: 100, now: t0, latestStart: Number.POSITIVE_INFINITY });
    // ...so bulk mail, which only books within 200 ms, is told to come back; a container that has
    // never seen the schedule learns the truth from it.
    expect(await bulk.reserve({ count: 2, spacingMs: 100, now: t0 + 50, latestStart: t0 + 250 })).toEqual({
      granted: false,
      nextFreeAt: t0 + 2000,
    });
    expect(
      firstAt(await bulk.reserve({ count: 2, spacingMs: 100, now: t0 + 1850, latestStart: t0 + 2050 })),
    ).toBe(t0 + 2000);
  });

  it('books right up to latestStart with fractional spacings (decimal sums once made it refuse for ever)', async () => {
    const t0 = freshStart();
    const schedule = new DynamoSendSchedule(TABLE);
    const spacingMs = (1000 / 60) * 1.01;
    let end = t0;
    for (let i = 0; i < 30; i++) {
      // Each reservation may start no later than where the previous one ended, exactly.
      const start = firstAt(await schedule.reserve({ count: 5, spacingMs, now: t0, latestStart: end }));
      expect(start).toBeCloseTo(end, 2);
      end = start + 5 * spacingMs;
    }
  });

  it('does not let slots that passed unused pile up into a burst', async () => {
    const t0 = freshStart();
    const schedule = new DynamoSendSchedule(TABLE);
    const request = { count: 1, spacingMs: 100, latestStart: Number.POSITIVE_INFINITY };
    await schedule.reserve({ ...request, now: t0 });
    // Quiet for a minute: the next mail starts then, not 600 slots back.
    expect(firstAt(await schedule.reserve({ ...request, now: t0 + 60_000 }))).toBe(t0 + 60_000);
    expect(firstAt(await new DynamoSendSchedule(TABLE).reserve({ ...request, now: t0 + 60_001 }))).toBe(
      t0 + 60_100,
    );
  });

  it('holds every sender back after a throttle, behind what is booked, and throttles add up', async () => {
    const t0 = freshStart();
    const throttled = new DynamoSendSchedule(TABLE);
    const other = new DynamoSendSchedule(TABLE);
    const request = { count: 1, spacingMs: 10, latestStart: Number.POSITIVE_INFINITY };
    await other.reserve({ ...request, now: t0 });
    // A container that has never seen the schedule holds it: 100 ms after the slot already booked.
    await throttled.hold(100, t0);
    expect(firstAt(await other.reserve({ ...request, now: t0 + 1 }))).toBe(t0 + 110);
    // Busy: 50 slots booked up to t0 + 620; two throttles push what follows 200 ms further.
    await other.reserve({ count: 50, spacingMs: 10, now: t0 + 2, latestStart: Number.POSITIVE_INFINITY });
    await throttled.hold(100, t0 + 3);
    await other.hold(100, t0 + 3);
    expect(firstAt(await throttled.reserve({ ...request, now: t0 + 4 }))).toBe(t0 + 820);
    // Idle: the pause counts from now.
    await throttled.hold(100, t0 + 10_000);
    expect(firstAt(await other.reserve({ ...request, now: t0 + 10_001 }))).toBe(t0 + 10_100);
  });

  it('lives beside the rate ledger without showing up in its totals', async () => {
    const now = new Date();
    const ledger = new DynamoRateLedger(TABLE);
    await new DynamoSendSchedule(TABLE).reserve({
      count: 1,
      spacingMs: 10,
      now: now.getTime(),
      latestStart: Number.POSITIVE_INFINITY,
    });
    await ledger.report('bulk', 'worker-1', 7, now);
    expect(await ledger.current('bulk', now)).toBe(7);
    expect(await ledger.current('transactional', now)).toBe(0);
  });

  it('at 10,000/s books each lane on an item of its own, racing containers never sharing a slot', async () => {
    const t0 = freshStart();
    const rate = 10_000;
    const lanes = scheduleLanes(rate);
    const spacingMs = slotSpacingMs(rate) * lanes;
    // Six containers, each with its own view of the lanes, racing 60 bookings of a batch of 10.
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const containers = Array.from(
      { length: 6 },
      () => new LanedSendSchedule((n) => new DynamoSendSchedule(TABLE, n), random),
    );
    const booked: number[] = [];
    await Promise.all(
      Array.from({ length: 60 }, async (_, i) => {
        const container = containers[i % containers.length] as LanedSendSchedule;
        const grant = await container.reserve({
          count: 10,
          spacingMs,
          now: t0,
          latestStart: Number.POSITIVE_INFINITY,
          lanes,
        });
        booked.push(firstAt(grant));
      }),
    );

    // Every lane item moved on by whole bookings; together they hold all 60, none twice.
    const ends = await Promise.all(
      Array.from({ length: lanes }, async (_, n) => {
        const key =
          n === 0
            ? { stream: 'send-schedule', worker: 'shared' }
            : { stream: `send-schedule#${n}`, worker: 'shared' };
        const item = await dynamo.send(new GetCommand({ TableName: TABLE, Key: key, ConsistentRead: true }));
        return Number(item.Item?.nextFreeAtMicros) / 1000;
      }),
    );
    const perLane = ends.map((end) => Math.round((end - t0) / (10 * spacingMs)));
    expect(perLane.every((n) => n > 0)).toBe(true);
    expect(perLane.reduce((a, b) => a + b, 0)).toBe(60);
    // Within a lane, bookings are back to back from t0: the first slots are t0 + k × 10 slots.
    const starts = booked.sort((a, b) => a - b);
    const expected = perLane
      .flatMap((count) => Array.from({ length: count }, (_, k) => t0 + k * 10 * spacingMs))
      .sort((a, b) => a - b);
    starts.forEach((at, i) => {
      expect(at).toBeCloseTo(expected[i] ?? Number.NaN, 2);
    });
  });
});
