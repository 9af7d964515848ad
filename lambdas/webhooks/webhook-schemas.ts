import * as z from 'zod';
import { WEBHOOK_DELIVERY_TIMEOUT_MS } from '../../contract/thresholds';
import { PRODUCT_EVENT_TYPES } from '../feedback/product-event-types';
import { productEventTypeSchema } from '../feedback/suppression-response';
import { timestampSchema } from '../requests/timestamp';

/** At most this many webhooks per stack (issue 12); the 21st create is a 409. */
export const MAX_WEBHOOKS = 20;
/** The longest webhook URL accepted. */
export const MAX_WEBHOOK_URL_LENGTH = 2000;

/** `POST /v1/webhooks`: the endpoint, and the event types it wants (every type when absent). */
export const createWebhookSchema = z
  .strictObject({
    url: z
      .string()
      .max(MAX_WEBHOOK_URL_LENGTH)
      .meta({
        description: `Where events are POSTed: an \`https://\` URL (local mode also takes \`http://\`) whose host is
not, and does not resolve to, a private, loopback, link-local or otherwise special address; no
user name or password in it; at most ${MAX_WEBHOOK_URL_LENGTH} characters.`,
        examples: ['https://api.example.com/hooks/mailroom'],
      }),
    events: z
      .array(productEventTypeSchema)
      .min(1)
      .max(PRODUCT_EVENT_TYPES.length)
      .refine((events) => new Set(events).size === events.length, 'each event type at most once')
      .optional()
      .meta({ description: 'The event types to receive; every type when absent.' }),
  })
  .meta({ id: 'CreateWebhookRequest' });

export const webhookStatusSchema = z.enum(['enabled', 'disabled']).meta({
  id: 'WebhookStatus',
  description: `\`disabled\`: its endpoint failed every attempt of a delivery for a whole retry schedule (over
24 hours); nothing is sent to it until \`POST /v1/webhooks/{id}/enable\`.`,
});

/** A webhook as stored (with its secret) minus the secret: what every route but the create shows. */
export const webhookSchema = z
  .strictObject({
    id: z.string(),
    url: z.string(),
    events: z
      .array(productEventTypeSchema)
      .optional()
      .meta({ description: 'The event types it receives; absent means every type.' }),
    status: webhookStatusSchema,
    createdAt: timestampSchema,
    disabledAt: timestampSchema.optional(),
    disabledReason: z.string().optional(),
    lastSuccessAt: timestampSchema
      .optional()
      .meta({ description: 'The last delivery it answered with a 2xx.' }),
  })
  .meta({ id: 'Webhook' });

export const createdWebhookSchema = webhookSchema
  .extend({
    secret: z.string().meta({
      description: `The signing secret (\`whsec_\` and base64), shown only in this answer: store it to verify the
\`webhook-signature\` header (the client's \`verifyWebhook\`, or any Standard Webhooks library).`,
      examples: ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'],
    }),
  })
  .meta({ id: 'CreatedWebhook' });

export const webhookListSchema = z
  .strictObject({ items: z.array(webhookSchema) })
  .meta({ id: 'WebhookList' });

export const deliveryStatusSchema = z.enum(['succeeded', 'failed', 'dropped']).meta({
  id: 'WebhookDeliveryStatus',
  description: `\`succeeded\`: the endpoint answered 2xx. \`failed\`: anything else (another status, a
redirect, a timeout after ${WEBHOOK_DELIVERY_TIMEOUT_MS / 1000} s, a refused address); retried on the schedule. \`dropped\`: not sent,
because the webhook was disabled or deleted meanwhile.`,
});

/** One attempt of one delivery. */
export const deliveryAttemptSchema = z
  .strictObject({
    messageId: z
      .string()
      .meta({ description: 'The `webhook-id` header: the same on every attempt of one delivery.' }),
    eventType: z.string().meta({ description: 'The event type, or `test`.' }),
    eventId: z.string(),
    attempt: z.number().int().min(1),
    status: deliveryStatusSchema,
    httpStatus: z.number().int().optional(),
    latencyMs: z.number().int().min(0).optional(),
    error: z.string().optional(),
    response: z
      .string()
      .optional()
      .meta({ description: "The first 200 characters of the endpoint's answer." }),
    attemptedAt: timestampSchema,
    nextAttemptAt: timestampSchema
      .optional()
      .meta({ description: 'When it is tried again, after a failure.' }),
  })
  .meta({ id: 'WebhookDeliveryAttempt' });

export const deliveryListSchema = z
  .strictObject({
    items: z.array(deliveryAttemptSchema),
    nextCursor: z
      .string()
      .optional()
      .meta({ description: 'Present when there may be more; pass it as `cursor`.' }),
  })
  .meta({ id: 'WebhookDeliveryList' });

export const testQueuedSchema = z
  .strictObject({
    messageId: z
      .string()
      .meta({ description: "The test delivery's `webhook-id`; its attempt shows in the deliveries." }),
    eventId: z.string(),
  })
  .meta({ id: 'WebhookTestQueued' });

export type StoredWebhook = z.output<typeof createdWebhookSchema>;
export type WebhookView = z.output<typeof webhookSchema>;
export type DeliveryAttempt = z.output<typeof deliveryAttemptSchema>;
export type CreateWebhookRequest = z.output<typeof createWebhookSchema>;
