import { z } from 'zod';
import type { Failure, StoredMessage } from './message';

/** What a queued message carries: only the id; the rendered mail lives in the messages table. */
export const queuedMessageSchema = z.strictObject({
  messageId: z.string().min(1).max(100),
});
export type QueuedMessage = z.infer<typeof queuedMessageSchema>;

/** How one SES send ended, as far as what to do next is concerned. */
export type SendResult =
  | { kind: 'accepted'; sesMessageId: string }
  /** 429: over MaxSendRate. Nothing was sent; try again shortly. */
  | { kind: 'throttled'; detail: string }
  /** The 24-hour quota is used up. Nothing was sent; try again when the window allows. */
  | { kind: 'quota_exceeded'; detail: string }
  /** SES will never take this mail as it is (rejected content, unverified address, paused account). */
  | { kind: 'rejected'; failure: Failure }
  /** Certainly not sent (the connection never reached SES): safe to try again. */
  | { kind: 'not_sent'; detail: string }
  /** SES may or may not have taken it (5xx, timeout, connection cut mid-request). */
  | { kind: 'outcome_unknown'; failure: Failure };

export type ClaimResult =
  | { claimed: true; message: StoredMessage }
  | { claimed: false; current?: StoredMessage };

/** The conditional writes that make at-least-once delivery send at most once. */
export interface MessageClaims {
  /** queued → sending, atomically; only one caller ever wins a given claim. */
  claim(id: string, now: Date): Promise<ClaimResult>;
  markSent(id: string, sesMessageId: string, now: Date): Promise<void>;
  markFailed(id: string, failure: Failure, now: Date, expectedClaimedAt?: string): Promise<void>;
  /** sending → queued, when SES certainly did not take the mail; `event` goes into the history. */
  release(id: string, event: string, now: Date): Promise<void>;
}

export interface Mailer {
  send(message: StoredMessage): Promise<SendResult>;
}

export interface Requeue {
  /** Puts a queue message back with a delay, as a new message (so it does not count as a receive). */
  requeue(body: string, delaySeconds: number): Promise<void>;
}

export type RecordOutcome = 'sent' | 'failed' | 'requeued' | 'duplicate' | 'orphan' | 'stale_claim_failed';

/** A claim older than this was left by a sender that died mid-send (the function timeout is 60 s). */
export const STALE_CLAIM_MS = 5 * 60_000;
export const MAX_QUEUE_DELAY_SECONDS = 900;

export interface DeliveryDeps {
  claims: MessageClaims;
  mailer: Mailer;
  requeue: Requeue;
  now: () => Date;
  onThrottle: () => void;
}

/**
 * Sends the message behind one queue record, once. The order matters:
 * claim (conditional) → send → record the outcome. A redelivered record loses the claim and sends
 * nothing. SES's answer decides what follows: accepted → sent; throttled, over quota or never
 * reached → released and re-queued with a delay (neither failed nor lost, and not a receive that
 * pushes it toward the DLQ); rejected → failed with SES's reason; unknown → failed, not retried,
 * because retrying could mail the recipient twice.
 */
export async function deliver(body: string, deps: DeliveryDeps): Promise<RecordOutcome> {
  const { messageId } = queuedMessageSchema.parse(JSON.parse(body));
  const claim = await deps.claims.claim(messageId, deps.now());
  if (!claim.claimed) return handleUnclaimed(messageId, claim.current, deps);

  const result = await deps.mailer.send(claim.message);
  const now = deps.now();
  switch (result.kind) {
    case 'accepted':
      await deps.claims.markSent(messageId, result.sesMessageId, now);
      return 'sent';
    case 'rejected':
      await deps.claims.markFailed(messageId, result.failure, now);
      return 'failed';
    case 'outcome_unknown':
      await deps.claims.markFailed(messageId, result.failure, now);
      return 'failed';
    case 'throttled':
      deps.onThrottle();
      await deps.claims.release(messageId, 'throttled', now);
      await deps.requeue.requeue(body, retryDelaySeconds(claim.message.attempts));
      return 'requeued';
    case 'quota_exceeded':
      await deps.claims.release(messageId, 'daily_quota_exceeded', now);
      await deps.requeue.requeue(body, MAX_QUEUE_DELAY_SECONDS);
      return 'requeued';
    case 'not_sent':
      await deps.claims.release(messageId, 'not_sent', now);
      await deps.requeue.requeue(body, retryDelaySeconds(claim.message.attempts));
      return 'requeued';
  }
}

async function handleUnclaimed(
  messageId: string,
  current: StoredMessage | undefined,
  deps: DeliveryDeps,
): Promise<RecordOutcome> {
  if (!current) return 'orphan';
  if (current.status === 'sending' && current.claimedAt) {
    const age = deps.now().getTime() - Date.parse(current.claimedAt);
    if (age > STALE_CLAIM_MS) {
      await deps.claims.markFailed(
        messageId,
        {
          code: 'OutcomeUnknown',
          message:
            'The sender stopped after claiming this message; SES may or may not have sent it, so it is not retried',
        },
        deps.now(),
        current.claimedAt,
      );
      return 'stale_claim_failed';
    }
  }
  return 'duplicate';
}

/** 1, 2, 4 … seconds with jitter, capped at SQS's 15 minutes. */
export function retryDelaySeconds(attempts: number, random: () => number = Math.random): number {
  const base = 2 ** Math.max(0, Math.min(attempts - 1, 9));
  return Math.min(MAX_QUEUE_DELAY_SECONDS, Math.ceil(base * (1 + random())));
}
