/** Path and query parameters several routes share, as the server reads them. */
import { z } from 'zod';
import { pageLimitSchema, resourceIdSchema } from '../../lambdas/functions/api/routes';
import { MAX_CURSOR_LENGTH } from '../../lambdas/platform/page-cursor';
import { TEMPLATE_NAME } from '../../lambdas/templates/template-rules';

const cursor = z
  .string()
  .max(MAX_CURSOR_LENGTH)
  .optional()
  .meta({ description: 'The `nextCursor` of the previous page (opaque; base64url, so ASCII).' });

/** `limit` and `cursor` of the list routes. */
export const PAGE_QUERY = z.object({ limit: pageLimitSchema.optional(), cursor });

export const TEMPLATE_NAME_PATH = z.object({
  // The rule of templateNameSchema, not the schema itself: a component's $ref takes no parameter keys.
  name: z
    .string()
    .regex(TEMPLATE_NAME)
    .meta({
      param: { id: 'TemplateName', example: 'welcome' },
      description: '1–64 letters, digits, `_` or `-`; anything else is a 400 `invalid_template_name`.',
    }),
});

const campaignId = resourceIdSchema.meta({
  param: { id: 'CampaignId', example: '6f1d2c3b-4a5e-4f60-8b7c-1d2e3f4a5b6c' },
  description: "The campaign's `id`. Anything not matching the pattern is a 404.",
});

export const CAMPAIGN_ID_PATH = z.object({ id: campaignId });

export const RECIPIENT_EMAIL_PATH = z.object({
  id: campaignId,
  email: z.string().meta({
    param: { id: 'RecipientEmail', example: 'jane@example.com' },
    description: `The recipient's address, URL-encoded (\`jane%40example.com\`). Case does not matter, and a
display name is accepted and dropped: recipients are keyed by the lower-case address.`,
  }),
});

export const SUPPRESSION_EMAIL_PATH = z.object({
  email: z.string().meta({
    param: { id: 'SuppressionEmail', example: 'jane@example.com' },
    description: `The address, URL-encoded (\`jane%40example.com\`). Case does not matter, and a display name
(\`Jane <jane@example.com>\`) is accepted and dropped: entries are keyed by the lower-case address.`,
  }),
});

export const WEBHOOK_ID_PATH = z.object({
  id: resourceIdSchema.meta({
    param: { id: 'WebhookId', example: 'wh_3f9a1c2e7b5d4e6f8a9b0c1d2e3f4a5b' },
    description: "The webhook's `id`. Anything not matching the pattern is a 404.",
  }),
});
