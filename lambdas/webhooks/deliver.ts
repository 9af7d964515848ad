import type { ProductEvent, ProductEventPublisher } from '../feedback/ports';
import { webhookMessageId } from './manage-webhooks';
import type { DeliveryLog, DeliveryMessage, DeliveryQueue, PostWebhook, WebhookRegistry } from './ports';
import { afterFailure, type RetrySchedule } from './retry-schedule';
import { signWebhook } from './signature';
import type { DeliveryAttempt, StoredWebhook } from './webhook-schemas';

/** Delivery attempts are kept this long (then DynamoDB TTL drops them). */
export const DELIVERY_RETENTION_DAYS = 7;

export interface DeliverDeps {
  webhooks: WebhookRegistry;
  deliveries: DeliveryLog;
  queue: DeliveryQueue;
  post: PostWebhook;
  products: ProductEventPublisher;
  schedule: RetrySchedule;
  now: () => Date;
}

/** Whether a webhook wants events of this type (every type when it names none). */
export function subscribes(webhook: StoredWebhook, type: ProductEvent['type']): boolean {
  return webhook.status === 'enabled' && (webhook.events === undefined || webhook.events.includes(type));
}

/** What the fan-out needs: the webhooks (read once per batch by the handler), the queue, the time. */
export interface FanOutDeps extends Pick<DeliverDeps, 'queue' | 'now'> {
  webhooks: () => Promise<StoredWebhook[]>;
}

/**
 * A product event → one delivery per enabled webhook subscribed to its type, each queued for its
 * first attempt, so a failing endpoint's retries wait on the queue, not in front of the others. An
 * endpoint that holds its connections open still takes a delivery slot for up to the timeout each:
 * the queue's event source concurrency bounds how many such slots there are (contract/queues.ts).
 * Resolves to how many.
 */
export async function fanOutEvent(event: ProductEvent, deps: FanOutDeps) {
  const targets = (await deps.webhooks()).filter((webhook) => subscribes(webhook, event.type));
  const payload = JSON.stringify({ type: event.type, timestamp: event.at, data: event });
  const firstAttemptAt = deps.now().toISOString();
  await Promise.all(
    targets.map((webhook) =>
      deps.queue.enqueue(
        {
          kind: 'webhook_delivery',
          webhookId: webhook.id,
          messageId: webhookMessageId(event.id),
          eventId: event.id,
          eventType: event.type,
          payload,
          attempt: 1,
          firstAttemptAt,
        },
        0,
      ),
    ),
  );
  return targets.length;
}

/** What became of one delivery message. */
export type DeliveryOutcome =
  | 'succeeded'
  /** Failed; queued again for its next attempt. */
  | 'retrying'
  /** Failed its last attempt; the webhook was disabled by it (or already was). */
  | 'exhausted'
  /** Not due yet: queued again until it is. */
  | 'waiting'
  /** The webhook was deleted or disabled meanwhile: not sent. */
  | 'dropped'
  /** A test delivery that failed: tests are not retried. */
  | 'test_failed';

export interface DeliveryEffects {
  outcome: DeliveryOutcome;
  /** The webhook this delivery disabled, if it did. */
  disabled?: StoredWebhook;
}

/**
 * One attempt of one delivery: sign (a fresh timestamp, the same `webhook-id` and body), POST, record
 * the attempt, then on failure queue the next attempt per the schedule, or, when the schedule is
 * exhausted (the endpoint has failed since the first attempt, over 24 hours with the default
 * schedule), disable the webhook and say so on the product events topic. A crash after the POST
 * makes SQS hand the message over again: the attempt repeats with the same `webhook-id`, which is
 * what receivers deduplicate on.
 */
export async function deliver(message: DeliveryMessage, deps: DeliverDeps): Promise<DeliveryEffects> {
  const now = deps.now();
  if (message.notBefore && Date.parse(message.notBefore) > now.getTime()) {
    await deps.queue.enqueue(message, Math.ceil((Date.parse(message.notBefore) - now.getTime()) / 1000));
    return { outcome: 'waiting' };
  }
  const base = {
    messageId: message.messageId,
    eventType: message.eventType,
    eventId: message.eventId,
    attempt: message.attempt,
    attemptedAt: now.toISOString(),
  };
  const webhook = await deps.webhooks.get(message.webhookId);
  if (webhook && disabledBy(webhook, message, deps.schedule)) {
    // This very message disabled it, and SQS hands it over again: the publish after the disable
    // may not have happened. The same event again (same id) is harmless; none at all is not.
    await publishDisabled(webhook, deps);
    // Reported as this delivery's disable again: the metric (and its alarm) and the log of the
    // first handling may never have been written when the publish threw. A second count is harmless
    // for an alarm that fires on the first.
    return { outcome: 'exhausted', disabled: webhook };
  }
  if (!webhook || (webhook.status === 'disabled' && !message.test)) {
    // A deleted webhook's attempts go with it (TTL); a disabled one shows what it missed.
    if (webhook) {
      await deps.deliveries.record(webhook.id, {
        ...base,
        status: 'dropped',
        error: 'the webhook is disabled',
      });
    }
    return { outcome: 'dropped' };
  }

  const headers = { ...signWebhook(webhook.secret, message.messageId, now, message.payload) };
  const result = await deps.post(webhook.url, headers, message.payload);
  const measured = {
    ...base,
    ...(result.httpStatus === undefined ? {} : { httpStatus: result.httpStatus }),
    latencyMs: Math.round(result.latencyMs),
    ...(result.error === undefined ? {} : { error: result.error }),
    ...(result.response === undefined ? {} : { response: result.response }),
  };
  if (result.ok) {
    await deps.deliveries.record(webhook.id, { ...measured, status: 'succeeded' });
    await deps.webhooks.succeeded(webhook.id, now);
    return { outcome: 'succeeded' };
  }
  const next = message.test ? { retry: false as const } : afterFailure(message.attempt, deps.schedule);
  const failed: DeliveryAttempt = { ...measured, status: 'failed' };
  if (next.retry) {
    const notBefore = new Date(now.getTime() + next.delaySeconds * 1000).toISOString();
    await deps.deliveries.record(webhook.id, { ...failed, nextAttemptAt: notBefore });
    await deps.queue.enqueue({ ...message, attempt: message.attempt + 1, notBefore }, next.delaySeconds);
    return { outcome: 'retrying' };
  }
  await deps.deliveries.record(webhook.id, failed);
  if (message.test) return { outcome: 'test_failed' };
  return { outcome: 'exhausted', ...(await disableForFailing(webhook, message, now, deps)) };
}

/** The disable rule's effects: the conditional update, then the `webhook_disabled` product event. */
async function disableForFailing(
  webhook: StoredWebhook,
  message: DeliveryMessage,
  now: Date,
  deps: Pick<DeliverDeps, 'webhooks' | 'products'>,
): Promise<{ disabled?: StoredWebhook }> {
  // The reason names the delivery: a redelivery of this message recognizes itself by it (disabledBy).
  const reason = `every attempt of delivery ${message.messageId} failed from ${message.firstAttemptAt} to ${now.toISOString()} (${message.attempt} attempts)`;
  const disabled = await deps.webhooks.disable(webhook.id, reason, now, new Date(message.firstAttemptAt));
  if (!disabled) return {};
  await publishDisabled(disabled, deps);
  return { disabled };
}

/** Whether `message` is the last attempt of the delivery that disabled `webhook`. */
function disabledBy(webhook: StoredWebhook, message: DeliveryMessage, schedule: RetrySchedule): boolean {
  return (
    webhook.status === 'disabled' &&
    !message.test &&
    !afterFailure(message.attempt, schedule).retry &&
    (webhook.disabledReason?.includes(` ${message.messageId} `) ?? false)
  );
}

/** `webhook_disabled` for a disabled webhook; its id derives from the disable, so a repeat is a duplicate receivers drop. */
async function publishDisabled(webhook: StoredWebhook, deps: Pick<DeliverDeps, 'products'>): Promise<void> {
  const at = webhook.disabledAt ?? '';
  await deps.products.publish([
    {
      id: `webhook_disabled:${webhook.id}:${at}`,
      type: 'webhook_disabled',
      at,
      webhookId: webhook.id,
      // The origin only: this event goes to every other webhook (often third-party receivers), and
      // URLs often carry a token in their path or query. The admin API has the whole URL.
      url: new URL(webhook.url).origin,
      ...(webhook.disabledReason === undefined ? {} : { reason: webhook.disabledReason }),
    },
  ]);
}
