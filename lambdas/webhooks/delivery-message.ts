import * as z from 'zod';
import type { ProductEvent } from '../feedback/ports';
import { productEventSchema } from '../feedback/suppression-response';
import type { DeliveryMessage } from './ports';

/** A delivery as the webhooks queue carries it (ports.ts DeliveryMessage). */
const deliveryMessageSchema = z.strictObject({
  kind: z.literal('webhook_delivery'),
  webhookId: z.string().min(1),
  messageId: z.string().min(1),
  eventId: z.string().min(1),
  eventType: z.string().min(1),
  payload: z.string(),
  attempt: z.number().int().min(1),
  firstAttemptAt: z.iso.datetime(),
  notBefore: z.iso.datetime().optional(),
  test: z.literal(true).optional(),
}) satisfies z.ZodType<DeliveryMessage>;

/** The product events topic's SNS envelope (raw delivery off, as for the SES events queue). */
const snsEnvelopeSchema = z.looseObject({ Type: z.literal('Notification'), Message: z.string() });

/** A webhooks queue message: a product event from the topic, or a delivery. */
export type WebhookWork =
  | { kind: 'event'; event: ProductEvent }
  | { kind: 'delivery'; delivery: DeliveryMessage };

/** Reads a webhooks queue message; throws on anything else (it then rests in the DLQ). */
export function parseWebhookWork(body: string): WebhookWork {
  const value: unknown = JSON.parse(body);
  const delivery = deliveryMessageSchema.safeParse(value);
  if (delivery.success) return { kind: 'delivery', delivery: delivery.data };
  const envelope = snsEnvelopeSchema.parse(value);
  return { kind: 'event', event: productEventSchema.parse(JSON.parse(envelope.Message)) };
}
