import { functionEnvironment } from '../../platform/environment';
import { createWebhooks } from './webhooks';

/** Product events → signed webhook deliveries, retried on a schedule (see createWebhooks). */
export const handler = createWebhooks(functionEnvironment('webhooks'));
