import { ACCOUNT_OPERATIONS } from './account';
import { CAMPAIGN_OPERATIONS } from './campaigns';
import { EMAIL_OPERATIONS } from './emails';
import type { Operations } from './operation';
import { SUPPRESSION_OPERATIONS } from './suppressions';
import { TEMPLATE_OPERATIONS } from './templates';
import { UNSUBSCRIBE_OPERATIONS } from './unsubscribe';
import { WEBHOOK_OPERATIONS } from './webhooks';

/** Every route's documentation: tsc refuses this while a route of contract/routes.ts has none. */
export const OPERATIONS: Operations = {
  ...EMAIL_OPERATIONS,
  ...TEMPLATE_OPERATIONS,
  ...CAMPAIGN_OPERATIONS,
  ...SUPPRESSION_OPERATIONS,
  ...ACCOUNT_OPERATIONS,
  ...UNSUBSCRIBE_OPERATIONS,
  ...WEBHOOK_OPERATIONS,
};
