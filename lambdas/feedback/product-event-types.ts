/**
 * Every product event type; webhooks subscribe to these (all of them when they name none). Apart
 * from the schemas (suppression-response.ts) and free of zod, so the console can list them too.
 */
export const PRODUCT_EVENT_TYPES = [
  'suppressed',
  'bounced',
  'complained',
  'unsubscribed',
  'delivered',
  'webhook_disabled',
] as const;

export type ProductEventType = (typeof PRODUCT_EVENT_TYPES)[number];
