import { z } from 'zod';
import { AddressError, type Mailbox, parseMailbox } from '../mail/addresses';
import { hasControlCharacters } from '../mail/control-characters';
import { headerNameProblem, headerValueProblem, MAX_CUSTOM_HEADERS } from '../mail/custom-headers';
import { MAX_SUBJECT_LENGTH, TEMPLATE_NAME } from '../templates/template-rules';

const MAX_RECIPIENTS = 50;
const MAX_TAGS = 10;
/** Names Mailroom sets itself on every mail, so SES events can be tied back to the message. */
const RESERVED_TAG_NAMES = ['stream', 'messageId', 'campaignId'];
// SES tag names and values: ASCII letters, digits, underscores and dashes, at most 256 characters.
const SES_TAG_TEXT = /^[A-Za-z0-9_-]{1,256}$/;

export const mailboxSchema = z.string().transform((value, ctx): Mailbox => {
  try {
    return parseMailbox(value);
  } catch (error) {
    if (!(error instanceof AddressError)) throw error;
    ctx.addIssue({ code: 'custom', message: `"${value.slice(0, 80)}" ${error.message}` });
    return z.NEVER;
  }
});
/**
 * One address or a list of them; a single string is read as a list of one. The parameter's type is
 * what callers may send (z.input, which the typed client's request types are), not a check: the
 * array schema checks whatever arrives.
 */
export const oneOrMany = (max: number) =>
  z.preprocess(
    (value: string | string[]) => (typeof value === 'string' ? [value] : value),
    z.array(mailboxSchema).max(max, `at most ${max} addresses`),
  );

export const singleLineText = (max: number) =>
  z
    .string()
    .max(max, `at most ${max} characters`)
    .refine((value) => !hasControlCharacters(value), 'must not contain CR, LF or other control characters');

export const tagsSchema = z
  .record(
    z.string().regex(SES_TAG_TEXT, 'tag names use letters, digits, _ and - (at most 256)'),
    z.string().regex(SES_TAG_TEXT, 'tag values use letters, digits, _ and - (at most 256)'),
  )
  .superRefine((value, ctx) => {
    const names = Object.keys(value);
    if (names.length > MAX_TAGS) ctx.addIssue({ code: 'custom', message: `at most ${MAX_TAGS} tags` });
    const reserved = RESERVED_TAG_NAMES.map((n) => n.toLowerCase());
    for (const name of names.filter((n) => reserved.includes(n.toLowerCase()))) {
      ctx.addIssue({ code: 'custom', path: [name], message: `"${name}" is reserved by Mailroom` });
    }
  });

const headers = z.record(z.string(), z.string()).superRefine((value, ctx) => {
  const entries = Object.entries(value);
  if (entries.length > MAX_CUSTOM_HEADERS) {
    ctx.addIssue({ code: 'custom', message: `at most ${MAX_CUSTOM_HEADERS} custom headers` });
  }
  const seen = new Set<string>();
  for (const [name, headerValue] of entries) {
    const problem = headerNameProblem(name) ?? headerValueProblem(headerValue);
    if (problem) ctx.addIssue({ code: 'custom', path: [name], message: `header "${name}" ${problem}` });
    if (seen.has(name.toLowerCase())) {
      ctx.addIssue({ code: 'custom', path: [name], message: `header "${name}" is given twice` });
    }
    seen.add(name.toLowerCase());
  }
});

/** The body of `POST /v1/emails`. Unknown fields are an error, not silently ignored. */
export const emailRequestSchema = z
  .strictObject({
    from: mailboxSchema.optional(),
    to: oneOrMany(MAX_RECIPIENTS),
    cc: oneOrMany(MAX_RECIPIENTS).optional(),
    bcc: oneOrMany(MAX_RECIPIENTS).optional(),
    replyTo: oneOrMany(10).optional(),
    subject: singleLineText(MAX_SUBJECT_LENGTH).min(1, 'must not be empty').optional(),
    html: z.string().min(1, 'must not be empty').optional(),
    text: z.string().min(1, 'must not be empty').optional(),
    template: z.string().regex(TEMPLATE_NAME, 'is not a valid template name').optional(),
    data: z.record(z.string(), z.unknown()).optional(),
    tags: tagsSchema.optional(),
    headers: headers.optional(),
  })
  .superRefine((request, ctx) => {
    const recipients = request.to.length + (request.cc?.length ?? 0) + (request.bcc?.length ?? 0);
    if (request.to.length === 0)
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'at least one address' });
    if (recipients > MAX_RECIPIENTS) {
      ctx.addIssue({
        code: 'custom',
        path: ['to'],
        message: `to, cc and bcc together hold ${recipients} addresses; at most ${MAX_RECIPIENTS}`,
      });
    }
    contentRules(request, ctx);
  });

/** Either a stored template, or inline content: a subject and html and/or text. */
export function contentRules(
  request: {
    template?: string | undefined;
    subject?: string | undefined;
    html?: string | undefined;
    text?: string | undefined;
  },
  ctx: z.RefinementCtx,
): void {
  if (request.template !== undefined) {
    for (const field of ['subject', 'html', 'text'] as const) {
      if (request[field] !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [field],
          message: 'give either a template or inline content',
        });
      }
    }
  } else {
    if (request.subject === undefined) {
      ctx.addIssue({ code: 'custom', path: ['subject'], message: 'required unless a template is given' });
    }
    if (request.html === undefined && request.text === undefined) {
      ctx.addIssue({ code: 'custom', path: ['html'], message: 'give html, text or both (or a template)' });
    }
  }
}

export type EmailRequest = z.infer<typeof emailRequestSchema>;
