import { functionEnvironment } from '../../platform/environment';
import { createScheduler } from './scheduler';

/** The one-minute campaign tick (see createScheduler). */
export const handler = createScheduler(functionEnvironment('scheduler'));
