import type { ProductEvent } from '../feedback/ports';
import type { AddressPolicy } from './address-policy';
import type { DeliveryAttempt, StoredWebhook } from './webhook-schemas';

/** The webhooks, all in one place so the limit holds with one conditional write. */
export interface WebhookRegistry {
  /** Adds it unless `max` webhooks exist already; resolves false then. */
  create(webhook: StoredWebhook, max: number): Promise<boolean>;
  get(id: string): Promise<StoredWebhook | undefined>;
  list(): Promise<StoredWebhook[]>;
  /** Resolves false when there was nothing to delete. */
  delete(id: string): Promise<boolean>;
  /**
   * Disables it if it is enabled and has had no success since `failingSince`; resolves to the
   * webhook when this call disabled it, undefined otherwise (already disabled, deleted, or it
   * succeeded meanwhile).
   */
  disable(id: string, reason: string, at: Date, failingSince: Date): Promise<StoredWebhook | undefined>;
  /** Enables it again; resolves to it, or undefined when it does not exist. */
  enable(id: string): Promise<StoredWebhook | undefined>;
  /** Notes a 2xx (what keeps a later exhausted delivery from disabling it if it is flaky). */
  succeeded(id: string, at: Date): Promise<void>;
}

/** The delivery attempts, per webhook, newest first; they expire after a week. */
export interface DeliveryLog {
  record(webhookId: string, attempt: DeliveryAttempt): Promise<void>;
  listDeliveries(
    webhookId: string,
    limit: number,
    cursor?: string,
  ): Promise<{ items: DeliveryAttempt[]; nextCursor?: string }>;
}

/** One delivery of one event to one webhook, as it travels on the webhooks queue between attempts. */
export interface DeliveryMessage {
  readonly kind: 'webhook_delivery';
  readonly webhookId: string;
  /** The `webhook-id` header: the same on every attempt. */
  readonly messageId: string;
  readonly eventId: string;
  readonly eventType: string;
  /** The exact body every attempt sends. */
  readonly payload: string;
  /** 1-based: the attempt this message asks for. */
  readonly attempt: number;
  /** When the first attempt was made (or queued): failing since then is what disables. */
  readonly firstAttemptAt: string;
  /** Not before this time (a wait longer than SQS's longest delay goes round several times). */
  readonly notBefore?: string;
  /** `POST /v1/webhooks/{id}/test`: one attempt, whatever the webhook's status, never disables. */
  readonly test?: true;
}

export interface DeliveryQueue {
  /** Queues it, visible after `delaySeconds` (capped to SQS's longest delay by the adapter). */
  enqueue(message: DeliveryMessage, delaySeconds: number): Promise<void>;
}

/** What one POST to an endpoint came to. */
export interface PostResult {
  /** 2xx. */
  readonly ok: boolean;
  readonly httpStatus?: number;
  readonly latencyMs: number;
  readonly error?: string;
  /** The start of the answer's body. */
  readonly response?: string;
}

/** POSTs a signed body to a webhook's URL, under the SSRF rules of `policy`. */
export type PostWebhook = (url: string, headers: Record<string, string>, body: string) => Promise<PostResult>;

export type { AddressPolicy, ProductEvent };
