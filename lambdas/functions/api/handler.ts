import { functionEnvironment } from '../../platform/environment';
import { createApi } from './api';

/** API Gateway (REST, proxy integration) → the /v1 routes (see createApi). */
export const handler = createApi(functionEnvironment('api'));
