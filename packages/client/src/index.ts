export type * from './api-types';
export {
  type CallOptions,
  MailroomClient,
  type MailroomClientOptions,
  type Page,
  type PageOptions,
  type PageResponse,
  type SendOptions,
} from './client';
export { MailroomApiError, MailroomConfigError, MailroomError, MailroomNetworkError } from './errors';
export { IDEMPOTENCY_KEY, MAX_RECIPIENTS_PER_CALL } from './limits';
export { ROUTES as API_ROUTES } from './routes';
export { type Credentials, isLoopback, type Signing } from './signing';
export {
  type VerifyOptions,
  verifyWebhook,
  type WebhookEvent,
  type WebhookHeaders,
  WebhookVerificationError,
} from './webhooks';
