import * as z from 'zod';
import { timestampSchema } from '../requests/timestamp';

/**
 * What `POST /v1/emails` answers (202), and what a repeated request with the same Idempotency-Key
 * gets again.
 */
export const emailAcceptedSchema = z
  .strictObject({
    id: z.string().meta({ description: 'The message id, for `GET /v1/emails/{id}`.' }),
    status: z.literal('queued'),
    suppressed: z
      .array(z.string())
      .meta({ description: 'Addresses left out because they are on the suppression list.' }),
  })
  .meta({ id: 'EmailAccepted' });

/** `details` of `all_recipients_suppressed` (422). */
export const suppressedDetailsSchema = z
  .strictObject({ suppressed: z.array(z.string()) })
  .meta({ id: 'SuppressedDetails' });

/** One entry of a message's history (and of a campaign recipient's SES events). */
export const emailEventSchema = z
  .strictObject({
    type: z.string().meta({
      description: `Mailroom's own: \`queued\`, \`sending\`, \`sent\` (detail: SES MessageId), \`failed\` (detail:
\`code: message\`), or why a send went back to the queue: \`throttled\`, \`daily_quota_exceeded\`,
\`not_sent\`.

From SES, one entry per recipient it concerns, each recorded once (a duplicate SNS delivery adds
nothing): \`send\`, \`delivery\`, \`bounce\`, \`complaint\`, \`reject\`, \`open\`, \`click\`,
\`rendering_failure\`, \`delivery_delay\`, \`subscription\`. Their \`detail\` is the recipient's
normalized address, followed by \`: \` and what SES says when it says something: the SMTP response
(\`delivery\`), the diagnostic code or \`bounceType/bounceSubType\` (\`bounce\`), the feedback type or
\`complaint\` (\`complaint\`), the reason (\`reject\`), the link (\`click\`), the error message
(\`rendering_failure\`), the delay type (\`delivery_delay\`) or the contact list (\`subscription\`).
\`send\`, \`reject\`, \`open\`, \`click\`, \`rendering_failure\` and \`subscription\` concern every
recipient of the mail (\`to\`, \`cc\` and \`bcc\`).`,
      examples: ['sent', 'delivery', 'bounce'],
    }),
    at: z.string().meta({
      description:
        "When it happened, ISO 8601: Mailroom's own events in UTC; SES's events carry SES's timestamp as SES gave it.",
    }),
    detail: z
      .string()
      .optional()
      .meta({ examples: ['jane@example.com: smtp; 550 5.1.1 user unknown'] }),
  })
  .meta({ id: 'EmailEvent' });

/** `GET /v1/emails/{id}`: addressing, status, failure and history of one message, not its content. */
export const emailSchema = z
  .strictObject({
    id: z.string(),
    stream: z.enum(['transactional', 'bulk']),
    status: z.enum(['queued', 'sending', 'sent', 'failed']).meta({
      description: `\`queued\` → \`sending\` → \`sent\` or \`failed\`. A send SES throttled, refused for the daily
quota or never received goes back to \`queued\` and is retried. \`failed\` is final, including when
SES may or may not have taken the mail (\`failure.code\` \`OutcomeUnknown\`), which is never retried.`,
    }),
    from: z.string(),
    to: z.array(z.string()),
    cc: z.array(z.string()),
    bcc: z.array(z.string()),
    subject: z.string().meta({ description: 'The rendered subject.' }),
    tags: z.record(z.string(), z.string()),
    template: z.string().optional().meta({ description: 'The template it was rendered from, if any.' }),
    suppressed: z.array(z.string()).meta({ description: 'Addresses left out at submit time.' }),
    sesMessageId: z.string().optional().meta({ description: "SES's MessageId, once sent." }),
    failure: z
      .strictObject({
        code: z
          .string()
          .meta({ description: 'The SES error name (e.g. `MessageRejected`) or `OutcomeUnknown`.' }),
        message: z.string(),
      })
      .optional(),
    attempts: z.number().int().min(0).meta({ description: 'How many times a sender claimed the message.' }),
    createdAt: timestampSchema,
    updatedAt: timestampSchema.meta({
      description: 'Changes with the status and with every SES event recorded.',
    }),
    sentAt: timestampSchema.optional(),
    failedAt: timestampSchema.optional(),
    events: z.array(emailEventSchema).meta({
      description: `History in the order it was recorded: Mailroom's own events, then SES's as they arrive (SES
does not always report in time order, so compare \`at\` when it matters). SES events do not change
\`status\`: a mail that bounced stays \`sent\`.`,
    }),
  })
  .meta({ id: 'Email' });
