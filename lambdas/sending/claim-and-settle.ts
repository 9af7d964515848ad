import { FUNCTIONS } from '../../contract/functions';
import type { OutgoingMail } from './outgoing-mail';
import type { Failure, Mailer, Requeue, SendResult } from './ports';
import { MAX_QUEUE_DELAY_SECONDS, retryDelaySeconds, throttleRetryDelaySeconds } from './retry';

/**
 * Both streams send the same way: claim the record (a conditional write; a redelivered queue record
 * loses it and sends nothing), put the mail together, wait for its slot on the shared schedule,
 * send, and settle the claim by SES's answer. The streams differ only in what they claim (a message,
 * a campaign recipient) and so in how a claim is moved on; this is the part they share.
 */

/** A mail's place on the shared send schedule. */
export interface SendSlot {
  /**
   * Resolves when the mail's slot comes. Everything before the SES call (claim, render) is done
   * first, so the call itself starts on the slot: SES counts arrivals, and a DynamoDB round trip
   * between slot and call would arrive with its jitter.
   */
  untilSlot(): Promise<void>;
  /** SES throttled the send: hold the schedule back. */
  onThrottle(): void;
}

/** What sending one queue record needs, whichever stream it is on. */
export interface SendingDeps {
  mailer: Mailer;
  /** The queue the record came from. */
  requeue: Requeue;
  slot: SendSlot;
  now: () => Date;
}

/** How a record whose mail was claimed ended. */
export type SettledOutcome = 'sent' | 'failed' | 'requeued';
/** How a record whose claim was lost ended (see `claimLost`). */
export type ClaimLostOutcome = 'duplicate' | 'orphan' | 'stale_claim_failed';

/**
 * A claim older than this was left by a sender that died mid-send: five of the sender's timeouts
 * (contract/functions.ts), so a live invocation's claim is never taken for a dead one.
 */
export const STALE_CLAIM_MS = 5 * FUNCTIONS.sender.timeoutSeconds * 1000;

/**
 * A record whose claim this sender did not win: there is nothing to send (`orphan` when the record
 * is gone, `duplicate` when it is sent, failed or claimed by a live sender), unless the claim is
 * stale. Then the sender that held it died between claim and settle, after SES may have taken the
 * mail: it is failed `OutcomeUnknown` (by `failStale`, conditional on that very claim), never
 * retried, because retrying could mail the recipient twice.
 */
export async function claimLost(
  current: { status: string; claimedAt?: string } | undefined,
  what: 'message' | 'recipient',
  now: Date,
  failStale: (failure: Failure, claimedAt: string) => Promise<void>,
): Promise<ClaimLostOutcome> {
  if (!current) return 'orphan';
  if (current.status !== 'sending' || !current.claimedAt) return 'duplicate';
  if (now.getTime() - Date.parse(current.claimedAt) <= STALE_CLAIM_MS) return 'duplicate';
  await failStale(
    {
      code: 'OutcomeUnknown',
      message: `The sender stopped after claiming this ${what}; SES may or may not have sent the mail, so it is not retried`,
    },
    current.claimedAt,
  );
  return 'stale_claim_failed';
}

/** How the holder of a claim moves it on once SES has answered. */
export interface ClaimSettlement {
  sent(sesMessageId: string): Promise<void>;
  failed(failure: Failure): Promise<void>;
  /** Gives the claim back (the mail was certainly not sent); `event` names why. */
  release(event: string): Promise<void>;
  /** Sends tried so far, for the back-off. */
  attempts: number;
  /**
   * Whether a first throttle may go back on the queue at once. Only where `attempts` really counts
   * (transactional mail): without a count, "at once" would never turn into a back-off.
   */
  firstThrottleAtOnce: boolean;
}

/**
 * Sends a claimed mail on its slot and settles the claim. The one place SES's answer becomes a next
 * step: accepted → sent; throttled, over quota or never reached → released and the queue record
 * (`body`) put back with a delay (neither failed nor lost, and not a receive that pushes it toward
 * the DLQ); rejected → failed with SES's reason; unknown → failed, not retried, because retrying
 * could mail the recipient twice.
 */
export async function sendClaimed(
  mail: OutgoingMail,
  body: string,
  deps: SendingDeps,
  claim: ClaimSettlement,
): Promise<SettledOutcome> {
  await deps.slot.untilSlot();
  const result: SendResult = await deps.mailer.send(mail);
  switch (result.kind) {
    case 'accepted':
      await claim.sent(result.sesMessageId);
      return 'sent';
    case 'rejected':
    case 'outcome_unknown':
      await claim.failed(result.failure);
      return 'failed';
    case 'throttled':
      deps.slot.onThrottle();
      await claim.release('throttled');
      await deps.requeue.requeue(
        body,
        claim.firstThrottleAtOnce
          ? throttleRetryDelaySeconds(claim.attempts)
          : retryDelaySeconds(claim.attempts),
      );
      return 'requeued';
    case 'quota_exceeded':
      await claim.release('daily_quota_exceeded');
      await deps.requeue.requeue(body, MAX_QUEUE_DELAY_SECONDS);
      return 'requeued';
    case 'not_sent':
      await claim.release('not_sent');
      await deps.requeue.requeue(body, retryDelaySeconds(claim.attempts));
      return 'requeued';
  }
}
