import type * as z from 'zod';
import type { Stream } from '../sending/outgoing-mail';
import type { MailEvent } from './ses-events';
import type { Suppression, SuppressionReason } from './suppression';
import type { productEventSchema } from './suppression-response';

/** The suppression list: who must not be mailed, on which streams, and why. */
export interface SuppressionList {
  /** The normalized addresses among `addresses` that must not be mailed on this stream. */
  suppressedAmong(addresses: string[], stream: Stream): Promise<Set<string>>;
  get(email: string): Promise<Suppression | undefined>;
  /**
   * Adds an entry unless the address is already suppressed on every stream (an unsubscribe never
   * downgrades a bounce). Resolves whether it was written.
   */
  add(entry: Suppression): Promise<boolean>;
  /** Writes the entry whatever is there (the API's PUT). */
  put(entry: Suppression): Promise<void>;
  /** Resolves false when there was nothing to delete. */
  delete(email: string): Promise<boolean>;
  list(
    reason: SuppressionReason | undefined,
    limit: number,
    cursor?: string,
  ): Promise<{ items: Suppression[]; nextCursor?: string }>;
}

/** SES's own account-level suppression list. */
export interface AccountSuppressionList {
  /** Resolves false when the address was not on it. */
  remove(email: string): Promise<boolean>;
}

/** Remembers soft bounces per address; duplicates of one SES event count once. */
export interface TransientBounceCounter {
  record(email: string, eventKey: string, at: Date, windowMs: number): Promise<number>;
}

/** Per-target records of which SES events were seen, so a duplicate SNS delivery changes nothing. */
export interface EventRecords {
  /** Appends to a transactional message's history; false when seen before or the message is unknown. */
  onMessage(messageId: string, event: MailEvent, email: string): Promise<boolean>;
  /**
   * Marks the event on a campaign recipient. `first` is true when it is the first event of its kind
   * for that recipient (for unique opens and clicks); undefined when seen before or unknown.
   */
  onRecipient(campaignId: string, email: string, event: MailEvent): Promise<{ first: boolean } | undefined>;
}

export const EVENT_COUNTER_NAMES = [
  'delivered',
  'bounced',
  'complained',
  'rejected',
  'renderingFailures',
  'delayed',
  'opens',
  'uniqueOpens',
  'clicks',
  'uniqueClicks',
  'unsubscribed',
] as const;
export type EventCounter = (typeof EVENT_COUNTER_NAMES)[number];
export type EventDelta = Partial<Record<EventCounter, number>>;

export interface CampaignEventTotals {
  addEvents(campaignId: string, delta: EventDelta): Promise<void>;
}

/**
 * What product backends receive, to clean their own user tables (productEventSchema; `id` is stable:
 * a redelivery carries the same id, so consumers can deduplicate).
 */
export type ProductEvent = z.output<typeof productEventSchema>;

export interface ProductEventPublisher {
  publish(events: ProductEvent[]): Promise<void>;
}

export interface ReputationCounts {
  sent: number;
  bounced: number;
  complained: number;
}

/** Bulk mail's recent bounce and complaint counts, and the guard that pauses bulk mail. */
export interface ReputationStore {
  add(bucket: string, delta: Partial<ReputationCounts>): Promise<void>;
  total(buckets: string[]): Promise<ReputationCounts>;
  /** Trips the guard; resolves true only for the call that tripped it. */
  trip(reason: string, at: Date): Promise<boolean>;
  guard(): Promise<{ paused: boolean; reason?: string; at?: string }>;
  /** Clears the guard; resolves false when it was not tripped. */
  clear(): Promise<boolean>;
}
