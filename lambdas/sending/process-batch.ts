import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import type { SendSlot } from './claim-and-settle';
import type { Requeue } from './ports';
import { MAX_QUEUE_DELAY_SECONDS } from './retry';
import { type Clock, type SendSchedule, type SlotGrant, scheduleLanes, slotSpacingMs } from './send-schedule';

/** Enough for one SES call (10 s request timeout) and the writes around it. */
export const SEND_BUDGET_MS = 15_000;
/**
 * A throttle means SES counts us faster than we think (clock jitter, or another sender in the
 * account): nothing starts for this long. Short, because the shared schedule already keeps the
 * account at its rate, and every millisecond of hold is a slot lost for both streams.
 */
export const THROTTLE_HOLD_MS = 100;

/** How long before its slot a delivery starts: enough for the claim and the rendering. */
export const CLAIM_LEAD_MS = 250;
/** Longer than this until the schedule has room, and a bulk batch goes back on the queue instead. */
const LONG_WAIT_MS = 5_000;

export interface BatchDeps<Outcome extends string> {
  /** The account's one schedule of send slots, shared by both streams and every container. */
  schedule: SendSchedule;
  clock: Clock;
  requeue: Requeue;
  /** The account's send rate, in mails per second. */
  currentRate: () => Promise<number>;
  /**
   * How far ahead of now this stream may book slots: `Infinity` for transactional mail (the next
   * free slot, wherever it is), `BULK_LOOKAHEAD_MS` for bulk mail (so it takes only what is left).
   */
  lookaheadMs: number;
  /** Epoch ms by which every record must be settled (the invocation's deadline). */
  deadline: number;
  /** Sends the mail behind one record (claim, wait for the slot, send, record). */
  deliver: (body: string, slot: SendSlot) => Promise<Outcome>;
  onOutcome: (outcome: Outcome | 'deferred') => void;
  onError: (error: unknown, record: SQSRecord) => void;
  /** A hold after a throttle could not be written; sending goes on. */
  onHoldFailed: (error: unknown) => void;
}

/**
 * Drains one SQS batch on the shared schedule: books slots (transactional mail as many as it has,
 * bulk mail a short chunk at a time and only close ahead), starts each send on its slot, and lets
 * sends overlap while SES answers, so latency never lowers the rate. Records that cannot start
 * before the deadline go back on the queue untouched; a record whose handling throws is reported
 * as a batch item failure, so SQS retries just that one (and moves it to the DLQ after the queue's
 * receive limit).
 */
export async function processBatch<Outcome extends string>(
  records: SQSRecord[],
  deps: BatchDeps<Outcome>,
): Promise<SQSBatchResponse> {
  const rate = await deps.currentRate();
  // Above LANE_RATE the schedule is split into lanes; each booking is on one, at the lane's spacing.
  const lanes = scheduleLanes(rate);
  const spacingMs = slotSpacingMs(rate) * lanes;
  // Bulk books as many slots as fit in its lookahead (at least one); transactional all it has.
  const chunk = Math.max(1, Math.floor(deps.lookaheadMs / spacingMs));
  const failures: string[] = [];
  const inFlight: Promise<void>[] = [];
  const track = (record: SQSRecord, work: Promise<Outcome | 'deferred'>) =>
    inFlight.push(
      work.then(deps.onOutcome, (error: unknown) => {
        deps.onError(error, record);
        failures.push(record.messageId);
      }),
    );
  const onThrottle = () => {
    inFlight.push(deps.schedule.hold(THROTTLE_HOLD_MS, deps.clock.now()).catch(deps.onHoldFailed));
  };
  const putBack = (rest: SQSRecord[], delaySeconds: number) => {
    for (const record of rest) {
      track(
        record,
        deps.requeue.requeue(record.body, delaySeconds).then(() => 'deferred' as const),
      );
    }
  };

  let next = 0;
  // Slots come in order: the waits for them are chained, one after another.
  let previousStart = Promise.resolve();
  let previousSlot: Promise<unknown> = Promise.resolve();
  while (next < records.length) {
    const now = deps.clock.now();
    // Every send must start early enough to finish before the deadline.
    const room = deps.deadline - SEND_BUDGET_MS - now;
    if (room < 0) {
      putBack(records.slice(next), 0);
      break;
    }
    const count = Math.min(chunk, records.length - next, Math.floor(room / spacingMs) + 1);
    const lastUsefulStart = now + room - (count - 1) * spacingMs;
    const latestStart = Math.min(now + deps.lookaheadMs, lastUsefulStart);
    let grant: SlotGrant;
    try {
      grant = await deps.schedule.reserve({ count, spacingMs, now, latestStart, lanes });
    } catch (error) {
      // Nothing of the rest was claimed: SQS delivers those records again.
      for (const record of records.slice(next)) track(record, Promise.reject(error));
      break;
    }
    if (!grant.granted) {
      if (grant.nextFreeAt > lastUsefulStart || grant.nextFreeAt - now > LONG_WAIT_MS) {
        // Booked past this invocation, or for long (transactional mail first): back on the queue
        // until the free slot comes in reach, rather than a Lambda billed for waiting.
        const reach = Math.min(deps.lookaheadMs, lastUsefulStart - now);
        putBack(records.slice(next), secondsUntil(grant.nextFreeAt - reach, now));
        break;
      }
      await deps.clock.sleep(Math.max(1, grant.nextFreeAt - deps.lookaheadMs - now));
      continue;
    }
    for (let i = 0; i < count; i++) {
      const record = records[next + i] as SQSRecord;
      const at = grant.firstAt + i * spacingMs;
      // Each delivery starts (claims, renders) shortly before its slot, not when it was booked:
      // a claim held for long by a sender that then dies would be failed as OutcomeUnknown.
      const start = previousStart.then(() =>
        deps.clock.sleep(Math.max(0, at - CLAIM_LEAD_MS - deps.clock.now())),
      );
      const ready = Promise.all([start, previousSlot]).then(() =>
        deps.clock.sleep(Math.max(0, at - deps.clock.now())),
      );
      previousStart = start;
      previousSlot = ready;
      track(
        record,
        start.then(() => deps.deliver(record.body, { untilSlot: () => ready, onThrottle })),
      );
    }
    next += count;
  }
  // A throttle's hold joins the list while the sends settle: wait until nothing is left.
  for (let waited = 0; waited < inFlight.length; ) {
    const pending = inFlight.slice(waited);
    waited = inFlight.length;
    await Promise.all(pending);
  }
  return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
}

/** Whole seconds from `now` to `at`, as an SQS delay (0 to 15 minutes). */
function secondsUntil(at: number, now: number): number {
  return Math.min(MAX_QUEUE_DELAY_SECONDS, Math.max(0, Math.ceil((at - now) / 1000)));
}
