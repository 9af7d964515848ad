import { z } from 'zod';
import { emailRequestSchema, MAX_RECIPIENTS } from '../../lambdas/emails/email-request';
import { emailAcceptedSchema, emailSchema } from '../../lambdas/emails/email-response';
import { IDEMPOTENCY_KEY, MAX_RENDERED_BYTES } from '../../lambdas/emails/submit-email';
import { MAX_BODY_BYTES } from '../../lambdas/functions/api/http';
import { resourceIdSchema } from '../../lambdas/functions/api/routes';
import { parseMailbox } from '../../lambdas/mail/addresses';
import { parseRequest, requireSendingDomain } from '../../lambdas/requests/validation';
import { MAX_SUBJECT_LENGTH, RENDER_LIMITS, RenderLimitError } from '../../lambdas/templates/template-rules';
import { MISSING_FIRST_NAME_EXAMPLE } from './examples';
import { err, type Operations, thrown } from './operation';
import {
  GATEWAY_FORBIDDEN,
  GATEWAY_THROTTLED,
  INTERNAL_ERROR,
  INVALID_PATH,
  UNSUPPORTED_MEDIA_TYPE,
} from './responses';

export const EMAIL_OPERATIONS = {
  sendEmail: {
    tag: 'emails',
    summary: 'Send a transactional email',
    description: `Validates, renders, leaves out suppressed recipients, stores the message and queues it;
the mail is sent asynchronously (poll \`GET /v1/emails/{id}\`). A rejected request sends
nothing and stores nothing.

- 1–${MAX_RECIPIENTS} recipients across \`to\`, \`cc\` and \`bcc\` together (\`to\` needs at least one); the same
  address twice (case-insensitive) gets one mail, in the first list it appears in.
- Recipients on the suppression list with \`scope: all\` (bounces, complaints, and entries
  written with PUT unless \`scope: bulk\`) are left out and listed in \`suppressed\`; if nobody is left the request fails
  with 422 \`all_recipients_suppressed\`. An unsubscribe (\`scope: bulk\`) does not stop
  transactional mail.
- Content is either \`template\` (+ \`data\`) or inline \`subject\` and \`html\` and/or \`text\`.
  Inline content is sent as written unless \`data\` is given; with \`data\` it is rendered
  like a template.
- Rendering is Handlebars in strict mode: a variable missing from \`data\` is a 422
  \`missing_variable\`; \`{{default name "fallback"}}\` gives an optional value a fallback.
  Values are HTML-escaped in \`html\` only; the rendered subject is joined onto one line and may
  be at most ${MAX_SUBJECT_LENGTH} characters (longer is a 422 \`unrenderable\`).
  The rendered subject, html and text together must stay within 300 KB (\`${MAX_RENDERED_BYTES}\` bytes).
- Rendering is bounded while it runs, per part: at most ${RENDER_LIMITS.blockIterations} block iterations
  (\`{{#each}}\` loops, nested ones multiplied: a 1,000-item list with a 10-item list in
  each is fine, four nested loops over 70 items are not) and at most ${RENDER_LIMITS.outputCharacters} characters
  of output; \`data\` may nest at most ${RENDER_LIMITS.dataDepth} levels deep. Over any is a 422
  \`render_limit_exceeded\` naming the part and the limit, found before anything is stored or sent.`,
    params: {
      header: z.object({
        'Idempotency-Key': z
          .string()
          .regex(IDEMPOTENCY_KEY)
          .optional()
          .meta({
            param: { id: 'IdempotencyKey', example: 'order-A-1042-receipt' },
            description: `1–255 visible ASCII characters. The first request with a key holds it for 24 hours:
- the same body again (the same JSON; key order and whitespace do not matter) returns the first
  202 response, and no second mail is sent;
- a different body is 409 \`idempotency_mismatch\`;
- while the first request is still being processed, 409 \`idempotency_in_progress\` (a claim left
  by a request that died is taken over after 60 s, with the same message id).
A request that is rejected does not use up its key. Keys are shared by every caller.`,
          }),
      }),
    },
    body: {
      schema: emailRequestSchema,
      examples: {
        inline: {
          summary: 'Inline content',
          value: {
            from: 'Acme <no-reply@mail.acme.com>',
            to: ['Jane Doe <jane@example.com>'],
            subject: 'Your receipt for order A-1042',
            html: '<p>Thanks for your order!</p>',
            text: 'Thanks for your order!',
            tags: {
              kind: 'receipt',
            },
            headers: {
              'X-Order-Id': 'A-1042',
            },
          },
        },
        template: {
          summary: 'A stored template with data',
          value: {
            to: 'jane@example.com',
            template: 'welcome',
            data: {
              first_name: 'Jane',
              plan: 'Pro',
            },
          },
        },
      },
    },
    responses: {
      202: {
        description: `Accepted and queued. Also the answer to a repeated request with the same
Idempotency-Key and body within 24 h: the first response again, and no second mail.`,
        schema: emailAcceptedSchema,
        examples: {
          queued: {
            value: {
              id: '3f0c5a4e-8a4b-4d52-9c1e-2b7d4f6a9e10',
              status: 'queued',
              suppressed: [],
            },
          },
          someSuppressed: {
            summary: 'One recipient left out',
            value: {
              id: '9b2e7c1d-4f3a-4e8b-a6d5-0c1f2e3d4b5a',
              status: 'queued',
              suppressed: ['old-address@example.com'],
            },
          },
        },
      },
      400: {
        description: 'The request is invalid.',
        examples: {
          validation_failed: thrown(() =>
            parseRequest(emailRequestSchema, {
              to: 'jane@',
              subject: 'Your receipt',
              text: 'Thanks!',
              tags: { stream: 'receipts' },
              headers: { 'Reply-To': 'support@acme.com' },
            }),
          ),
          fromOutsideSendingDomain: thrown(
            () => requireSendingDomain(parseMailbox('ceo@bank.example'), 'mail.acme.com'),
            'validation_failed for a from address outside the sending domain',
          ),
          invalid_json: err('invalid_json', 'The body is not valid JSON: Unexpected end of JSON input'),
          invalid_idempotency_key: err(
            'invalid_idempotency_key',
            'Idempotency-Key must be 1 to 255 visible ASCII characters',
          ),
        },
      },
      403: GATEWAY_FORBIDDEN,
      409: {
        description: 'The Idempotency-Key is taken by a different or unfinished request.',
        examples: {
          idempotency_mismatch: err(
            'idempotency_mismatch',
            'This Idempotency-Key was used with a different request body',
          ),
          idempotency_in_progress: err(
            'idempotency_in_progress',
            'A request with this Idempotency-Key is still being processed',
          ),
        },
      },
      413: {
        description: `The body is over 256 KB (${MAX_BODY_BYTES} bytes) (\`too_large\`), or the rendered mail is over 300 KB (\`rendered_too_large\`).`,
        examples: {
          bodyTooLarge: err('too_large', `The body is 301822 bytes; at most ${MAX_BODY_BYTES}`),
          renderedTooLarge: err(
            'rendered_too_large',
            `The rendered mail is 318004 bytes; at most ${MAX_RENDERED_BYTES}`,
          ),
        },
      },
      415: UNSUPPORTED_MEDIA_TYPE,
      422: {
        description: 'Valid, but cannot be sent as asked. Nothing was stored or queued.',
        examples: {
          all_recipients_suppressed: err(
            'all_recipients_suppressed',
            'Every recipient is on the suppression list',
            {
              details: {
                suppressed: ['bounced@example.com'],
              },
            },
          ),
          unknown_template: err('unknown_template', 'No template named "welcome"'),
          missing_variable: MISSING_FIRST_NAME_EXAMPLE,
          render_limit_exceeded: err(
            'render_limit_exceeded',
            `Template cannot be rendered: ${new RenderLimitError('html', 'blockIterations').message}`,
            {
              details: {
                field: 'html',
                limit: 'blockIterations',
                ...RENDER_LIMITS,
              },
              summary: 'Loops that would render 24 million times',
            },
          ),
          unrenderable: err('unrenderable', 'html, line 2: Parse error on line 2:', {
            details: {
              field: 'html',
              line: 2,
            },
            summary: 'Inline content with data that does not compile',
          }),
        },
      },
      429: GATEWAY_THROTTLED,
      500: INTERNAL_ERROR,
    },
  },
  getEmail: {
    tag: 'emails',
    summary: 'Status and event history of one email',
    description: `Addressing, status, failure and events of a message; not its content. The events are
Mailroom's own (queued, sending, sent…) followed by what SES reports about the mail
(delivery, bounce, complaint, open, click…), as they arrive.`,
    params: {
      path: z.object({
        id: resourceIdSchema.meta({
          param: { example: '3f0c5a4e-8a4b-4d52-9c1e-2b7d4f6a9e10' },
          description: 'The `id` from the 202 response. Anything not matching the pattern is a 404.',
        }),
      }),
    },
    responses: {
      200: {
        description: 'The email.',
        schema: emailSchema,
        examples: {
          sent: {
            value: {
              id: '3f0c5a4e-8a4b-4d52-9c1e-2b7d4f6a9e10',
              stream: 'transactional',
              status: 'sent',
              from: '"Acme" <no-reply@mail.acme.com>',
              to: ['"Jane Doe" <jane@example.com>'],
              cc: [],
              bcc: [],
              subject: 'Your receipt for order A-1042',
              tags: {
                kind: 'receipt',
              },
              suppressed: [],
              sesMessageId: '0102018f2a3b4c5d-6e7f8a9b-1c2d-3e4f-5a6b-7c8d9e0f1a2b-000000',
              attempts: 1,
              createdAt: '2025-05-06T09:14:02.118Z',
              updatedAt: '2025-05-06T09:21:41.207Z',
              sentAt: '2025-05-06T09:14:02.731Z',
              events: [
                {
                  type: 'queued',
                  at: '2025-05-06T09:14:02.118Z',
                },
                {
                  type: 'sending',
                  at: '2025-05-06T09:14:02.402Z',
                },
                {
                  type: 'sent',
                  at: '2025-05-06T09:14:02.731Z',
                  detail: '0102018f2a3b4c5d-6e7f8a9b-1c2d-3e4f-5a6b-7c8d9e0f1a2b-000000',
                },
                {
                  type: 'send',
                  at: '2025-05-06T09:14:02.690Z',
                  detail: 'jane@example.com',
                },
                {
                  type: 'delivery',
                  at: '2025-05-06T09:14:04.052Z',
                  detail:
                    'jane@example.com: 250 2.0.0 OK  1746522844 a1b2c3d4e5f6-20020a05600c3b1200b0042 - gsmtp',
                },
                {
                  type: 'open',
                  at: '2025-05-06T09:21:40.918Z',
                  detail: 'jane@example.com',
                },
              ],
            },
          },
          failed: {
            value: {
              id: '9b2e7c1d-4f3a-4e8b-a6d5-0c1f2e3d4b5a',
              stream: 'transactional',
              status: 'failed',
              from: '"Acme" <no-reply@mail.acme.com>',
              to: ['someone@unverified.example'],
              cc: [],
              bcc: [],
              subject: 'Welcome, Jane',
              tags: {},
              template: 'welcome',
              suppressed: [],
              failure: {
                code: 'MessageRejected',
                message:
                  'Email address is not verified. The following identities failed the check in region EU-WEST-1: someone@unverified.example',
              },
              attempts: 1,
              createdAt: '2025-05-06T09:20:11.004Z',
              updatedAt: '2025-05-06T09:20:11.388Z',
              failedAt: '2025-05-06T09:20:11.388Z',
              events: [
                {
                  type: 'queued',
                  at: '2025-05-06T09:20:11.004Z',
                },
                {
                  type: 'sending',
                  at: '2025-05-06T09:20:11.201Z',
                },
                {
                  type: 'failed',
                  at: '2025-05-06T09:20:11.388Z',
                  detail:
                    'MessageRejected: Email address is not verified. The following identities failed the check in region EU-WEST-1: someone@unverified.example',
                },
              ],
            },
          },
        },
      },
      400: INVALID_PATH,
      403: GATEWAY_FORBIDDEN,
      404: {
        description: 'No email with this id.',
        examples: {
          not_found: err('not_found', 'No email with id "3f0c5a4e-0000-0000-0000-000000000000"'),
        },
      },
      429: GATEWAY_THROTTLED,
      500: INTERNAL_ERROR,
    },
  },
} satisfies Pick<Operations, 'sendEmail' | 'getEmail'>;
