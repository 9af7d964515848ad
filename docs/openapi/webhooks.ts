import { WEBHOOK_DELIVERY_TIMEOUT_MS, WEBHOOK_RETRIES_DESCRIBED } from '../../contract/thresholds';
import {
  createdWebhookSchema,
  createWebhookSchema,
  deliveryListSchema,
  MAX_WEBHOOKS,
  testQueuedSchema,
  webhookListSchema,
  webhookSchema,
} from '../../lambdas/webhooks/webhook-schemas';
import { BAD_PAGE_QUERY } from './examples';
import { err, type Operations, type ResponseDoc } from './operation';
import { PAGE_QUERY, WEBHOOK_ID_PATH } from './parameters';
import {
  BODY_TOO_LARGE,
  GATEWAY_FORBIDDEN,
  GATEWAY_THROTTLED,
  INTERNAL_ERROR,
  UNSUPPORTED_MEDIA_TYPE,
} from './responses';

const WEBHOOK = {
  id: 'wh_3f9a1c2e7b5d4e6f8a9b0c1d2e3f4a5b',
  url: 'https://api.example.com/hooks/mailroom',
  events: ['suppressed', 'unsubscribed'],
  status: 'enabled',
  createdAt: '2026-12-01T09:00:00.000Z',
};

const WEBHOOK_NOT_FOUND: ResponseDoc = {
  id: 'WebhookNotFound',
  description: 'No webhook with this id.',
  examples: { not_found: err('not_found', `No webhook with id "${WEBHOOK.id}"`) },
};

const COMMON = { 403: GATEWAY_FORBIDDEN, 429: GATEWAY_THROTTLED, 500: INTERNAL_ERROR } as const;

export const WEBHOOK_OPERATIONS = {
  createWebhook: {
    tag: 'webhooks',
    summary: 'Register a webhook',
    description: `Every product event of the chosen types (all types when \`events\` is absent) is POSTed to
\`url\` as JSON \`{type, timestamp, data}\` (\`data\` is the ProductEvent), signed per the Standard
Webhooks spec with the \`secret\` this answer shows once. A failed attempt (anything but a 2xx,
within ${WEBHOOK_DELIVERY_TIMEOUT_MS / 1000} s, redirects not followed) is retried after ${WEBHOOK_RETRIES_DESCRIBED};
when the last one fails too the webhook is disabled. The URL must be https and reach only
public addresses (checked here for literal addresses, and at every delivery for what its name
resolves to). At most ${MAX_WEBHOOKS} webhooks.`,
    body: {
      schema: createWebhookSchema,
      examples: {
        some: { value: { url: WEBHOOK.url, events: WEBHOOK.events } },
        all: { summary: 'Every event type', value: { url: WEBHOOK.url } },
      },
    },
    responses: {
      201: {
        description: 'Created; `secret` is shown only here.',
        schema: createdWebhookSchema,
        examples: { created: { value: { ...WEBHOOK, secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' } } },
      },
      400: {
        description: 'The URL or the event types are invalid.',
        examples: {
          private_address: err('validation_failed', 'The webhook is invalid', {
            details: [{ path: 'url', message: 'must not point to a link-local address (169.254.169.254)' }],
          }),
          not_https: err('validation_failed', 'The webhook is invalid', {
            details: [{ path: 'url', message: 'must start with https://' }],
          }),
          unknown_event: err('validation_failed', 'The webhook is invalid', {
            details: [
              { path: 'events.0', message: 'Invalid option: expected one of "suppressed"|"bounced"|…' },
            ],
          }),
        },
      },
      409: {
        description: `There are ${MAX_WEBHOOKS} webhooks already.`,
        examples: {
          too_many_webhooks: err('too_many_webhooks', `At most ${MAX_WEBHOOKS} webhooks; delete one first`),
        },
      },
      413: BODY_TOO_LARGE,
      415: UNSUPPORTED_MEDIA_TYPE,
      ...COMMON,
    },
  },
  listWebhooks: {
    tag: 'webhooks',
    summary: 'List the webhooks',
    description: `All of them (at most ${MAX_WEBHOOKS}), oldest first, without their secrets.`,
    responses: {
      200: {
        description: 'Every webhook.',
        schema: webhookListSchema,
        examples: { list: { value: { items: [WEBHOOK] } } },
      },
      ...COMMON,
    },
  },
  getWebhook: {
    tag: 'webhooks',
    summary: 'Get one webhook',
    params: { path: WEBHOOK_ID_PATH },
    responses: {
      200: { description: 'The webhook, without its secret.', schema: webhookSchema },
      404: WEBHOOK_NOT_FOUND,
      ...COMMON,
    },
  },
  deleteWebhook: {
    tag: 'webhooks',
    summary: 'Delete a webhook',
    description: 'Nothing more is sent to it, retries included.',
    params: { path: WEBHOOK_ID_PATH },
    responses: { 204: { description: 'Deleted.' }, 404: WEBHOOK_NOT_FOUND, ...COMMON },
  },
  testWebhook: {
    tag: 'webhooks',
    summary: 'Send a test event',
    description: `No body. Queues one signed event \`{type: "test", timestamp, data: {id, type, webhookId, at}}\`
to the webhook, disabled or not; it is tried once (no retries, and a failure never disables) within
seconds, and its attempt shows in \`GET /v1/webhooks/{id}/deliveries\` under \`messageId\`.`,
    params: { path: WEBHOOK_ID_PATH },
    responses: {
      202: {
        description: 'Queued.',
        schema: testQueuedSchema,
        examples: {
          queued: { value: { messageId: 'msg_2Yt6gYq0bXQm1v9cNf3k8hJ4pLs', eventId: 'test_0b1c' } },
        },
      },
      404: WEBHOOK_NOT_FOUND,
      ...COMMON,
    },
  },
  enableWebhook: {
    tag: 'webhooks',
    summary: 'Enable a disabled webhook',
    description: `No body. Deliveries start again with the next event; what was dropped while it was disabled
is not sent again (the deliveries list shows it as \`dropped\`).`,
    params: { path: WEBHOOK_ID_PATH },
    responses: {
      200: { description: 'The webhook, enabled.', schema: webhookSchema },
      404: WEBHOOK_NOT_FOUND,
      ...COMMON,
    },
  },
  listWebhookDeliveries: {
    tag: 'webhooks',
    summary: "A webhook's recent delivery attempts",
    description: 'One item per attempt, newest first, kept for 7 days.',
    params: { path: WEBHOOK_ID_PATH, query: PAGE_QUERY },
    responses: {
      200: {
        description: 'One page of attempts.',
        schema: deliveryListSchema,
        examples: {
          page: {
            value: {
              items: [
                {
                  messageId: 'msg_2Yt6gYq0bXQm1v9cNf3k8hJ4pLs',
                  eventType: 'bounced',
                  eventId: '0100018c-bounce-jane@example.com',
                  attempt: 2,
                  status: 'succeeded',
                  httpStatus: 204,
                  latencyMs: 87,
                  attemptedAt: '2026-12-01T09:00:05.120Z',
                },
                {
                  messageId: 'msg_2Yt6gYq0bXQm1v9cNf3k8hJ4pLs',
                  eventType: 'bounced',
                  eventId: '0100018c-bounce-jane@example.com',
                  attempt: 1,
                  status: 'failed',
                  httpStatus: 500,
                  latencyMs: 112,
                  response: 'Internal Server Error',
                  attemptedAt: '2026-12-01T09:00:00.003Z',
                  nextAttemptAt: '2026-12-01T09:00:05.003Z',
                },
              ],
            },
          },
        },
      },
      400: BAD_PAGE_QUERY,
      404: WEBHOOK_NOT_FOUND,
      ...COMMON,
    },
  },
} satisfies Partial<Operations>;
