import * as z from 'zod';
import { AddressError, type Mailbox, parseMailbox } from '../mail/addresses';
import {
  hasControlCharacters,
  NO_CONTROL_CHARACTERS,
  NO_CONTROL_CHARACTERS_BUT_TAB,
} from '../mail/control-characters';
import {
  HEADER_NAME,
  headerNameProblem,
  headerValueProblem,
  MAX_CUSTOM_HEADERS,
  MAX_HEADER_VALUE_LENGTH,
  RESERVED_HEADERS,
  RESERVED_PREFIXES,
} from '../mail/custom-headers';
import { anyCase, oneOrManyJsonSchema } from '../requests/json-schema';
import { MAX_SUBJECT_LENGTH, TEMPLATE_NAME } from '../templates/template-rules';

export const MAX_RECIPIENTS = 50;
export const MAX_REPLY_TO = 10;
const MAX_TAGS = 10;
/** Names Mailroom sets itself on every mail, so SES events can be tied back to the message. */
const RESERVED_TAG_NAMES = ['stream', 'messageId', 'campaignId'];
// SES tag names and values: ASCII letters, digits, underscores and dashes, at most 256 characters.
const SES_TAG_TEXT = /^[A-Za-z0-9_-]{1,256}$/;

export const mailboxSchema = z
  .string()
  .transform((value, ctx): Mailbox => {
    try {
      return parseMailbox(value);
    } catch (error) {
      if (!(error instanceof AddressError)) throw error;
      ctx.addIssue({ code: 'custom', message: `"${value.slice(0, 80)}" ${error.message}` });
      return z.NEVER;
    }
  })
  .meta({
    id: 'Mailbox',
    description: `\`jane@example.com\`, \`Jane Doe <jane@example.com>\` or \`"Jane Doe" <jane@example.com>\`.
Address at most 254 characters, local part at most 64 (unquoted, ASCII), domain with at least two
labels (IDN domains are converted to punycode); display name at most 200 characters; no control
characters.`,
    // Through `override`: zod-openapi drops `examples` from a transform's input schema.
    override: { examples: ['Jane Doe <jane@example.com>'] },
  });
/**
 * One address or a list of them; a single string is read as a list of one. The parameter's type is
 * what callers may send (z.input, which the typed client's request types are), not a check: the
 * array schema checks whatever arrives.
 */
export const oneOrMany = (max: number) =>
  z
    .preprocess(
      (value: string | string[]) => (typeof value === 'string' ? [value] : value),
      z.array(mailboxSchema).max(max, `at most ${max} addresses`),
    )
    .meta({ override: oneOrManyJsonSchema });

export const singleLineText = (max: number) =>
  z
    .string()
    .max(max, `at most ${max} characters`)
    .refine((value) => !hasControlCharacters(value), 'must not contain CR, LF or other control characters')
    .meta({ pattern: NO_CONTROL_CHARACTERS });

export const FROM_DESCRIPTION = "Must be at the sending domain. Default is the deployment's default From.";

/** A stored template's name, as a request names it. */
export const templateNameSchema = z
  .string()
  .regex(TEMPLATE_NAME, 'is not a valid template name')
  .meta({ id: 'TemplateName', description: '1–64 letters, digits, `_` or `-`.' });

/** The reserved tag names in any case, as one JSON Schema pattern. */
const RESERVED_TAG_NAME = `^(?:${RESERVED_TAG_NAMES.map(anyCase).join('|')})$`;
/** The reserved header names and prefixes in any case, as one JSON Schema pattern. */
const RESERVED_HEADER_NAME = `^(?:(?:${[...RESERVED_HEADERS].map(anyCase).join('|')})$|${RESERVED_PREFIXES.map(anyCase).join('|')})`;

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
  })
  .meta({
    id: 'Tags',
    description: `Up to ${MAX_TAGS} SES message tags. Names and values are 1–256 ASCII letters, digits, \`_\` or \`-\`;
${RESERVED_TAG_NAMES.map((n) => `\`${n}\``).join(', ')} (in any case) are set by Mailroom and cannot be used.`,
    maxProperties: MAX_TAGS,
    override: {
      propertyNames: { type: 'string', pattern: SES_TAG_TEXT.source, not: { pattern: RESERVED_TAG_NAME } },
    },
  });

const headers = z
  .record(z.string(), z.string())
  .superRefine((value, ctx) => {
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
  })
  .meta({
    description: `Up to ${MAX_CUSTOM_HEADERS} custom mail headers. Names are letters, digits and \`-\` (at most 64, starting
with a letter or digit), each at most once (case-insensitive). Values are at most ${MAX_HEADER_VALUE_LENGTH}
characters, with no control characters except tab. Headers Mailroom or SES set cannot be given
(in any case): ${[...RESERVED_HEADERS].join(', ')}, and any name starting with ${RESERVED_PREFIXES.map((p) => `\`${p}\``).join(', ')}.`,
    maxProperties: MAX_CUSTOM_HEADERS,
    override: {
      propertyNames: { type: 'string', pattern: HEADER_NAME.source, not: { pattern: RESERVED_HEADER_NAME } },
      additionalProperties: {
        type: 'string',
        maxLength: MAX_HEADER_VALUE_LENGTH,
        pattern: NO_CONTROL_CHARACTERS_BUT_TAB,
      },
    },
  });

/** contentRules as JSON Schema, for the OpenAPI document. */
export const CONTENT_RULES = {
  oneOf: [
    {
      required: ['template'],
      not: { anyOf: [{ required: ['subject'] }, { required: ['html'] }, { required: ['text'] }] },
    },
    {
      required: ['subject'],
      anyOf: [{ required: ['html'] }, { required: ['text'] }],
      not: { required: ['template'] },
    },
  ],
};

/** The body of `POST /v1/emails`. Unknown fields are an error, not silently ignored. */
export const emailRequestSchema = z
  .strictObject({
    from: mailboxSchema.optional().meta({ description: FROM_DESCRIPTION }),
    to: oneOrMany(MAX_RECIPIENTS).meta({
      description: `At least one address. \`to\`, \`cc\` and \`bcc\` together hold at most ${MAX_RECIPIENTS}; the same address twice (case-insensitive) gets one mail, in the first list it appears in.`,
      minItems: 1,
    }),
    cc: oneOrMany(MAX_RECIPIENTS).optional(),
    bcc: oneOrMany(MAX_RECIPIENTS).optional(),
    replyTo: oneOrMany(MAX_REPLY_TO)
      .optional()
      .meta({
        description: `Up to ${MAX_REPLY_TO} addresses; not counted toward the ${MAX_RECIPIENTS} recipients.`,
      }),
    subject: singleLineText(MAX_SUBJECT_LENGTH)
      .min(1, 'must not be empty')
      .optional()
      .meta({ description: 'Single line (no CR, LF or other control characters).' }),
    html: z.string().min(1, 'must not be empty').optional(),
    text: z.string().min(1, 'must not be empty').optional(),
    template: templateNameSchema.optional().meta({ description: 'Name of a stored template.' }),
    data: z
      .record(z.string(), z.unknown())
      .optional()
      .meta({ description: "Values for the template's (or the inline content's) Handlebars variables." }),
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
  })
  .meta({
    id: 'EmailRequest',
    description: `Unknown fields are rejected. Give either \`template\` or inline content (\`subject\` plus
\`html\` and/or \`text\`), not both.`,
    ...CONTENT_RULES,
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
