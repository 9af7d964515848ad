import type * as z from 'zod';
import type { Failure } from '../sending/ports';
import type { emailAcceptedSchema } from './email-response';
import type { StoredMessage } from './message';

/**
 * What the domain needs from storage and queues. The adapters implement these over DynamoDB and
 * SQS; the unit tests over plain maps. Nothing here knows about AWS.
 */
export interface MessageRepository {
  /** Stores a new message; resolves false (and changes nothing) when the id already exists. */
  create(message: StoredMessage): Promise<boolean>;
  get(id: string): Promise<StoredMessage | undefined>;
  delete(id: string): Promise<void>;
}

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

/** What `POST /v1/emails` answers, as the document shows it (email-response.ts). */
export type SubmitResponse = z.output<typeof emailAcceptedSchema>;

export type IdempotencyClaim =
  | { outcome: 'claimed'; messageId: string }
  | { outcome: 'replay'; response: SubmitResponse }
  | { outcome: 'mismatch' }
  | { outcome: 'in_progress' };

export interface IdempotencyStore {
  /**
   * Claims `key` for a request with this fingerprint. A claim left unfinished by a crash can be taken
   * over after a while; the taker gets the original message id, so it can never make a second mail.
   */
  claim(key: string, fingerprint: string, messageId: string, now: Date): Promise<IdempotencyClaim>;
  complete(key: string, response: SubmitResponse): Promise<void>;
  release(key: string): Promise<void>;
}

export interface SendQueue {
  enqueue(messageId: string): Promise<void>;
}
