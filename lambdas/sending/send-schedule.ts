export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** The start of the first of the slots reserved, or when the next free slot comes if none was. */
export type SlotGrant = { granted: true; firstAt: number } | { granted: false; nextFreeAt: number };

export interface SlotRequest {
  /** How many consecutive slots. */
  count: number;
  /** Milliseconds between two slots (see `slotSpacingMs`). */
  spacingMs: number;
  /** Epoch ms: no slot starts before this. */
  now: number;
  /** Epoch ms: reserve nothing unless the first slot would start by then. */
  latestStart: number;
  /**
   * Lanes the schedule is split into at this rate (`scheduleLanes`; 1 when absent). `spacingMs` is
   * then a lane's spacing: `lanes` times the account's.
   */
  lanes?: number;
}

/**
 * The one schedule of send slots that every sender of the account shares, both streams and every
 * container: "the next free slot starts at T". A reservation of n slots starts at max(T, now) and
 * moves T on by n slots, atomically, so no two senders anywhere get the same slot and the account
 * as a whole sends at one even pace — what SES counts, over any trailing second. T only ever moves
 * forward. (DynamoDB in AWS and in local mode; a plain variable in unit tests.)
 */
export interface SendSchedule {
  reserve(request: SlotRequest): Promise<SlotGrant>;
  /**
   * After a throttle: every slot not yet booked moves `holdMs` later — after what is booked when
   * the schedule is busy, after `now` when it is idle. Throttles in a row add up.
   */
  hold(holdMs: number, now: number): Promise<void>;
}

/**
 * How far ahead of now bulk mail may book slots. Transactional mail books the next free slot
 * wherever it is; bulk mail only a slot starting within this, so however busy a campaign keeps
 * the account, an OTP finds a free slot at most this (plus one short chunk of bulk slots) ahead.
 * Long enough that a bulk sender books its next slots before the previous ones have passed (one
 * DynamoDB write, a few ms in AWS, tens on a busy laptop), short enough to keep OTPs quick.
 */
export const BULK_LOOKAHEAD_MS = 100;

/**
 * Milliseconds between two slots at `ratePerSecond`. Even spacing rather than a burst-then-wait
 * window, because SES counts over any trailing second; `margin` keeps a little headroom for the
 * jitter between our clocks and SES's.
 */
export function slotSpacingMs(ratePerSecond: number, margin = 0.01): number {
  if (!(ratePerSecond > 0) || !Number.isFinite(ratePerSecond)) {
    throw new RangeError(`send rate must be a positive number, got ${ratePerSecond}`);
  }
  return (1000 / ratePerSecond) * (1 + margin);
}

/**
 * Mails a second one lane of the schedule carries at most. Each booking is one conditional write on
 * the schedule's item and takes up to 10 slots (a batch): about 0.106 writes a mail with the
 * refusals of racing senders (bench (g)), so one item would take 1,060 writes/s at 10,000 mails/s,
 * over DynamoDB's 1,000 a second on one item. At 4,000 mails/s a lane takes about 425.
 *
 * Why lanes and not blocks of slots: a block of k consecutive slots books k/rate seconds of the
 * account's time for one sender, which must then send k mails that fast. A sender holds one batch
 * of 10 (a Lambda container, one invocation at a time): the rest of a block bigger than its batch
 * would pass unused while it waits for its next batch. A lane is a schedule of its own at
 * rate/lanes, so a booking of 10 slots on it is spread over lanes × 10 of the account's slots.
 */
export const LANE_RATE = 4_000;

/**
 * How many lanes the schedule is split into at `ratePerSecond`: 1 up to LANE_RATE (one shared
 * schedule, as below that the item has room), then one more per LANE_RATE (3 at 10,000/s: about
 * 350 writes/s a lane).
 *
 * Rate adherence: each lane spaces its slots `lanes × slotSpacingMs(rate)` apart, so any second
 * holds at most rate / (lanes × 1.01) + 1 of one lane's slots, and at most rate / 1.01 + lanes of
 * all of them: within the rate while lanes ≤ rate × 0.0099 (40 at 4,000/s; the function gives 1).
 */
export function scheduleLanes(ratePerSecond: number): number {
  return Math.max(1, Math.ceil(ratePerSecond / LANE_RATE));
}

/**
 * The shared schedule split into lanes (`lane(n)` is lane n's schedule; lane 0 is the schedule as
 * it always was, the only one up to LANE_RATE). Each booking goes to one lane: the one this sender
 * last saw free soonest, lanes it has not seen yet first, ties at random so that containers spread
 * out. A bounded booking (bulk) that one lane refuses tries the others before it is refused.
 *
 * What a sender that stops wastes: the unused rest of its last booking on one lane, at most one
 * batch (10 slots) per stop, as with one schedule. A lane nobody books passes unused, as an idle
 * schedule does; it never saves slots up for a burst (an idle lane starts now).
 */
export class LanedSendSchedule implements SendSchedule {
  private readonly lanes = new Map<number, SendSchedule>();
  /** The next free slot of each lane as this sender last saw it (epoch ms). */
  private readonly known = new Map<number, number>();
  /** The lanes of the latest booking: a hold holds them all. */
  private inUse = 1;

  constructor(
    private readonly lane: (n: number) => SendSchedule,
    private readonly random: () => number = Math.random,
  ) {}

  async reserve(request: SlotRequest): Promise<SlotGrant> {
    const count = Math.max(1, Math.floor(request.lanes ?? 1));
    this.inUse = count;
    const order = Array.from({ length: count }, (_, n) => ({
      n,
      known: this.known.get(n) ?? Number.NEGATIVE_INFINITY,
      tie: this.random(),
    })).sort((a, b) => a.known - b.known || a.tie - b.tie);
    let soonest = Number.POSITIVE_INFINITY;
    for (const { n } of order) {
      const grant = await this.schedule(n).reserve(request);
      if (grant.granted) {
        this.known.set(n, grant.firstAt + request.count * request.spacingMs);
        return grant;
      }
      this.known.set(n, grant.nextFreeAt);
      soonest = Math.min(soonest, grant.nextFreeAt);
    }
    return { granted: false, nextFreeAt: soonest };
  }

  /** A throttle is the account's: every lane in use holds back. */
  async hold(holdMs: number, now: number): Promise<void> {
    await Promise.all(Array.from({ length: this.inUse }, (_, n) => this.schedule(n).hold(holdMs, now)));
  }

  private schedule(n: number): SendSchedule {
    let lane = this.lanes.get(n);
    if (!lane) {
      lane = this.lane(n);
      this.lanes.set(n, lane);
    }
    return lane;
  }
}
