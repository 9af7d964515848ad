import { createHash } from 'node:crypto';
import { badRequest, conflict, notFound } from '../requests/errors';
import { parseRequest } from '../requests/validation';
import type { AddressPolicy } from './address-policy';
import type { DeliveryLog, DeliveryMessage, DeliveryQueue, WebhookRegistry } from './ports';
import { newWebhookSecret } from './signature';
import { createWebhookSchema, MAX_WEBHOOKS, type StoredWebhook, type WebhookView } from './webhook-schemas';
import { urlProblem } from './webhook-url';

export interface WebhookDeps {
  webhooks: WebhookRegistry;
  deliveries: DeliveryLog;
  deliveryQueue: DeliveryQueue;
  addressPolicy: AddressPolicy;
  newId: () => string;
  now: () => Date;
}

/** A webhook as every route but the create shows it: never its secret. */
export function webhookView(webhook: StoredWebhook): WebhookView {
  const { secret: _secret, ...view } = webhook;
  return view;
}

/**
 * `POST /v1/webhooks`: checks the URL (scheme, credentials, length, literal addresses; names are
 * checked at each delivery) and the event types, then adds it if fewer than MAX_WEBHOOKS exist.
 * Answers with the secret, the only time it is shown.
 */
export async function createWebhook(body: unknown, deps: WebhookDeps): Promise<StoredWebhook> {
  const request = parseRequest(createWebhookSchema, body, 'The webhook is invalid');
  const problem = urlProblem(request.url, deps.addressPolicy);
  if (problem) {
    throw badRequest('validation_failed', 'The webhook is invalid', [{ path: 'url', message: problem }]);
  }
  const webhook: StoredWebhook = {
    id: `wh_${deps.newId().replaceAll('-', '')}`,
    url: request.url,
    ...(request.events ? { events: request.events } : {}),
    status: 'enabled',
    createdAt: deps.now().toISOString(),
    secret: newWebhookSecret(),
  };
  if (!(await deps.webhooks.create(webhook, MAX_WEBHOOKS))) {
    throw conflict('too_many_webhooks', `At most ${MAX_WEBHOOKS} webhooks; delete one first`);
  }
  return webhook;
}

export async function getWebhook(id: string, deps: Pick<WebhookDeps, 'webhooks'>): Promise<StoredWebhook> {
  const webhook = await deps.webhooks.get(id);
  if (!webhook) throw notFound(`No webhook with id "${id}"`);
  return webhook;
}

export async function deleteWebhook(id: string, deps: Pick<WebhookDeps, 'webhooks'>): Promise<void> {
  if (!(await deps.webhooks.delete(id))) throw notFound(`No webhook with id "${id}"`);
}

export async function enableWebhook(id: string, deps: Pick<WebhookDeps, 'webhooks'>): Promise<StoredWebhook> {
  const webhook = await deps.webhooks.enable(id);
  if (!webhook) throw notFound(`No webhook with id "${id}"`);
  return webhook;
}

/**
 * `POST /v1/webhooks/{id}/test`: queues one signed `test` event for the webhooks function, which
 * makes one attempt (no retries, disabled webhooks included, never disables) and records it in the
 * deliveries. Queued rather than sent here: the api function has 10 s in all, as long as one
 * delivery may take, and then it needs no network access beyond AWS.
 */
export async function testWebhook(
  id: string,
  deps: Pick<WebhookDeps, 'webhooks' | 'deliveryQueue' | 'newId' | 'now'>,
): Promise<{ messageId: string; eventId: string }> {
  const webhook = await getWebhook(id, deps);
  const now = deps.now();
  const eventId = `test_${deps.newId()}`;
  const message: DeliveryMessage = {
    kind: 'webhook_delivery',
    webhookId: webhook.id,
    messageId: webhookMessageId(eventId),
    eventId,
    eventType: 'test',
    payload: JSON.stringify({
      type: 'test',
      timestamp: now.toISOString(),
      data: { id: eventId, type: 'test', webhookId: webhook.id, at: now.toISOString() },
    }),
    attempt: 1,
    firstAttemptAt: now.toISOString(),
    test: true,
  };
  await deps.deliveryQueue.enqueue(message, 0);
  return { messageId: message.messageId, eventId };
}

/**
 * The `webhook-id` of an event's deliveries: derived from the event's id, so a product event SQS
 * hands over twice still carries one id and receivers deduplicate on it (the spec's purpose for it).
 */
export function webhookMessageId(eventId: string): string {
  return `msg_${createHash('sha256').update(eventId).digest('base64url').slice(0, 27)}`;
}
