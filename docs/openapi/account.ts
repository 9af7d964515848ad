import { accountSchema, bulkResumedSchema } from '../../lambdas/functions/api/account-response';
import { err, type Operations } from './operation';
import { GATEWAY_FORBIDDEN, GATEWAY_THROTTLED, INTERNAL_ERROR } from './responses';

export const ACCOUNT_OPERATIONS = {
  getAccount: {
    tag: 'account',
    summary: 'SES account status, the rate in use and paused streams',
    description: `Asks SES (GetAccount) on every call, and reads Mailroom's reputation guard:
\`pausedStreams\` lists the bulk stream while the guard holds it, and \`bulkReputation\` shows the
rates it judges (its hourly counts of the last 24 hours of bulk mail) beside its thresholds and SES's.`,
    responses: {
      200: {
        description: 'The account.',
        schema: accountSchema,
        examples: {
          sandbox: {
            value: {
              sandbox: true,
              sendingEnabled: true,
              enforcementStatus: 'HEALTHY',
              maxSendRate: 1,
              max24HourSend: 200,
              sentLast24Hours: 7,
              rateInUse: 1,
              sendRateShare: 1,
              rateOverride: null,
              pausedStreams: [],
              bulkReputation: {
                windowHours: 24,
                sent: 0,
                bounced: 0,
                complained: 0,
                bounceRate: null,
                complaintRate: null,
                minimumSample: 200,
                judged: false,
                guardThresholds: { bounceRate: 0.04, complaintRate: 0.0008 },
                sesReviewRates: { bounceRate: 0.05, complaintRate: 0.001 },
              },
            },
          },
          bulkPaused: {
            summary: 'The reputation guard holds bulk mail',
            value: {
              sandbox: false,
              sendingEnabled: true,
              enforcementStatus: 'HEALTHY',
              maxSendRate: 14,
              max24HourSend: 50000,
              sentLast24Hours: 6120,
              rateInUse: 14,
              sendRateShare: 1,
              rateOverride: null,
              pausedStreams: [
                {
                  stream: 'bulk',
                  reason: 'bulk bounce rate 4.50% over the last 24 h reached 4.00%',
                  since: '2026-12-01T09:41:17.302Z',
                },
              ],
              bulkReputation: {
                windowHours: 24,
                sent: 6000,
                bounced: 270,
                complained: 1,
                bounceRate: 0.045,
                complaintRate: 0.00016666666666666666,
                minimumSample: 200,
                judged: true,
                guardThresholds: { bounceRate: 0.04, complaintRate: 0.0008 },
                sesReviewRates: { bounceRate: 0.05, complaintRate: 0.001 },
              },
            },
          },
        },
      },
      403: GATEWAY_FORBIDDEN,
      429: GATEWAY_THROTTLED,
      500: INTERNAL_ERROR,
      502: {
        description: 'SES did not answer GetAccount.',
        examples: {
          ses_unavailable: err('ses_unavailable', 'SES did not answer GetAccount; try again shortly'),
        },
      },
    },
  },
  resumeBulk: {
    tag: 'account',
    summary: 'Clear the reputation guard',
    description: `No body. Lets bulk mail go again after the reputation guard paused it (see
\`GET /v1/account\` \`pausedStreams\`): bulk senders go on with what is queued, and campaigns
may be sent and resumed again. Campaigns the guard paused stay \`paused\` (\`pausedBy:
reputation-guard\`): resume each with \`POST /v1/campaigns/{id}/resume\`. Clean the list
first: the guard trips again on the next bounce or complaint while the 24-hour rates are
still over their thresholds.`,
    responses: {
      200: {
        description: 'Bulk sending is no longer paused.',
        schema: bulkResumedSchema,
        examples: {
          resumed: {
            value: {
              stream: 'bulk',
              paused: false,
            },
          },
        },
      },
      403: GATEWAY_FORBIDDEN,
      409: {
        description: 'The guard does not hold bulk mail; nothing changed.',
        examples: {
          not_paused: err('not_paused', 'Bulk sending is not paused'),
        },
      },
      429: GATEWAY_THROTTLED,
      500: INTERNAL_ERROR,
    },
  },
} satisfies Pick<Operations, 'getAccount' | 'resumeBulk'>;
