import { z } from 'zod';
import { contentRules, mailboxSchema, oneOrMany, singleLineText, tagsSchema } from '../emails/email-request';
import { AddressError, parseMailbox } from '../mail/addresses';
import { MAX_SUBJECT_LENGTH, TEMPLATE_NAME } from '../templates/template-rules';

export const MAX_RECIPIENTS_PER_CALL = 1000;
const MAX_TEST_ADDRESSES = 5;

/** `POST /v1/campaigns`. */
export const createCampaignSchema = z
  .strictObject({
    name: singleLineText(200).min(1, 'must not be empty'),
    from: mailboxSchema.optional(),
    replyTo: oneOrMany(10).optional(),
    subject: singleLineText(MAX_SUBJECT_LENGTH).min(1, 'must not be empty').optional(),
    html: z.string().min(1, 'must not be empty').optional(),
    text: z.string().min(1, 'must not be empty').optional(),
    template: z.string().regex(TEMPLATE_NAME, 'is not a valid template name').optional(),
    tags: tagsSchema.optional(),
  })
  .superRefine(contentRules);

/** One recipient row, from JSON or a CSV line: the address and the data merged into the mail. */
export const recipientRowSchema = z.strictObject({
  email: z.string(),
  data: z.record(z.string(), z.unknown()).optional(),
});

export const addRecipientsSchema = z.strictObject({
  recipients: z
    .array(z.unknown())
    .min(1, 'at least one recipient')
    .max(MAX_RECIPIENTS_PER_CALL, `at most ${MAX_RECIPIENTS_PER_CALL} per call`),
});

export const testSendSchema = z.strictObject({
  to: oneOrMany(MAX_TEST_ADDRESSES).refine((list) => list.length > 0, 'at least one address'),
  data: z.record(z.string(), z.unknown()).optional(),
});

export const sendCampaignSchema = z.strictObject({
  at: z.iso
    .datetime({ offset: true, message: 'must be an ISO 8601 date-time, e.g. 2026-12-01T09:00:00Z' })
    .optional(),
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
