import { z } from 'zod';
import type { Failure, RenderedMail, StoredMessage, Stream } from './message';

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

/** One mail as SES gets it: addressed, rendered, tagged. */
export interface OutgoingMail extends RenderedMail {
  stream: Stream;
  /** SES message tags: how every SES event is tied back to its message or campaign. */
  tags: { name: string; value: string }[];
}

export interface Mailer {
  send(mail: OutgoingMail): Promise<SendResult>;
}

export function outgoingFromMessage(message: StoredMessage): OutgoingMail {
  return {
    stream: message.stream,
    from: message.from,
    to: message.to,
    cc: message.cc,
    bcc: message.bcc,
    replyTo: message.replyTo,
    subject: message.subject,
    ...(message.html === undefined ? {} : { html: message.html }),
    ...(message.text === undefined ? {} : { text: message.text }),
    headers: message.headers,
    tags: [
      { name: 'stream', value: message.stream },
      { name: 'messageId', value: message.id },
      ...Object.entries(message.tags).map(([name, value]) => ({ name, value })),
    ],
  };
}

export interface Requeue {
  /** Puts a queue message back with a delay, as a new message (so it does not count as a receive). */
  requeue(body: string, delaySeconds: number): Promise<void>;
}

export type RecordOutcome = 'sent' | 'failed' | 'requeued' | 'duplicate' | 'orphan' | 'stale_claim_failed';

/** A claim older than this was left by a sender that died mid-send (the function timeout is 60 s). */
export const STALE_CLAIM_MS = 5 * 60_000;
export const MAX_QUEUE_DELAY_SECONDS = 900;

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

export interface DeliveryDeps {
  claims: MessageClaims;
  mailer: Mailer;
  requeue: Requeue;
  now: () => Date;
  slot: SendSlot;
}

/**
 * Sends the transactional message behind one queue record, once. The order matters: claim
 * (conditional) → wait for the slot → send → record the outcome (see `settle`). A redelivered
 * record loses the claim and sends nothing.
 */
export async function deliver(body: string, deps: DeliveryDeps): Promise<RecordOutcome> {
  const { messageId } = queuedMessageSchema.parse(JSON.parse(body));
  const claim = await deps.claims.claim(messageId, deps.now());
  if (!claim.claimed) return handleUnclaimed(messageId, claim.current, deps);

  const mail = outgoingFromMessage(claim.message);
  await deps.slot.untilSlot();
  const result = await deps.mailer.send(mail);
  return settle(result, {
    sent: (sesMessageId) => deps.claims.markSent(messageId, sesMessageId, deps.now()),
    failed: (failure) => deps.claims.markFailed(messageId, failure, deps.now()),
    release: (event) => deps.claims.release(messageId, event, deps.now()),
    requeue: (delaySeconds) => deps.requeue.requeue(body, delaySeconds),
    onThrottle: deps.slot.onThrottle,
    attempts: claim.message.attempts,
    firstThrottleAtOnce: true,
  });
}

/** What to do with a claimed mail once SES has answered, whatever holds the claim. */
export interface SettleActions {
  sent(sesMessageId: string): Promise<void>;
  failed(failure: Failure): Promise<void>;
  /** Gives the claim back (the mail was certainly not sent); `event` names why. */
  release(event: string): Promise<void>;
  requeue(delaySeconds: number): Promise<void>;
  onThrottle(): void;
  /** Sends tried so far, for the back-off. */
  attempts: number;
  /**
   * Whether a first throttle may go back on the queue at once. Only where `attempts` really counts
   * (transactional mail): without a count, "at once" would never turn into a back-off.
   */
  firstThrottleAtOnce: boolean;
}

/**
 * The one place SES's answer becomes a next step: accepted → sent; throttled, over quota or never
 * reached → released and re-queued with a delay (neither failed nor lost, and not a receive that
 * pushes it toward the DLQ); rejected → failed with SES's reason; unknown → failed, not retried,
 * because retrying could mail the recipient twice.
 */
export async function settle(
  result: SendResult,
  actions: SettleActions,
): Promise<'sent' | 'failed' | 'requeued'> {
  switch (result.kind) {
    case 'accepted':
      await actions.sent(result.sesMessageId);
      return 'sent';
    case 'rejected':
    case 'outcome_unknown':
      await actions.failed(result.failure);
      return 'failed';
    case 'throttled':
      actions.onThrottle();
      await actions.release('throttled');
      await actions.requeue(
        actions.firstThrottleAtOnce
          ? throttleRetryDelaySeconds(actions.attempts)
          : retryDelaySeconds(actions.attempts),
      );
      return 'requeued';
    case 'quota_exceeded':
      await actions.release('daily_quota_exceeded');
      await actions.requeue(MAX_QUEUE_DELAY_SECONDS);
      return 'requeued';
    case 'not_sent':
      await actions.release('not_sent');
      await actions.requeue(retryDelaySeconds(actions.attempts));
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

/**
 * A first throttle goes straight back on the queue: the shared schedule has already been held back,
 * so the retry gets a later slot anyway, and an OTP should not wait seconds for one refused send.
 * Throttles after that back off as any retry does (SES may be throttling for reasons of its own).
 */
export function throttleRetryDelaySeconds(attempts: number, random: () => number = Math.random): number {
  return attempts <= 1 ? 0 : retryDelaySeconds(attempts - 1, random);
}

/** 1, 2, 4 … seconds with jitter, capped at SQS's 15 minutes. */
export function retryDelaySeconds(attempts: number, random: () => number = Math.random): number {
  const base = 2 ** Math.max(0, Math.min(attempts - 1, 9));
  return Math.min(MAX_QUEUE_DELAY_SECONDS, Math.ceil(base * (1 + random())));
}
