import * as z from 'zod';
import {
  CONTENT_RULES,
  contentRules,
  FROM_DESCRIPTION,
  MAX_REPLY_TO,
  mailboxSchema,
  oneOrMany,
  singleLineText,
  tagsSchema,
  templateNameSchema,
} from '../emails/email-request';
import { AddressError, parseMailbox } from '../mail/addresses';
import { MAX_SUBJECT_LENGTH } from '../templates/template-rules';

export const MAX_RECIPIENTS_PER_CALL = 1000;
/**
 * A campaign's content (subject, html and text together, UTF-8): three template parts' worth
 * (3 × 128 KiB), which its content part holds within DynamoDB's 400 KB item (409,600 bytes, key
 * and attribute names included). A create cannot exceed it (its body is at most 256 KB, a template
 * at most 3 × 128 KiB); edits merged one part at a time could, and are refused (413).
 */
export const MAX_CAMPAIGN_CONTENT_BYTES = 384 * 1024;
export const MAX_TEST_ADDRESSES = 5;
const MAX_NAME_LENGTH = 200;

/** `POST /v1/campaigns`. */
export const createCampaignSchema = z
  .strictObject({
    name: singleLineText(MAX_NAME_LENGTH)
      .min(1, 'must not be empty')
      .meta({ description: 'For people. Single line (no CR, LF or other control characters).' }),
    from: mailboxSchema.optional().meta({ description: FROM_DESCRIPTION }),
    replyTo: oneOrMany(MAX_REPLY_TO)
      .optional()
      .meta({ description: `Up to ${MAX_REPLY_TO} addresses (one, or a list).` }),
    subject: singleLineText(MAX_SUBJECT_LENGTH)
      .min(1, 'must not be empty')
      .optional()
      .meta({ description: 'Single line (no CR, LF or other control characters). Handlebars.' }),
    html: z
      .string()
      .min(1, 'must not be empty')
      .optional()
      .meta({ description: 'Handlebars; values are HTML-escaped.' }),
    text: z.string().min(1, 'must not be empty').optional().meta({ description: 'Handlebars.' }),
    template: templateNameSchema
      .optional()
      .meta({ description: 'A stored template whose content is copied into the campaign now.' }),
    tags: tagsSchema.optional().meta({
      description: 'On every campaign mail, besides the `stream` and `campaignId` tags Mailroom sets.',
    }),
  })
  .superRefine(contentRules)
  .meta({
    id: 'CampaignRequest',
    description: `Unknown fields are rejected. Give either \`template\` or inline content (\`subject\` plus
\`html\` and/or \`text\`), not both.`,
    ...CONTENT_RULES,
  });

/**
 * `PATCH /v1/campaigns/{id}`: what changes; every field left out stays as it is. Content is either
 * a `template` (its content copied now) or any of `subject`, `html` and `text`, each replacing that
 * part (`null` removes `html` or `text`); the content that results must still have a subject and
 * an html or text part.
 */
export const updateCampaignSchema = z
  .strictObject({
    name: createCampaignSchema.shape.name.optional(),
    from: createCampaignSchema.shape.from,
    replyTo: createCampaignSchema.shape.replyTo,
    subject: createCampaignSchema.shape.subject,
    html: z
      .string()
      .min(1, 'must not be empty')
      .nullable()
      .optional()
      .meta({ description: 'Handlebars; values are HTML-escaped. `null` removes the HTML part.' }),
    text: z
      .string()
      .min(1, 'must not be empty')
      .nullable()
      .optional()
      .meta({ description: 'Handlebars. `null` removes the text part.' }),
    template: createCampaignSchema.shape.template,
    tags: createCampaignSchema.shape.tags,
  })
  .superRefine((request, ctx) => {
    if (Object.keys(request).length === 0) ctx.addIssue({ code: 'custom', message: 'nothing to change' });
    if (request.template === undefined) return;
    for (const field of ['subject', 'html', 'text'] as const) {
      if (request[field] !== undefined)
        ctx.addIssue({ code: 'custom', path: [field], message: 'give either a template or inline content' });
    }
  })
  .meta({
    id: 'CampaignUpdate',
    description: `Unknown fields are rejected; at least one field. What is left out stays as it is. Give
either \`template\` or inline content fields, not both.`,
    minProperties: 1,
  });

/** One recipient row, from JSON or a CSV line: the address and the data merged into the mail. */
export const recipientRowSchema = z
  .strictObject({
    email: z.string().meta({ description: 'The address; a display name is accepted and dropped.' }),
    data: z
      .record(z.string(), z.unknown())
      .optional()
      .meta({ description: "Values for the content's Handlebars variables, for this recipient." }),
  })
  .meta({ id: 'RecipientRow', unusedIO: 'input' });

export const addRecipientsSchema = z
  .strictObject({
    recipients: z
      .array(z.unknown())
      .min(1, 'at least one recipient')
      .max(MAX_RECIPIENTS_PER_CALL, `at most ${MAX_RECIPIENTS_PER_CALL} per call`)
      .meta({
        description: `Rows \`{email, data?}\` (\`RecipientRow\`). Each row is checked on its own: a row that is not
a \`RecipientRow\` is reported in the result's \`invalid\`, not refused with a 400.`,
      }),
  })
  .meta({ id: 'RecipientsRequest', description: 'Unknown fields are rejected.' });

export const testSendSchema = z
  .strictObject({
    to: oneOrMany(MAX_TEST_ADDRESSES)
      .refine((list) => list.length > 0, 'at least one address')
      .meta({
        description: `1–${MAX_TEST_ADDRESSES} addresses (one, or a list); each gets its own test mail.`,
        minItems: 1,
      }),
    data: z
      .record(z.string(), z.unknown())
      .optional()
      .meta({ description: "Values for the content's Handlebars variables, for every test mail." }),
  })
  .meta({ id: 'TestSendRequest', description: 'Unknown fields are rejected.' });

export const sendCampaignSchema = z
  .strictObject({
    at: z.iso
      .datetime({ offset: true, message: 'must be an ISO 8601 date-time, e.g. 2026-12-01T09:00:00Z' })
      .optional()
      .meta({
        description: `When to start: an ISO 8601 date-time with \`Z\` or an offset (\`2026-12-01T09:00:00Z\`,
\`2026-12-01T10:00:00+01:00\`). Past or within a second from now means now.`,
        examples: ['2026-12-01T09:00:00Z'],
      }),
  })
  .meta({
    id: 'SendRequest',
    description: 'Unknown fields are rejected. Without `at` (or without a body), the campaign starts now.',
  });

/** A recipient address, or why it is refused. */
export function parseRecipientAddress(value: unknown): { address: string } | { problem: string } {
  if (typeof value !== 'string') return { problem: 'email must be a string' };
  try {
    return { address: parseMailbox(value).address };
  } catch (error) {
    if (error instanceof AddressError) return { problem: `email ${error.message}` };
    throw error;
  }
}
