import { functionEnvironment } from '../../platform/environment';
import { createFanout } from './fanout';

/** Fan-out queue → pages of recipients onto the bulk queue (see createFanout). */
export const handler = createFanout(functionEnvironment('fanout'));
