import { z } from 'zod';
import { putSuppressionSchema } from '../../lambdas/feedback/manage-suppressions';
import {
  suppressionListSchema,
  suppressionReasonSchema,
  suppressionSchema,
} from '../../lambdas/feedback/suppression-response';
import { parseRequest } from '../../lambdas/requests/validation';
import { BODY_NOT_JSON, PAGE_QUERY_EXAMPLES } from './examples';
import { err, type Operations, thrown } from './operation';
import { PAGE_QUERY, SUPPRESSION_EMAIL_PATH } from './parameters';
import {
  BODY_TOO_LARGE,
  GATEWAY_FORBIDDEN,
  GATEWAY_THROTTLED,
  INTERNAL_ERROR,
  INVALID_EMAIL,
  INVALID_EMAIL_EXAMPLE,
  NOT_SUPPRESSED,
  NOT_SUPPRESSED_EXAMPLE,
} from './responses';

/** The example entry of a hard bounce of a campaign mail. */
const BOUNCE_ENTRY = {
  email: 'bounce@simulator.amazonses.com',
  reason: 'bounce',
  scope: 'all',
  detail: 'smtp; 550 5.1.1 user unknown',
  source: {
    sesMessageId: '0102018f9c1d2e3f-4a5b6c7d-8e9f-4a0b-9c1d-2e3f4a5b6c7d-000000',
    campaignId: '6f1d2c3b-4a5e-4f60-8b7c-1d2e3f4a5b6c',
  },
  createdAt: '2026-12-01T09:02:14.881Z',
};

export const SUPPRESSION_OPERATIONS = {
  listSuppressions: {
    tag: 'suppressions',
    summary: 'List suppressed addresses',
    params: {
      query: z
        .object({
          reason: suppressionReasonSchema.optional().meta({ description: 'Only entries with this reason.' }),
        })
        .extend(PAGE_QUERY.shape),
    },
    description: `One page of suppression entries: with \`reason\`, only those with that reason, ordered by
address; without, every entry in no particular order. A page can hold fewer than \`limit\`
items (even none) while \`nextCursor\` is present; stop when \`nextCursor\` is absent. Pass
the same \`reason\` (or none) with each \`cursor\`. Lists Mailroom's suppression list only,
not SES's account-level one.`,
    responses: {
      200: {
        description: 'One page of entries.',
        schema: suppressionListSchema,
        examples: {
          page: {
            value: {
              items: [
                BOUNCE_ENTRY,
                {
                  email: 'reader@example.org',
                  reason: 'unsubscribe',
                  scope: 'bulk',
                  detail: 'one-click unsubscribe (RFC 8058 POST from the mail provider)',
                  source: {
                    campaignId: '6f1d2c3b-4a5e-4f60-8b7c-1d2e3f4a5b6c',
                  },
                  createdAt: '2026-12-01T11:40:03.517Z',
                },
              ],
              nextCursor: 'eyJlbWFpbCI6InJlYWRlckBleGFtcGxlLm9yZyJ9',
            },
          },
        },
      },
      400: {
        description: 'Bad `reason`, `limit` or `cursor`.',
        examples: {
          invalid_reason: err(
            'invalid_reason',
            'reason must be one of bounce, complaint, unsubscribe, transient_bounces, manual',
          ),
          ...PAGE_QUERY_EXAMPLES,
        },
      },
      403: GATEWAY_FORBIDDEN,
      429: GATEWAY_THROTTLED,
      500: INTERNAL_ERROR,
    },
  },
  getSuppression: {
    tag: 'suppressions',
    summary: 'One suppression entry',
    params: { path: SUPPRESSION_EMAIL_PATH },
    description:
      "Whether Mailroom suppresses the address, and why. SES's account-level list is not consulted.",
    responses: {
      200: {
        description: 'The entry.',
        schema: suppressionSchema,
        examples: {
          bounce: {
            value: BOUNCE_ENTRY,
          },
          transientBounces: {
            summary: 'Soft bounces of a transactional mail',
            value: {
              email: 'full-mailbox@example.net',
              reason: 'transient_bounces',
              scope: 'all',
              detail: '3 soft bounces within 7 days; last: smtp; 552 5.2.2 mailbox full',
              source: {
                sesMessageId: '0102018fa0b1c2d3-e4f5a6b7-c8d9-4e0f-a1b2-c3d4e5f6a7b8-000000',
                messageId: '9b2e7c1d-4f3a-4e8b-a6d5-0c1f2e3d4b5a',
              },
              createdAt: '2026-12-03T16:20:09.004Z',
            },
          },
        },
      },
      400: INVALID_EMAIL,
      403: GATEWAY_FORBIDDEN,
      404: NOT_SUPPRESSED,
      429: GATEWAY_THROTTLED,
      500: INTERNAL_ERROR,
    },
  },
  putSuppression: {
    tag: 'suppressions',
    summary: 'Suppress an address by hand (add or replace)',
    params: { path: SUPPRESSION_EMAIL_PATH },
    description: `Writes the entry whatever is there: an existing entry (from SES, an unsubscribe or an
earlier PUT) is replaced, keeping its \`createdAt\` and dropping its \`source\`. No body (or
\`{}\`) suppresses the address for all mail with \`reason: manual\`. Takes effect for the next
mail: transactional sends leave out \`scope: all\` addresses, campaigns and test sends any
suppressed address. Nothing is published on the product events topic, and SES's
account-level list is not changed.`,
    body: {
      schema: putSuppressionSchema,
      examples: {
        manual: {
          value: {
            reason: 'manual',
            detail: 'asked by phone',
          },
        },
        bulkOnly: {
          summary: 'No more campaigns; transactional mail still goes',
          value: {
            reason: 'unsubscribe',
            scope: 'bulk',
            detail: 'unsubscribed in the account settings',
          },
        },
      },
    },
    responses: {
      200: {
        description: 'An existing entry was replaced.',
        schema: suppressionSchema,
      },
      201: {
        description: 'The address was not suppressed; now it is.',
        schema: suppressionSchema,
        examples: {
          created: {
            value: {
              email: 'manual@example.org',
              reason: 'manual',
              scope: 'all',
              detail: 'asked by phone',
              createdAt: '2026-12-02T08:15:40.226Z',
            },
          },
        },
      },
      400: {
        description: 'The address or the body is invalid.',
        examples: {
          invalid_email: INVALID_EMAIL_EXAMPLE,
          validation_failed: thrown(() =>
            parseRequest(putSuppressionSchema, { reason: 'spam', note: 'asked by phone' }),
          ),
          invalid_json: err('invalid_json', 'The body is not valid JSON: Unexpected end of JSON input'),
          invalid_path: err('invalid_path', 'The path is not valid URL encoding'),
        },
      },
      403: GATEWAY_FORBIDDEN,
      413: BODY_TOO_LARGE,
      415: BODY_NOT_JSON,
      429: GATEWAY_THROTTLED,
      500: INTERNAL_ERROR,
    },
  },
  deleteSuppression: {
    tag: 'suppressions',
    summary: 'Let mail reach an address again',
    params: { path: SUPPRESSION_EMAIL_PATH },
    description: `Removes the address from Mailroom's suppression list and from SES's account-level
suppression list (where SES puts addresses that hard-bounced or complained), so mail can
reach it again. 204 when it was on either; 404 when on neither. Nothing is published on
the product events topic. If the address bounces or complains again, it is suppressed
again.`,
    responses: {
      204: {
        description: 'Removed. No body.',
      },
      400: INVALID_EMAIL,
      403: GATEWAY_FORBIDDEN,
      404: {
        description: 'The address is on neither list.',
        examples: {
          not_found: NOT_SUPPRESSED_EXAMPLE,
        },
      },
      429: GATEWAY_THROTTLED,
      500: INTERNAL_ERROR,
    },
  },
} satisfies Pick<Operations, 'listSuppressions' | 'getSuppression' | 'putSuppression' | 'deleteSuppression'>;
