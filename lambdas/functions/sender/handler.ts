import { functionEnvironment } from '../../platform/environment';
import { createSender } from './sender';

/** SQS (transactional or bulk queue) → SES, paced, once per message (see createSender). */
export const handler = createSender(functionEnvironment('sender'));
