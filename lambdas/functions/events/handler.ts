import { functionEnvironment } from '../../platform/environment';
import { createEventsProcessor } from './events';

/** SES events → suppression list, message history, campaign counters, the reputation guard (see createEventsProcessor). */
export const handler = createEventsProcessor(functionEnvironment('events'));
