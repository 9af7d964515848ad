import * as z from 'zod';
import { emailEventSchema } from '../emails/email-response';
import { timestampSchema } from '../requests/timestamp';

const count = (description?: string) => {
  const schema = z.number().int().min(0);
  return description === undefined ? schema : schema.meta({ description });
};

export const campaignStatusSchema = z
  .enum(['draft', 'scheduled', 'sending', 'paused', 'completed', 'cancelled'])
  .meta({
    id: 'CampaignStatus',
    description: `\`draft\` → (\`scheduled\` →) \`sending\` ⇄ \`paused\` → \`completed\`; \`cancelled\` from any status
before \`completed\`. A campaign paused before it ever started goes back to \`scheduled\` on resume
while its \`scheduledAt\` is still ahead. What each status allows:
- \`draft\`: add recipients, send, schedule, cancel;
- \`scheduled\`: add recipients, reschedule, pause, cancel;
- \`sending\`: pause, cancel;
- \`paused\`: resume, cancel;
- \`completed\` (the whole list was read and every recipient is sent, failed, suppressed or
  cancelled) and \`cancelled\`: nothing.
Test sends are allowed in every status. Anything else is a 409 \`invalid_state\`.`,
  });

const campaignContentSchema = z
  .strictObject({ subject: z.string(), html: z.string().optional(), text: z.string().optional() })
  .meta({
    id: 'CampaignContent',
    description: `The Handlebars source rendered for each recipient: the inline content, or the template's
content as it was when the campaign was created.`,
  });

const campaignTotalsSchema = z
  .strictObject({
    recipients: count('Recipients added to the campaign.'),
    queued: count('On the bulk queue right now, not yet sent.'),
    sent: count('Accepted by SES.'),
    failed: count(
      'Refused by SES, not renderable, or sent with an unknown outcome (never retried, as for transactional mail).',
    ),
    suppressed: count('Left out because the address was on the suppression list when its turn came.'),
    cancelled: count('Not sent because the campaign was cancelled.'),
  })
  .meta({
    id: 'CampaignTotals',
    description: 'Recipients by state. The counters change as the campaign runs.',
  });

const campaignEventsSchema = z
  .strictObject({
    delivered: count('Delivery events (the receiving server accepted the mail).'),
    bounced: count('Bounce events, permanent and transient.'),
    complained: count(),
    rejected: count('Reject events (SES refused to send, e.g. for a virus).'),
    renderingFailures: count(),
    delayed: count('DeliveryDelay events.'),
    opens: count('Every open event; 0 unless the deployment tracks opens (`tracking.opens`).'),
    uniqueOpens: count('Recipients with at least one open.'),
    clicks: count('Every click event; 0 unless the deployment tracks clicks (`tracking.clicks`).'),
    uniqueClicks: count('Recipients with at least one click.'),
    unsubscribed: count(
      "Addresses newly suppressed through the unsubscribe link of one of this campaign's mails (a repeat, or an address already suppressed, counts nothing).",
    ),
  })
  .meta({
    id: 'CampaignEvents',
    description: `What SES reported back about the campaign's mail, counted once per SES event (a duplicate SNS
delivery counts nothing). They keep growing after \`completed\`: deliveries, bounces, opens and
clicks arrive later. Set on every campaign created since SES events are counted; absent on older
ones.`,
  });

/** A campaign as the API shows it (campaignView): without the fan-out's bookkeeping. */
export const campaignSchema = z
  .strictObject({
    id: z.string().meta({ description: 'The campaign id, for `/v1/campaigns/{id}`.' }),
    name: z.string(),
    status: campaignStatusSchema,
    from: z.string().meta({ description: 'The From header, as sent (`"Acme" <news@mail.acme.com>`).' }),
    replyTo: z.array(z.string()),
    content: campaignContentSchema,
    template: z
      .string()
      .optional()
      .meta({ description: 'The template the content was copied from, if any.' }),
    tags: z.record(z.string(), z.string()),
    createdAt: timestampSchema,
    updatedAt: timestampSchema.meta({ description: 'Changes with the status and with the totals.' }),
    scheduledAt: timestampSchema
      .optional()
      .meta({ description: 'The start asked for with `send` and `at`; kept once the campaign started.' }),
    startedAt: timestampSchema
      .optional()
      .meta({ description: 'When sending first started; kept across pause and resume.' }),
    completedAt: timestampSchema.optional(),
    pausedAt: timestampSchema
      .optional()
      .meta({ description: 'Set while paused (and kept if cancelled while paused).' }),
    pausedBy: z
      .string()
      .optional()
      .meta({
        description: `Who paused it, alongside \`pausedAt\`: \`user\` for \`POST /v1/campaigns/{id}/pause\`;
\`reputation-guard\` when the reputation guard tripped while the campaign was sending or scheduled,
or when its scheduled start came while the guard held bulk mail.`,
        examples: ['user', 'reputation-guard'],
      }),
    cancelledAt: timestampSchema.optional(),
    waitingForQuotaSince: timestampSchema.optional().meta({
      description: `Set while SES's 24-hour sending quota holds the campaign's mail back; removed when there is
room again (the campaign goes on by itself).`,
    }),
    totals: campaignTotalsSchema,
    events: campaignEventsSchema.optional(),
    warnings: z
      .array(z.string())
      .optional()
      .meta({
        description: `Only in the answers to create and send, and only when there is something to say: HTML without
an \`{{unsubscribe_url}}\` link, a send \`at\` that was not in the future.`,
      }),
  })
  .meta({ id: 'Campaign', description: "A campaign, without the fan-out's internal bookkeeping." });

/** `GET /v1/campaigns/{id}`: the campaign with how far and how fast it is going. */
export const campaignWithProgressSchema = campaignSchema
  .extend({
    progress: z.number().min(0).max(1).meta({
      description:
        'Share of recipients settled: (`sent` + `failed` + `suppressed` + `cancelled`) / `recipients`; 0 without recipients.',
    }),
    currentRate: z.number().min(0).meta({
      description:
        'While `sending`: mails per second the bulk stream is sending right now (all sending campaigns together). 0 in any other status.',
    }),
    etaSeconds: z.number().int().min(0).nullable().meta({
      description:
        'Recipients not yet settled / `currentRate`, rounded up; null unless `sending` at a rate above 0.',
    }),
    waitingForQuota: z.boolean().meta({ description: 'True while `waitingForQuotaSince` is set.' }),
  })
  .meta({
    id: 'CampaignWithProgress',
    description: 'A campaign as `GET /v1/campaigns/{id}` shows it, with its progress.',
  });

/** `GET /v1/campaigns`: one page. */
export const campaignListSchema = z
  .strictObject({
    items: z.array(campaignSchema),
    nextCursor: z
      .string()
      .optional()
      .meta({ description: 'Present when there may be more; pass it as `cursor`.' }),
  })
  .meta({ id: 'CampaignList' });

/** A refused row of an upload, and why. */
export const invalidRowSchema = z
  .strictObject({
    row: z.number().int().min(1).meta({
      description:
        "1-based: the row's position in `recipients`, or its data line in the CSV (the header and empty lines not counted).",
    }),
    email: z
      .string()
      .optional()
      .meta({
        description: `The row's address: as given (cut to 254 characters) when it is invalid, without a display name
otherwise. Absent when the row has no string \`email\`.`,
      }),
    reason: z.string().meta({ examples: ['missing variable "first_name"'] }),
  })
  .meta({ id: 'InvalidRow' });

/** `POST /v1/campaigns/{id}/recipients`: what was added, what was already there, what was refused. */
export const recipientsResultSchema = z
  .strictObject({
    added: count('Recipients added to the campaign.'),
    duplicates: count(
      'Rows naming an address already in the campaign, or named earlier in this call (case-insensitive).',
    ),
    invalid: z.array(invalidRowSchema).meta({ description: 'Rows refused, with why. They added nobody.' }),
  })
  .meta({ id: 'RecipientsResult' });

/** `details` of a 503 `upload_incomplete`: how far the upload got. */
export const uploadIncompleteDetailsSchema = z
  .strictObject({
    written: z.number().int().min(0).meta({ description: 'Rows this call wrote; they are kept.' }),
    unwritten: z
      .number()
      .int()
      .min(0)
      .meta({ description: 'Rows it did not write; sending the same rows again adds them.' }),
  })
  .meta({ id: 'UploadIncompleteDetails' });

/** `details` of a 422 `unrenderable_for_recipients`: stored rows the new content does not render for. */
export const unrenderableDetailsSchema = z
  .strictObject({
    failures: z
      .array(
        z.strictObject({
          email: z.string().meta({ description: 'The recipient (normalized address).' }),
          reason: z.string().meta({ description: 'Why the content does not render with its data.' }),
        }),
      )
      .meta({ description: 'The first rows found (at most 10).' }),
  })
  .meta({ id: 'UnrenderableForRecipientsDetails' });

/** `POST /v1/campaigns/{id}/test`: one message per address sent to. */
export const testSendAcceptedSchema = z
  .strictObject({
    ids: z.array(z.string()).meta({
      description: `One message id per address sent to (each address once, suppressed ones left out), in the order
of \`to\`, for \`GET /v1/emails/{id}\`.`,
    }),
    suppressed: z.array(z.string()).meta({
      description:
        'Test addresses on the suppression list, left out. All suppressed is a 422 `all_recipients_suppressed`.',
    }),
  })
  .meta({ id: 'TestSendAccepted' });

/** `GET /v1/campaigns/{id}/recipients/{email}` (recipientView). */
export const campaignRecipientSchema = z
  .strictObject({
    campaignId: z.string(),
    email: z.string().meta({ description: "The normalized (lower-case) address, the recipient's key." }),
    address: z.string().meta({ description: 'The address as given, used to send.' }),
    status: z.enum(['pending', 'queued', 'sending', 'sent', 'failed', 'suppressed', 'cancelled']),
    updatedAt: timestampSchema,
    sesMessageId: z
      .string()
      .nullable()
      .meta({ description: "SES's MessageId of the mail, once SES took it." }),
    reason: z.string().nullable().meta({
      description: 'Why a `failed`, `suppressed` or `cancelled` recipient ended so; null otherwise.',
    }),
    failure: z.strictObject({ code: z.string(), message: z.string() }).nullable(),
    events: z.array(emailEventSchema).meta({
      description: `SES's events about this recipient's mail, each recorded once, in the order they arrived:
\`send\`, \`delivery\`, \`bounce\`, \`complaint\`, \`reject\`, \`open\`, \`click\`, \`rendering_failure\`,
\`delivery_delay\`, \`subscription\`, with what SES says in \`detail\` (as in an email's events,
without the address).`,
    }),
    headers: z.array(z.strictObject({ name: z.string(), value: z.string() })).meta({
      description: `The mail's \`List-Unsubscribe\` and \`List-Unsubscribe-Post\` headers as SES reported them
(\`mail.headers\` of its events); empty until the first event arrives.`,
    }),
  })
  .meta({ id: 'CampaignRecipient' });
