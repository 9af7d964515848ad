import * as z from 'zod';
import { timestampSchema } from '../../requests/timestamp';

const pausedStreamSchema = z
  .strictObject({
    stream: z.literal('bulk'),
    reason: z.string().meta({
      description: 'Why the guard tripped.',
      examples: ['bulk complaint rate 0.095% over the last 24 h reached 0.080%'],
    }),
    since: timestampSchema.meta({ description: 'When the guard tripped.' }),
  })
  .meta({ id: 'PausedStream' });

const rateSchema = z.number().min(0).max(1);

const bulkReputationSchema = z
  .strictObject({
    windowHours: z
      .number()
      .int()
      .positive()
      .meta({ description: 'The guard judges this many recent hours.' }),
    sent: z.number().int().min(0).meta({ description: 'Bulk mails sent in the window.' }),
    bounced: z.number().int().min(0).meta({ description: 'Their permanent bounces.' }),
    complained: z.number().int().min(0).meta({ description: 'Their complaints.' }),
    bounceRate: rateSchema
      .nullable()
      .meta({ description: '`bounced / sent` (0.02 = 2%); null while `sent` is 0.' }),
    complaintRate: rateSchema
      .nullable()
      .meta({ description: '`complained / sent` (0.0005 = 0.05%); null while `sent` is 0.' }),
    minimumSample: z
      .number()
      .int()
      .positive()
      .meta({ description: 'Bulk mails in the window before the guard judges the rates at all.' }),
    judged: z
      .boolean()
      .meta({ description: '`sent` has reached `minimumSample`: the guard acts on these rates.' }),
    guardThresholds: z.strictObject({ bounceRate: rateSchema, complaintRate: rateSchema }).meta({
      description: "The rates at which the guard pauses bulk mail (the deploy config's `reputationGuard`).",
    }),
    sesReviewRates: z
      .strictObject({ bounceRate: rateSchema, complaintRate: rateSchema })
      .meta({ description: 'The rates at which SES puts an account under review.' }),
  })
  .meta({
    id: 'BulkReputation',
    description: `Bulk mail's bounce and complaint rates as the reputation guard judges them (its own hourly
counts of this stack's bulk mail, not SES's account-wide metrics), with the thresholds they are judged against.`,
  });

/** `GET /v1/account` (accountView in routes.ts). */
export const accountSchema = z
  .strictObject({
    sandbox: z.boolean().meta({ description: 'True until SES production access is granted.' }),
    sendingEnabled: z.boolean(),
    enforcementStatus: z.string().nullable().meta({
      description:
        "SES's enforcement status (e.g. `HEALTHY`, `PROBATION`, `SHUTDOWN`), or null if SES gives none.",
    }),
    maxSendRate: z.number().meta({ description: "SES's MaxSendRate, mails per second." }),
    max24HourSend: z.number(),
    sentLast24Hours: z.number(),
    rateInUse: z.number().meta({
      description: `Mails per second Mailroom paces to: \`rateOverride\` if set, else \`sendRateShare\` ×
\`maxSendRate\` (at most 1 in the sandbox; 1 when SES reports 0).`,
    }),
    sendRateShare: z
      .number()
      .gt(0)
      .max(1)
      .meta({
        description: `This stack's fraction of the account's MaxSendRate, shared with the other Mailroom stacks in
the same account and region (\`sendRateShare\` in the deploy config).`,
      }),
    rateOverride: z.number().nullable().meta({ description: 'The configured send-rate ceiling, or null.' }),
    pausedStreams: z
      .array(pausedStreamSchema)
      .max(1)
      .meta({
        description: `Streams Mailroom holds back: empty, or the bulk stream while the reputation guard holds it.
Transactional mail is never paused. Clear it with \`POST /v1/account/bulk/resume\`.`,
      }),
    bulkReputation: bulkReputationSchema,
  })
  .meta({ id: 'Account' });

/** `POST /v1/account/bulk/resume` (BULK_RESUMED in routes.ts). */
export const bulkResumedSchema = z
  .strictObject({ stream: z.literal('bulk'), paused: z.literal(false) })
  .meta({ id: 'BulkResumed' });
