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
  })
  .meta({ id: 'Account' });

/** `POST /v1/account/bulk/resume` (BULK_RESUMED in routes.ts). */
export const bulkResumedSchema = z
  .strictObject({ stream: z.literal('bulk'), paused: z.literal(false) })
  .meta({ id: 'BulkResumed' });
