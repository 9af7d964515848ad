import * as z from 'zod';
import { timestampSchema } from '../requests/timestamp';
import { PRODUCT_EVENT_TYPES } from './product-event-types';
import { SUPPRESSION_REASONS } from './suppression';

export const suppressionReasonSchema = z.enum(SUPPRESSION_REASONS).meta({
  id: 'SuppressionReason',
  description: `\`bounce\`: a permanent bounce, or SES reporting the address on its account-level list;
\`complaint\`: the recipient marked a mail as spam; \`unsubscribe\`: the one-click unsubscribe link;
\`transient_bounces\`: soft bounces piling up (by default 3 within 7 days); \`manual\`: set with
\`PUT /v1/suppressions/{email}\` (which may also set any other reason).`,
});

export const suppressionScopeSchema = z.enum(['all', 'bulk']).meta({
  id: 'SuppressionScope',
  description: `\`all\`: no mail at all, transactional included (bounces, complaints, and by default a PUT).
\`bulk\`: no campaign mail, while transactional mail such as sign-in codes still goes (an
unsubscribe). Campaign test sends leave out both.`,
});

/** One entry of the suppression list, as stored and as the API shows it. */
export const suppressionSchema = z
  .strictObject({
    email: z.string().meta({ description: 'The normalized (lower-case) address; the key.' }),
    reason: suppressionReasonSchema,
    scope: suppressionScopeSchema,
    detail: z
      .string()
      .optional()
      .meta({
        description: `Why, for people: SES's diagnostic code, \`on the SES account-level suppression list\`, the
feedback type of a complaint, how an unsubscribe came (\`one-click unsubscribe (RFC 8058 POST from
the mail provider)\` or \`unsubscribe page button\`), or what a PUT gave (at most 500 characters).`,
        examples: ['smtp; 550 5.1.1 user unknown'],
      }),
    source: z
      .strictObject({
        sesMessageId: z.string().optional(),
        messageId: z
          .string()
          .optional()
          .meta({ description: 'The transactional message, for `GET /v1/emails/{id}`.' }),
        campaignId: z
          .string()
          .optional()
          .meta({ description: 'The campaign, for `GET /v1/campaigns/{id}`.' }),
      })
      .optional()
      .meta({
        description: `What caused it, when an SES event or an unsubscribe link did: the SES MessageId, and the
Mailroom message or campaign the mail belonged to. Absent on entries written with PUT.`,
      }),
    createdAt: timestampSchema.meta({
      description: 'When the entry was written; replacing it with PUT keeps the earlier value.',
    }),
  })
  .meta({
    id: 'Suppression',
    description: `One suppressed address. SES events and unsubscribes only ever add or widen an entry: a bounce
or complaint replaces a \`bulk\` entry with an \`all\` one, an unsubscribe never replaces an
existing entry.`,
  });

/** `GET /v1/suppressions`: one page. */
export const suppressionListSchema = z
  .strictObject({
    items: z.array(suppressionSchema),
    nextCursor: z
      .string()
      .optional()
      .meta({ description: 'Present when there may be more; pass it as `cursor`, with the same `reason`.' }),
  })
  .meta({ id: 'SuppressionList' });

export const productEventTypeSchema = z.enum(PRODUCT_EVENT_TYPES).meta({ id: 'ProductEventType' });

/**
 * Not an HTTP response: what product backends receive on the product events SNS topic and through
 * webhooks (ProductEvent in ports.ts is this type).
 */
export const productEventSchema = z
  .strictObject({
    id: z.string().meta({ description: 'Stable and opaque; a redelivery carries the same id.' }),
    type: productEventTypeSchema,
    email: z
      .string()
      .optional()
      .meta({ description: 'The normalized (lower-case) address; absent on `webhook_disabled` only.' }),
    at: z.string().meta({
      description: "When it happened, ISO 8601 (SES's timestamp, or when the link was used).",
    }),
    reason: z.string().optional(),
    detail: z.string().optional(),
    messageId: z
      .string()
      .optional()
      .meta({ description: 'The transactional message the mail was, for `GET /v1/emails/{id}`.' }),
    campaignId: z.string().optional().meta({ description: 'The campaign the mail belonged to.' }),
    sesMessageId: z
      .string()
      .optional()
      .meta({ description: "SES's MessageId of the mail; absent on `unsubscribed`." }),
    webhookId: z.string().optional().meta({ description: 'The webhook, on `webhook_disabled`.' }),
    url: z.string().optional().meta({
      description:
        "The webhook URL's origin (scheme, host, port), on `webhook_disabled`: never its path or query.",
    }),
  })
  .meta({
    id: 'ProductEvent',
    description: `Not an HTTP route: what product backends receive on the product events SNS topic, to keep their
own user tables clean. Each SNS message's body is one event as JSON, and the SNS message attribute
\`type\` (String) repeats \`type\`, for subscription filter policies (e.g. only \`suppressed\` and
\`unsubscribed\`). Delivery is at least once: deduplicate on \`id\`.

- \`suppressed\`: an SES event put the address on the suppression list (\`reason\`: \`bounce\`,
  \`complaint\` or \`transient_bounces\`; \`detail\` as in the entry). Unsubscribes and
  \`PUT /v1/suppressions/{email}\` do not send it.
- \`bounced\`: every bounce, permanent or transient (\`reason\`: \`bounceType/bounceSubType\`, e.g.
  \`Permanent/General\`; \`detail\`: the diagnostic code).
- \`complained\`: a complaint (\`detail\`: the feedback type, or \`complaint\`).
- \`unsubscribed\`: the address used a campaign mail's unsubscribe link and was not suppressed
  before (\`reason: unsubscribe\`, \`campaignId\`; no \`sesMessageId\`).
- \`delivered\`: the receiving server accepted a mail.
- \`webhook_disabled\`: a webhook's endpoint failed every attempt of a delivery for a whole retry
  schedule (over 24 hours) and was disabled (\`webhookId\`, \`url\`, \`reason\`; no \`email\`).
  \`POST /v1/webhooks/{id}/enable\` turns it back on.

One SES event about several recipients gives one event per address.`,
  });
