import { UPLOAD_LEASE_MS } from '../../lambdas/campaigns/campaign';
import {
  addRecipientsSchema,
  createCampaignSchema,
  MAX_RECIPIENTS_PER_CALL,
  MAX_TEST_ADDRESSES,
  sendCampaignSchema,
  testSendSchema,
  updateCampaignSchema,
} from '../../lambdas/campaigns/campaign-request';
import {
  campaignListSchema,
  campaignRecipientSchema,
  campaignSchema,
  campaignWithProgressSchema,
  recipientsResultSchema,
  testSendAcceptedSchema,
} from '../../lambdas/campaigns/campaign-response';
import { EDIT_CHECK_BUDGET_MS, EDIT_FAILURES_SHOWN } from '../../lambdas/campaigns/manage-campaigns';
import { MAX_DATA_BYTES, MAX_DATA_DEPTH, rowsFromCsv } from '../../lambdas/campaigns/recipient-import';
import { parseMailbox } from '../../lambdas/mail/addresses';
import { parseRequest, requireSendingDomain } from '../../lambdas/requests/validation';
import { checkSyntaxOrThrow } from '../../lambdas/templates/template-errors';
import { MAX_SUBJECT_LENGTH, RENDER_LIMITS, RenderLimitError } from '../../lambdas/templates/template-rules';
import { BAD_PAGE_QUERY, BODY_NOT_JSON, MISSING_FIRST_NAME_EXAMPLE } from './examples';
import { err, type Operations, thrown } from './operation';
import { CAMPAIGN_ID_PATH, PAGE_QUERY, RECIPIENT_EMAIL_PATH } from './parameters';
import {
  BODY_TOO_LARGE,
  BULK_PAUSED_EXAMPLE,
  CAMPAIGN_CHANGED_MEANWHILE_EXAMPLE,
  CAMPAIGN_NOT_FOUND,
  GATEWAY_FORBIDDEN,
  GATEWAY_THROTTLED,
  INTERNAL_ERROR,
  INVALID_EMAIL,
  INVALID_PATH,
  UNSUPPORTED_MEDIA_TYPE,
  UPLOAD_IN_PROGRESS_EXAMPLE,
} from './responses';

/** The example campaign's content, as a request gives it. */
const NEWSLETTER = {
  subject: 'What\'s new in November, {{default first_name "friend"}}',
  html: '<p>Hi {{default first_name "friend"}}, …</p><p><a href="{{unsubscribe_url}}">Unsubscribe</a></p>',
  text: 'Hi {{default first_name "friend"}}, … Unsubscribe: {{unsubscribe_url}}',
};
const NEWSLETTER_TAGS = { kind: 'newsletter' };
const SCHEDULED_AT = '2026-12-01T09:00:00.000Z';
const STARTED_AT = '2026-12-01T09:00:00.512Z';

const NO_TOTALS = { recipients: 0, queued: 0, sent: 0, failed: 0, suppressed: 0, cancelled: 0 };
const NO_EVENTS = {
  delivered: 0,
  bounced: 0,
  complained: 0,
  rejected: 0,
  renderingFailures: 0,
  delayed: 0,
  opens: 0,
  uniqueOpens: 0,
  clicks: 0,
  uniqueClicks: 0,
  unsubscribed: 0,
};

/**
 * The example campaign as an answer shows it. `stamps` are its times after `createdAt` (and
 * `pausedBy`), in the order the answer lists them.
 */
function newsletterCampaign(
  status: string,
  stamps: Record<string, string>,
  totals: typeof NO_TOTALS = NO_TOTALS,
  events: typeof NO_EVENTS = NO_EVENTS,
  content: Partial<typeof NEWSLETTER> = { subject: NEWSLETTER.subject, text: NEWSLETTER.text },
) {
  return {
    id: '6f1d2c3b-4a5e-4f60-8b7c-1d2e3f4a5b6c',
    name: 'November newsletter',
    status,
    from: '"Acme" <news@mail.acme.com>',
    replyTo: [],
    content,
    tags: NEWSLETTER_TAGS,
    createdAt: '2026-11-22T10:00:00.000Z',
    ...stamps,
    totals,
    events,
  };
}

const SCHEDULED_CAMPAIGN = newsletterCampaign(
  'scheduled',
  { updatedAt: '2026-11-22T10:20:41.930Z', scheduledAt: SCHEDULED_AT },
  { ...NO_TOTALS, recipients: 12480 },
);

const PAUSED_STAMPS = {
  updatedAt: '2026-12-01T09:06:30.118Z',
  scheduledAt: SCHEDULED_AT,
  startedAt: STARTED_AT,
  pausedAt: '2026-12-01T09:06:30.118Z',
  pausedBy: 'user',
};
const PAUSED_TOTALS = { recipients: 12480, queued: 188, sent: 5602, failed: 4, suppressed: 63, cancelled: 0 };
const PAUSED_EVENTS = {
  delivered: 5528,
  bounced: 43,
  complained: 2,
  rejected: 0,
  renderingFailures: 0,
  delayed: 3,
  opens: 2390,
  uniqueOpens: 1744,
  clicks: 412,
  uniqueClicks: 319,
  unsubscribed: 18,
};

export const CAMPAIGN_OPERATIONS = {
  createCampaign: {
    tag: 'campaigns',
    summary: 'Create a campaign (a draft)',
    description: `Creates a \`draft\`. Next: add recipients (\`POST /v1/campaigns/{id}/recipients\`), try it
(\`POST /v1/campaigns/{id}/test\`), then send or schedule it (\`POST /v1/campaigns/{id}/send\`).

- Content is either \`template\` or inline \`subject\` and \`html\` and/or \`text\`. A template's
  content is copied now: later edits to the template do not change the campaign.
- Every part is compiled now, so a Handlebars syntax error is a 400
  \`template_syntax_error\` here, not a failure mid-send.
- Content is rendered for each recipient with their \`data\` (Handlebars in strict mode, as in
  \`POST /v1/emails\`), plus \`{{unsubscribe_url}}\`: the recipient's one-click unsubscribe URL,
  which recipient data cannot override.
- Every campaign mail carries \`List-Unsubscribe: <URL>\` and
  \`List-Unsubscribe-Post: List-Unsubscribe=One-Click\` (RFC 8058). The URL is
  \`{public base URL}/unsubscribe?token=…\`, the token naming the recipient and the campaign
  and signed with HMAC-SHA256.
- Recipients on the suppression list when their turn comes are left out and counted in
  \`totals.suppressed\`.

Not idempotent: the same request again creates another campaign.`,
    body: {
      schema: createCampaignSchema,
      examples: {
        inline: {
          summary: 'Inline content',
          value: {
            name: 'November newsletter',
            from: 'Acme <news@mail.acme.com>',
            ...NEWSLETTER,
            tags: NEWSLETTER_TAGS,
          },
        },
        template: {
          summary: 'Content copied from a stored template',
          value: {
            name: 'Pro plan launch',
            template: 'pro-launch',
            replyTo: 'support@acme.com',
          },
        },
      },
    },
    responses: {
      201: {
        description: 'The campaign, as a draft with no recipients.',
        schema: campaignSchema,
        examples: {
          draft: {
            value: newsletterCampaign(
              'draft',
              { updatedAt: '2026-11-22T10:00:00.000Z' },
              NO_TOTALS,
              NO_EVENTS,
              NEWSLETTER,
            ),
          },
        },
      },
      400: {
        description: 'The request is invalid, or the content does not compile.',
        examples: {
          validation_failed: thrown(() =>
            parseRequest(createCampaignSchema, { name: 'November newsletter' }),
          ),
          fromOutsideSendingDomain: thrown(
            () => requireSendingDomain(parseMailbox('news@bank.example'), 'mail.acme.com'),
            'validation_failed for a from address outside the sending domain',
          ),
          template_syntax_error: thrown(() =>
            checkSyntaxOrThrow({ subject: 'November', html: '<p>{{#if first_name}}Hi {{first_name}}</p>' }),
          ),
          invalid_json: err('invalid_json', 'The body is empty; expected a JSON object'),
        },
      },
      403: GATEWAY_FORBIDDEN,
      413: BODY_TOO_LARGE,
      415: UNSUPPORTED_MEDIA_TYPE,
      422: {
        description: 'The `template` does not exist. Nothing was stored.',
        examples: {
          unknown_template: err('unknown_template', 'No template named "pro-launch"'),
        },
      },
      429: GATEWAY_THROTTLED,
      500: INTERNAL_ERROR,
    },
  },
  listCampaigns: {
    tag: 'campaigns',
    summary: 'List campaigns',
    params: { query: PAGE_QUERY },
    description: `One page of campaigns, in no particular order, without the progress fields of
\`GET /v1/campaigns/{id}\`. A page can hold fewer than \`limit\` items (even none) while
\`nextCursor\` is present; stop when \`nextCursor\` is absent.`,
    responses: {
      200: {
        description: 'One page of campaigns.',
        schema: campaignListSchema,
        examples: {
          page: {
            value: {
              items: [SCHEDULED_CAMPAIGN],
              nextCursor: 'eyJpZCI6IjZmMWQyYzNiLTRhNWUtNGY2MC04YjdjLTFkMmUzZjRhNWI2YyJ9',
            },
          },
        },
      },
      400: BAD_PAGE_QUERY,
      403: GATEWAY_FORBIDDEN,
      429: GATEWAY_THROTTLED,
      500: INTERNAL_ERROR,
    },
  },
  getCampaign: {
    tag: 'campaigns',
    summary: 'One campaign and its progress',
    params: { path: CAMPAIGN_ID_PATH },
    description: `The campaign, its totals, what SES reported back (\`events\`), and how far and how fast it
is going.`,
    responses: {
      200: {
        description: 'The campaign with its progress.',
        schema: campaignWithProgressSchema,
        examples: {
          sending: {
            value: {
              ...newsletterCampaign(
                'sending',
                { updatedAt: '2026-12-01T09:06:12.407Z', scheduledAt: SCHEDULED_AT, startedAt: STARTED_AT },
                { recipients: 12480, queued: 212, sent: 5371, failed: 4, suppressed: 61, cancelled: 0 },
                {
                  delivered: 5302,
                  bounced: 41,
                  complained: 2,
                  rejected: 0,
                  renderingFailures: 0,
                  delayed: 3,
                  opens: 2214,
                  uniqueOpens: 1630,
                  clicks: 388,
                  uniqueClicks: 301,
                  unsubscribed: 17,
                },
              ),
              progress: 0.4355769230769231,
              currentRate: 14,
              etaSeconds: 504,
              waitingForQuota: false,
            },
          },
        },
      },
      400: INVALID_PATH,
      403: GATEWAY_FORBIDDEN,
      404: CAMPAIGN_NOT_FOUND,
      429: GATEWAY_THROTTLED,
      500: INTERNAL_ERROR,
    },
  },
  updateCampaign: {
    tag: 'campaigns',
    summary: 'Edit a draft or scheduled campaign',
    params: { path: CAMPAIGN_ID_PATH },
    description: `Changes what the body names (\`name\`, \`from\`, \`replyTo\`, \`tags\`, the content);
what it leaves out stays as it is. Allowed while the campaign is \`draft\` or \`scheduled\` (a
schedule stays as it is); once it has started, its content is what went out.

- Content: \`template\` (its content copied now), or any of \`subject\`, \`html\` and \`text\`,
  each replacing that part (\`null\` removes \`html\` or \`text\`; at least one must remain).
  New inline content drops the campaign's link to a template.
- New content is compiled (400 \`template_syntax_error\`) and rendered with the data of every
  recipient already added: if it does not render for some (it uses a variable their data lacks),
  the edit is a 422 \`unrenderable_for_recipients\` naming the first ${EDIT_FAILURES_SHOWN} and nothing changes.
- A list too long to check in one request (about ${EDIT_CHECK_BUDGET_MS / 1000} s of checking) cannot take new
  content: 409 \`too_many_recipients_to_check\`; its name, sender and tags can still change.
- Refused with 409 \`upload_in_progress\` while recipients are being added, and with 409
  \`invalid_state\` when an upload or another edit came in while this one checked the rows (send it
  again); an upload that overlaps an edit checks its rows against the content it ends up with.

Sending the same edit again leaves the same campaign.`,
    body: {
      schema: updateCampaignSchema,
      examples: {
        subject: {
          summary: 'A new subject; everything else stays',
          value: { subject: 'November at Acme, {{first_name}}: three new things' },
        },
        content: {
          summary: 'New HTML, the text part removed, a new name',
          value: {
            name: 'November newsletter (v2)',
            html: '<p>Hi {{first_name}}</p><p><a href="{{unsubscribe_url}}">Unsubscribe</a></p>',
            text: null,
          },
        },
        template: { summary: "A stored template's content copied in", value: { template: 'pro-launch' } },
      },
    },
    responses: {
      200: {
        description: 'The campaign as edited.',
        schema: campaignSchema,
        examples: {
          draft: {
            value: {
              ...newsletterCampaign(
                'draft',
                { updatedAt: '2026-11-22T10:20:00.000Z' },
                { ...NO_TOTALS, recipients: 12480 },
                NO_EVENTS,
                NEWSLETTER,
              ),
              content: { ...NEWSLETTER, subject: 'November at Acme, {{first_name}}: three new things' },
            },
          },
        },
      },
      400: {
        description: 'The request is invalid, or the content does not compile.',
        examples: {
          validation_failed: thrown(() =>
            parseRequest(updateCampaignSchema, { template: 'pro-launch', subject: 'x' }),
          ),
          template_syntax_error: thrown(() =>
            checkSyntaxOrThrow({ subject: 'November', html: '<p>{{#if first_name}}Hi {{first_name}}</p>' }),
          ),
        },
      },
      403: GATEWAY_FORBIDDEN,
      404: CAMPAIGN_NOT_FOUND,
      409: {
        description:
          'Not `draft` or `scheduled`, an upload of recipients is in progress, the list is too long to check new content against, or an upload or another edit came in meanwhile. Nothing changed.',
        examples: {
          invalid_state: err(
            'invalid_state',
            'Campaign 6f1d2c3b-4a5e-4f60-8b7c-1d2e3f4a5b6c: cannot edit a campaign that is sending (allowed when draft or scheduled)',
          ),
          upload_in_progress: UPLOAD_IN_PROGRESS_EXAMPLE,
          too_many_recipients_to_check: err(
            'too_many_recipients_to_check',
            'Campaign 6f1d2c3b-4a5e-4f60-8b7c-1d2e3f4a5b6c has more recipients than an edit can check against new content in one request (41200 checked): its content can no longer change (its name, sender and tags can, with the same content). Create a new campaign for new content',
          ),
          changedMeanwhile: CAMPAIGN_CHANGED_MEANWHILE_EXAMPLE,
        },
      },
      413: BODY_TOO_LARGE,
      415: UNSUPPORTED_MEDIA_TYPE,
      422: {
        description:
          'The `template` does not exist, or the new content does not render for some recipients already added. Nothing changed.',
        examples: {
          unknown_template: err('unknown_template', 'No template named "pro-launch"'),
          unrenderable_for_recipients: err(
            'unrenderable_for_recipients',
            "The new content does not render for 2 of the campaign's recipients (their data lacks what it uses); nothing was changed",
            {
              details: {
                failures: [
                  { email: 'jane@example.org', reason: 'missing variable "plan"' },
                  { email: 'li@example.org', reason: 'missing variable "plan"' },
                ],
              },
            },
          ),
        },
      },
      429: GATEWAY_THROTTLED,
      500: INTERNAL_ERROR,
    },
  },
  addCampaignRecipients: {
    tag: 'campaigns',
    summary: 'Add recipients, as JSON or CSV',
    params: { path: CAMPAIGN_ID_PATH },
    description: `Adds up to ${MAX_RECIPIENTS_PER_CALL} recipients per call to a \`draft\` or \`scheduled\` campaign (409
\`invalid_state\` otherwise). The body is one of:

- JSON (\`Content-Type: application/json\`): \`{"recipients": [{"email", "data"?}]}\`, 1–${MAX_RECIPIENTS_PER_CALL}
  rows.
- CSV (\`Content-Type: text/csv\`, UTF-8, comma-separated, RFC 4180 quoting): a header row
  with an \`email\` column and any data columns, then one recipient per line, at most ${MAX_RECIPIENTS_PER_CALL};
  lines may end in CRLF, LF or CR, mixed. A header names a merge variable trimmed,
  lower-cased, with each run of spaces or hyphens made one underscore: \`First_Name\`,
  \`first name\` and \`First-Name\` all fill \`{{first_name}}\` (so write merge variables in
  lower case for CSV; JSON \`data\` keys are taken exactly as given). Cells are trimmed and
  become the recipient's \`data\` as strings (a number is kept exactly as written); an
  empty cell is left out. Empty lines and a leading BOM are ignored. A line with more or
  fewer cells than the header is one invalid row. A CSV that cannot be parsed (e.g. an
  unclosed quote), has no \`email\` column, an unnamed column or two columns naming the same
  variable is refused whole (400 \`invalid_csv\`); so is one of more than ${MAX_RECIPIENTS_PER_CALL} lines (400
  \`too_many_recipients\`, the same code as a JSON list over ${MAX_RECIPIENTS_PER_CALL}). An upload with no rows at
  all (an empty CSV or one with only a header) is 400 \`no_rows\`.

Each row is checked on its own; one bad row does not refuse the others:
- an invalid address, or a row that is not \`{email, data?}\`, is listed in \`invalid\`;
- so is a row whose \`data\` leaves a variable of the content without a value (or makes the
  content fail to render, e.g. a subject over ${MAX_SUBJECT_LENGTH} characters), so that a broken mail is
  refused now rather than sent later;
- so is a row whose \`data\` cannot be stored exactly: a number beyond ±(2^53 − 1) (e.g.
  \`12345678901234567\`, \`1e300\`) or closer to 0 than 1e-130 (e.g. \`1e-200\`): send such
  values as strings; a key \`constructor\`, \`__proto__\` or \`prototype\` (at any depth, in JSON
  and CSV alike) or an empty key; more than ${MAX_DATA_BYTES / 1024} KB of JSON or ${MAX_DATA_DEPTH} levels of nesting;
- an address already in the campaign, or named earlier in the same call
  (case-insensitive), is added once and the repeats are counted in \`duplicates\`;
- the rest are added.

\`email\` may carry a display name (\`Jane <jane@example.com>\`); it is dropped.

An upload is all or nothing for the campaign: rows are checked before anything is written,
a start (\`send\`, a scheduled start, \`resume\`) waits for an upload in progress (409
\`upload_in_progress\` on \`send\`/\`resume\`), and an upload that fails half-way (503
\`upload_incomplete\`, or a dropped connection) is completed by sending it again: the rows
it had written are counted then, not reported as duplicates.`,
    body: {
      schema: addRecipientsSchema,
      examples: {
        json: {
          value: {
            recipients: [
              {
                email: 'jane@example.com',
                data: {
                  first_name: 'Jane',
                  plan: 'Pro',
                },
              },
              {
                email: 'omar@example.com',
              },
            ],
          },
        },
      },
      csv: {
        description: 'A header row naming `email` and any data columns, then one recipient per line.',
        examples: {
          csv: {
            value: `email,first_name,plan
jane@example.com,Jane,Pro
omar@example.com,,Free`,
          },
        },
      },
    },
    responses: {
      200: {
        description: 'What was added, what was already there, and which rows were refused and why.',
        schema: recipientsResultSchema,
        examples: {
          someInvalid: {
            value: {
              added: 2,
              duplicates: 1,
              invalid: [
                {
                  row: 3,
                  email: 'bob@',
                  reason: 'email must have a local part and a domain (name@domain)',
                },
                {
                  row: 4,
                  reason: 'email: Invalid input: expected string, received number',
                },
                {
                  row: 5,
                  email: 'lee@example.com',
                  reason: 'missing variable "order.id"',
                },
              ],
            },
          },
        },
      },
      400: {
        description: `The JSON is not \`{"recipients": [...]}\` with 1–${MAX_RECIPIENTS_PER_CALL} rows, the CSV cannot be read or has
over ${MAX_RECIPIENTS_PER_CALL} lines, or the path is not valid URL encoding.`,
        examples: {
          validation_failed: thrown(() => parseRequest(addRecipientsSchema, { recipients: [] })),
          invalid_csv: thrown(() =>
            rowsFromCsv('address,first_name\njane@example.com,Jane\n', MAX_RECIPIENTS_PER_CALL),
          ),
          invalidCsvRecord: thrown(
            () => rowsFromCsv('email,first_name\n"jane@example.com,Jane\n', MAX_RECIPIENTS_PER_CALL),
            'invalid_csv for a file that cannot be parsed',
          ),
          too_many_recipients: thrown(() =>
            rowsFromCsv(
              [
                'email',
                ...Array.from({ length: MAX_RECIPIENTS_PER_CALL + 1 }, (_, i) => `r${i}@example.com`),
              ].join('\n'),
              MAX_RECIPIENTS_PER_CALL,
            ),
          ),
          no_rows: err('no_rows', 'The upload holds no recipient rows'),
          invalid_json: err('invalid_json', 'The body is not valid JSON: Unexpected end of JSON input'),
          invalid_path: err('invalid_path', 'The path is not valid URL encoding'),
        },
      },
      403: GATEWAY_FORBIDDEN,
      404: CAMPAIGN_NOT_FOUND,
      409: {
        description: `The campaign cannot take these rows: it is not \`draft\` or \`scheduled\` (nothing was
added); its start is due within ${UPLOAD_LEASE_MS / 1000} s or waits for uploads in progress
(\`start_pending\`: nothing was added); or this upload's registration ran out and the
campaign started without its rows (\`upload_expired\`: check each recipient with
\`GET /v1/campaigns/{id}/recipients/{email}\`).`,
        examples: {
          invalid_state: err(
            'invalid_state',
            'Campaign 6f1d2c3b-4a5e-4f60-8b7c-1d2e3f4a5b6c: cannot add recipients to a campaign that is sending (allowed when draft or scheduled)',
          ),
          start_pending: err(
            'start_pending',
            `Campaign 6f1d2c3b-4a5e-4f60-8b7c-1d2e3f4a5b6c: it starts at 2026-12-01T09:00:00.000Z; recipients can no longer be added within ${UPLOAD_LEASE_MS / 1000} s of a scheduled start (reschedule it to add more)`,
          ),
          upload_expired: err(
            'upload_expired',
            "Campaign 6f1d2c3b-4a5e-4f60-8b7c-1d2e3f4a5b6c started (sending) after this upload's registration ran out, before it could count its 612 rows: those rows may not be mailed. GET /v1/campaigns/6f1d2c3b-4a5e-4f60-8b7c-1d2e3f4a5b6c/recipients/{email} shows each one's state (pending in a started campaign: not mailed; the next recount queues any still pending)",
          ),
        },
      },
      413: BODY_TOO_LARGE,
      415: {
        description: 'The Content-Type is neither `application/json` nor `text/csv`.',
        examples: {
          unsupported_media_type: err(
            'unsupported_media_type',
            'Send the body as JSON (Content-Type: application/json) or CSV (Content-Type: text/csv)',
          ),
        },
      },
      429: GATEWAY_THROTTLED,
      500: INTERNAL_ERROR,
      503: {
        description: `The upload ran out of time after writing some rows, or the database failed part-way
(\`Retry-After\` says when to try again). Nothing is lost: send the same rows again (in any
order or case) and every row is counted exactly once.`,
        examples: {
          upload_incomplete: err(
            'upload_incomplete',
            '612 rows were written before the upload ran out of time; they are kept, and counted when the same rows are sent again (in any order), which adds the other 388',
          ),
        },
      },
    },
  },
  getCampaignRecipient: {
    tag: 'campaigns',
    summary: 'One recipient of a campaign, with what SES reported about its mail',
    params: { path: RECIPIENT_EMAIL_PATH },
    description: `The recipient's state (\`pending\` → \`queued\` → \`sending\` → \`sent\`, or \`failed\`,
\`suppressed\`, \`cancelled\` with the \`reason\`), the SES MessageId of its mail, SES's events
about it (each once, as they arrived) and the \`List-Unsubscribe\` and
\`List-Unsubscribe-Post\` headers as SES reported them on its events (\`mail.headers\`): what
the mail really carried, readable without access to the mailbox. \`npm run smoke\` uses it
to check the one-click unsubscribe of a campaign mail. Events and headers appear once the
events handler has SES's Send event, usually within seconds of \`sent\`.`,
    responses: {
      200: {
        description: 'The recipient.',
        schema: campaignRecipientSchema,
        examples: {
          delivered: {
            value: {
              campaignId: '6f1d2c3b-4a5e-4f60-8b7c-1d2e3f4a5b6c',
              email: 'success@simulator.amazonses.com',
              address: 'success@simulator.amazonses.com',
              status: 'sent',
              updatedAt: '2026-12-01T09:02:13.102Z',
              sesMessageId: '0102018f9c1d2e3f-4a5b6c7d-8e9f-4a0b-9c1d-2e3f4a5b6c7d-000000',
              reason: null,
              failure: null,
              events: [
                {
                  type: 'send',
                  at: '2026-12-01T09:02:13.054Z',
                },
                {
                  type: 'delivery',
                  at: '2026-12-01T09:02:13.911Z',
                  detail: '250 2.6.0 Message received',
                },
              ],
              headers: [
                {
                  name: 'List-Unsubscribe',
                  value:
                    '<https://abc123.execute-api.eu-west-1.amazonaws.com/prod/unsubscribe?token=eyJlIjoi…>',
                },
                {
                  name: 'List-Unsubscribe-Post',
                  value: 'List-Unsubscribe=One-Click',
                },
              ],
            },
          },
        },
      },
      400: INVALID_EMAIL,
      403: GATEWAY_FORBIDDEN,
      404: {
        description: 'No campaign with this id, or the address is not one of its recipients.',
        examples: {
          no_campaign: err('not_found', 'No campaign with id "6f1d2c3b-0000-0000-0000-000000000000"'),
          not_a_recipient: err(
            'not_found',
            'jane@example.com is not a recipient of campaign 6f1d2c3b-4a5e-4f60-8b7c-1d2e3f4a5b6c',
          ),
        },
      },
      429: GATEWAY_THROTTLED,
      500: INTERNAL_ERROR,
    },
  },
  sendCampaignTest: {
    tag: 'campaigns',
    summary: 'Send the campaign to a few test addresses',
    params: { path: CAMPAIGN_ID_PATH },
    description: `Renders the campaign for each address with \`data\` (the same for every address) and sends
it now, as transactional mail: one email per address, with \`[Test] \` before the subject,
the campaign's from, replyTo and tags plus the tag \`campaignTest\` (the campaign id), and
the List-Unsubscribe headers with a signed link for the test address. Follow each with
\`GET /v1/emails/{id}\`.

Allowed in every status, also while the reputation guard holds bulk mail. Each address
gets one mail, however often it is listed (case-insensitive). Addresses on the
suppression list (any entry, an unsubscribe included) are left out and listed in
\`suppressed\`; if that leaves nobody, the call is a 422 \`all_recipients_suppressed\`. Test
mails do not count in the campaign's totals or events. Their unsubscribe link carries a
test token: \`GET\` and \`POST /unsubscribe\` with it answer 200 with a page saying this was a
test mail, and suppress, count and publish nothing, so the person testing stays
subscribed. A variable without a value is a 422 \`missing_variable\` (content that
does not render, \`unrenderable\`; over the render limits of \`POST /v1/emails\`,
\`render_limit_exceeded\`), and then nothing is sent. Each call sends again.`,
    body: {
      schema: testSendSchema,
      examples: {
        withData: {
          value: {
            to: ['qa@acme.com', 'Tess <tess@acme.com>'],
            data: {
              first_name: 'Tess',
            },
          },
        },
      },
    },
    responses: {
      202: {
        description: 'Queued, one email per address.',
        schema: testSendAcceptedSchema,
        examples: {
          queued: {
            value: {
              ids: ['5c2a9e1f-7b3d-4c8e-9a0f-1e2d3c4b5a69', '0e4b8d2a-6c1f-4a7e-b3d9-8f2e1c0a9b7d'],
              suppressed: [],
            },
          },
          someSuppressed: {
            summary: 'One test address left out',
            value: {
              ids: ['5c2a9e1f-7b3d-4c8e-9a0f-1e2d3c4b5a69'],
              suppressed: ['tess@acme.com'],
            },
          },
        },
      },
      400: {
        description: 'The request is invalid.',
        examples: {
          validation_failed: thrown(() =>
            parseRequest(testSendSchema, {
              to: Array.from({ length: MAX_TEST_ADDRESSES + 1 }, (_, i) => `qa${i}@acme.com`),
            }),
          ),
          invalid_json: err('invalid_json', 'The body is empty; expected a JSON object'),
          invalid_path: err('invalid_path', 'The path is not valid URL encoding'),
        },
      },
      403: GATEWAY_FORBIDDEN,
      404: CAMPAIGN_NOT_FOUND,
      413: BODY_TOO_LARGE,
      415: UNSUPPORTED_MEDIA_TYPE,
      422: {
        description: `Every test address is suppressed, or the content needs a variable \`data\` does not give
or does not render. Nothing was sent.`,
        examples: {
          all_recipients_suppressed: err(
            'all_recipients_suppressed',
            'Every test address is on the suppression list',
            {
              details: {
                suppressed: ['qa@acme.com'],
              },
            },
          ),
          missing_variable: MISSING_FIRST_NAME_EXAMPLE,
          render_limit_exceeded: err(
            'render_limit_exceeded',
            `Template cannot be rendered: ${new RenderLimitError('html', 'outputCharacters').message}`,
            {
              details: {
                field: 'html',
                limit: 'outputCharacters',
                ...RENDER_LIMITS,
              },
              summary: 'The test data makes a loop render past the limits',
            },
          ),
          unrenderable: err('unrenderable', 'subject: renders to 1011 characters; at most 998', {
            details: {
              field: 'subject',
            },
            summary: 'A rendered subject over 998 characters',
          }),
        },
      },
      429: GATEWAY_THROTTLED,
      500: INTERNAL_ERROR,
    },
  },
  sendCampaign: {
    tag: 'campaigns',
    summary: 'Send a campaign now, or schedule it',
    params: { path: CAMPAIGN_ID_PATH },
    description: `- No body (or \`{}\`): starts now. Needs a \`draft\`; the answer has \`status: sending\`. The
  recipient list is read in the background and the mail goes out at the bulk stream's pace.
- \`{"at": …}\` more than a second ahead: schedules. Needs a \`draft\`, or a \`scheduled\`
  campaign (which is rescheduled); the answer has \`status: scheduled\` and \`scheduledAt\`.
  The campaign moves to \`sending\` at that time, to about the second.
- \`{"at": …}\` in the past or within a second: the same as no body, with a \`warnings\`
  entry saying so.

The answer carries \`warnings\` (the call still succeeds) when \`at\` was not in the future
and when the HTML has no \`{{unsubscribe_url}}\` link. A start now while an upload of
recipients to the campaign is in progress is a 409 \`upload_in_progress\`: send it again
once the upload has answered (within ${UPLOAD_LEASE_MS / 1000} s at most), and it starts with every row of it.

A campaign without recipients cannot be sent or scheduled (422 \`no_recipients\`). A
scheduled campaign cannot be started now with this route (409 \`invalid_state\`). While the
reputation guard holds bulk mail (\`GET /v1/account\` \`pausedStreams\`), starting now is a
409 \`bulk_paused\`; scheduling is still allowed, and a start that comes while the guard
holds pauses the campaign instead (\`pausedBy: reputation-guard\`). If sending now cannot be
queued, the campaign goes back to \`draft\` (500) and the call can be repeated.`,
    body: {
      schema: sendCampaignSchema,
      examples: {
        schedule: {
          value: {
            at: '2026-12-01T09:00:00Z',
          },
        },
      },
    },
    responses: {
      202: {
        description: 'Started (`sending`) or scheduled (`scheduled`).',
        schema: campaignSchema,
        examples: {
          scheduled: {
            value: SCHEDULED_CAMPAIGN,
          },
        },
      },
      400: {
        description: 'The body is invalid.',
        examples: {
          validation_failed: thrown(() => parseRequest(sendCampaignSchema, { at: 'next Monday' })),
          invalid_json: err('invalid_json', 'The body is not valid JSON: Unexpected end of JSON input'),
          invalid_path: err('invalid_path', 'The path is not valid URL encoding'),
        },
      },
      403: GATEWAY_FORBIDDEN,
      404: CAMPAIGN_NOT_FOUND,
      409: {
        description: `Not allowed in the campaign's status, or its status changed meanwhile; or, for a start
now, the reputation guard holds bulk mail or an upload of recipients is in progress.`,
        examples: {
          invalid_state: err(
            'invalid_state',
            'Campaign 6f1d2c3b-4a5e-4f60-8b7c-1d2e3f4a5b6c: cannot send a campaign that is scheduled (allowed when draft)',
          ),
          upload_in_progress: UPLOAD_IN_PROGRESS_EXAMPLE,
          notSchedulable: err(
            'invalid_state',
            'Campaign 6f1d2c3b-4a5e-4f60-8b7c-1d2e3f4a5b6c: cannot schedule a campaign that is sending (allowed when draft or scheduled)',
            { summary: 'invalid_state when scheduling' },
          ),
          changedMeanwhile: CAMPAIGN_CHANGED_MEANWHILE_EXAMPLE,
          bulk_paused: BULK_PAUSED_EXAMPLE,
        },
      },
      413: BODY_TOO_LARGE,
      415: BODY_NOT_JSON,
      422: {
        description: 'The campaign has no recipients.',
        examples: {
          no_recipients: err('no_recipients', 'Add recipients before sending'),
        },
      },
      429: GATEWAY_THROTTLED,
      500: INTERNAL_ERROR,
    },
  },
  pauseCampaign: {
    tag: 'campaigns',
    summary: 'Pause a sending or scheduled campaign',
    params: { path: CAMPAIGN_ID_PATH },
    description: `From \`sending\` or \`scheduled\`; no body. Takes effect within seconds: nothing more is
queued, and recipients already on the bulk queue go back to pending as they come up (a mail
being sent at that moment may still go out). Sets \`pausedAt\` and \`pausedBy: user\`.`,
    responses: {
      200: {
        description: 'The campaign, now `paused`.',
        schema: campaignSchema,
        examples: {
          paused: {
            value: newsletterCampaign('paused', PAUSED_STAMPS, PAUSED_TOTALS, PAUSED_EVENTS),
          },
        },
      },
      400: INVALID_PATH,
      403: GATEWAY_FORBIDDEN,
      404: CAMPAIGN_NOT_FOUND,
      409: {
        description: 'Not `sending` or `scheduled`, or its status changed meanwhile.',
        examples: {
          invalid_state: err(
            'invalid_state',
            'Campaign 6f1d2c3b-4a5e-4f60-8b7c-1d2e3f4a5b6c: cannot pause a campaign that is draft (allowed when sending or scheduled)',
          ),
          changedMeanwhile: CAMPAIGN_CHANGED_MEANWHILE_EXAMPLE,
        },
      },
      429: GATEWAY_THROTTLED,
      500: INTERNAL_ERROR,
    },
  },
  resumeCampaign: {
    tag: 'campaigns',
    summary: 'Resume a paused campaign',
    params: { path: CAMPAIGN_ID_PATH },
    description: `From \`paused\`; no body. Refused with 409 \`bulk_paused\` while the reputation guard holds
bulk mail: clear it first with \`POST /v1/account/bulk/resume\` (that does not resume any
campaign; each paused campaign is resumed here).

- A campaign that never started and whose \`scheduledAt\` is more than a second ahead goes
  back to \`scheduled\` and starts at that time.
- Any other is \`sending\` again at once (a never-started one whose time has passed starts
  now). The list is read again from the top and only recipients still pending are queued:
  nobody is skipped, nobody mailed twice.

Clears \`pausedAt\` and \`pausedBy\`; keeps \`startedAt\` (or sets it, if the campaign starts
now for the first time).`,
    responses: {
      200: {
        description: 'The campaign, now `sending` (or `scheduled`, see above).',
        schema: campaignSchema,
      },
      400: INVALID_PATH,
      403: GATEWAY_FORBIDDEN,
      404: CAMPAIGN_NOT_FOUND,
      409: {
        description: `Not \`paused\`, its status changed meanwhile, the reputation guard holds bulk mail, or an
upload of recipients (begun before a pause of a scheduled campaign) is in progress.`,
        examples: {
          invalid_state: err(
            'invalid_state',
            'Campaign 6f1d2c3b-4a5e-4f60-8b7c-1d2e3f4a5b6c: cannot resume a campaign that is sending (allowed when paused)',
          ),
          changedMeanwhile: CAMPAIGN_CHANGED_MEANWHILE_EXAMPLE,
          bulk_paused: BULK_PAUSED_EXAMPLE,
          upload_in_progress: UPLOAD_IN_PROGRESS_EXAMPLE,
        },
      },
      429: GATEWAY_THROTTLED,
      500: INTERNAL_ERROR,
    },
  },
  cancelCampaign: {
    tag: 'campaigns',
    summary: 'Cancel a campaign for good',
    params: { path: CAMPAIGN_ID_PATH },
    description: `From \`draft\`, \`scheduled\`, \`sending\` or \`paused\`; no body. Final: nothing more goes out (a
mail being sent at that moment may still go out). Every recipient not yet sent is marked
cancelled in the background, so \`totals.cancelled\` keeps growing after this answer.`,
    responses: {
      200: {
        description: 'The campaign, now `cancelled`.',
        schema: campaignSchema,
        examples: {
          cancelled: {
            value: newsletterCampaign(
              'cancelled',
              {
                ...PAUSED_STAMPS,
                updatedAt: '2026-12-01T09:07:02.655Z',
                cancelledAt: '2026-12-01T09:07:02.655Z',
              },
              PAUSED_TOTALS,
              PAUSED_EVENTS,
            ),
          },
        },
      },
      400: INVALID_PATH,
      403: GATEWAY_FORBIDDEN,
      404: CAMPAIGN_NOT_FOUND,
      409: {
        description: 'Already `completed` or `cancelled`, or its status changed meanwhile.',
        examples: {
          invalid_state: err(
            'invalid_state',
            'Campaign 6f1d2c3b-4a5e-4f60-8b7c-1d2e3f4a5b6c: cannot cancel a campaign that is completed (allowed when draft or scheduled or sending or paused)',
          ),
          changedMeanwhile: CAMPAIGN_CHANGED_MEANWHILE_EXAMPLE,
        },
      },
      429: GATEWAY_THROTTLED,
      500: INTERNAL_ERROR,
    },
  },
} satisfies Pick<
  Operations,
  | 'createCampaign'
  | 'listCampaigns'
  | 'getCampaign'
  | 'updateCampaign'
  | 'addCampaignRecipients'
  | 'getCampaignRecipient'
  | 'sendCampaignTest'
  | 'sendCampaign'
  | 'pauseCampaign'
  | 'resumeCampaign'
  | 'cancelCampaign'
>;
