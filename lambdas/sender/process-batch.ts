import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import type { Requeue } from '../shared/domain/delivery';
import type { Clock, Pacer } from '../shared/domain/pacer';

/** Enough for one SES call (10 s request timeout) and the writes around it. */
export const SEND_BUDGET_MS = 15_000;
/** A throttle means SES counts us faster than we think; leave it this long before the next slot. */
export const THROTTLE_PAUSE_MS = 1_000;

export interface BatchDeps<Outcome extends string> {
  pacer: Pacer;
  clock: Clock;
  requeue: Requeue;
  /** This sender's share of the stream's rate, in mails per second. */
  currentRate: () => Promise<number>;
  /** Epoch ms by which every record must be settled (the invocation's deadline). */
  deadline: number;
  /** Sends the mail behind one record (claim, send, record); `onThrottle` slows the pacer down. */
  deliver: (body: string, onThrottle: () => void) => Promise<Outcome>;
  onOutcome: (outcome: Outcome | 'deferred') => void;
  onError: (error: unknown, record: SQSRecord) => void;
}

/**
 * Drains one SQS batch at the paced rate. Sends start on their slots and overlap while SES answers,
 * so latency never lowers the rate. Records that cannot be sent before the deadline are put back
 * on the queue untouched; a record whose handling throws is reported as a batch item failure, so
 * SQS retries just that one (and moves it to the DLQ after the queue's receive limit).
 */
export async function processBatch<Outcome extends string>(
  records: SQSRecord[],
  deps: BatchDeps<Outcome>,
): Promise<SQSBatchResponse> {
  deps.pacer.setRate(await deps.currentRate());
  const failures: string[] = [];
  const settle = (record: SQSRecord, work: Promise<Outcome | 'deferred'>) =>
    work.then(deps.onOutcome, (error: unknown) => {
      deps.onError(error, record);
      failures.push(record.messageId);
    });
  const onThrottle = () => deps.pacer.pause(THROTTLE_PAUSE_MS);

  const inFlight: Promise<void>[] = [];
  for (const record of records) {
    const startBy = deps.clock.now() + deps.pacer.delayUntilNextSlot();
    if (startBy + SEND_BUDGET_MS > deps.deadline) {
      inFlight.push(
        settle(
          record,
          deps.requeue.requeue(record.body, 0).then(() => 'deferred' as const),
        ),
      );
      continue;
    }
    await deps.pacer.acquire();
    inFlight.push(settle(record, deps.deliver(record.body, onThrottle)));
  }
  await Promise.all(inFlight);
  return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
}
