import * as z from 'zod';
import {
  type ClaimLostOutcome,
  claimLost,
  type SendingDeps,
  type SettledOutcome,
  sendClaimed,
} from '../sending/claim-and-settle';
import { type OutgoingMail, outgoingMail } from '../sending/outgoing-mail';
import type { StoredMessage } from './message';
import type { MessageClaims } from './ports';

/** What a queued message carries: only the id; the rendered mail lives in the messages table. */
const queuedMessageSchema = z.strictObject({
  messageId: z.string().min(1).max(100),
});

export type RecordOutcome = SettledOutcome | ClaimLostOutcome;

export interface DeliveryDeps extends SendingDeps {
  claims: MessageClaims;
}

export function outgoingFromMessage(message: StoredMessage): OutgoingMail {
  return outgoingMail(message.stream, message, { name: 'messageId', value: message.id }, message.tags);
}

/**
 * Sends the transactional message behind one queue record, once. The order matters: claim
 * (conditional) → wait for the slot → send → record the outcome (see `sendClaimed`). A redelivered
 * record loses the claim and sends nothing.
 */
export async function deliver(body: string, deps: DeliveryDeps): Promise<RecordOutcome> {
  const { messageId } = queuedMessageSchema.parse(JSON.parse(body));
  const claim = await deps.claims.claim(messageId, deps.now());
  if (!claim.claimed) {
    return claimLost(claim.current, 'message', deps.now(), (failure, claimedAt) =>
      deps.claims.markFailed(messageId, failure, deps.now(), claimedAt),
    );
  }

  return sendClaimed(outgoingFromMessage(claim.message), body, deps, {
    sent: (sesMessageId) => deps.claims.markSent(messageId, sesMessageId, deps.now()),
    failed: (failure) => deps.claims.markFailed(messageId, failure, deps.now()),
    release: (event) => deps.claims.release(messageId, event, deps.now()),
    attempts: claim.message.attempts,
    firstThrottleAtOnce: true,
  });
}
