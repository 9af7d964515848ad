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
