/**
 * The API's request and response types, taken from the server's own code with `import type` only
 * (nothing of the server is in the client at run time): request bodies are the z.input of the zod
 * schemas the handlers validate with; responses the z.output of the response schemas where they
 * exist (the OpenAPI document's), else what the handlers' view functions return. The build
 * (scripts/build.ts) writes these out as plain types for the published package.
 */
import type { z } from 'zod';
import type { ROUTES, RouteId } from '../../../contract/routes';
import type { recipientView } from '../../../lambdas/campaigns/campaign';
import type {
  createCampaignSchema,
  MAX_RECIPIENTS_PER_CALL,
  recipientRowSchema,
  sendCampaignSchema,
  testSendSchema,
  updateCampaignSchema,
} from '../../../lambdas/campaigns/campaign-request';
import type {
  AddRecipientsResult as AddRecipientsView,
  campaignView,
  getCampaign,
  sendTest,
} from '../../../lambdas/campaigns/manage-campaigns';
import type { emailRequestSchema } from '../../../lambdas/emails/email-request';
import type { emailAcceptedSchema, emailSchema } from '../../../lambdas/emails/email-response';
import type { putSuppressionSchema } from '../../../lambdas/feedback/manage-suppressions';
import type { ProductEvent as ProductEventView } from '../../../lambdas/feedback/ports';
import type {
  SuppressionReason as Reason,
  Suppression as SuppressionView,
} from '../../../lambdas/feedback/suppression';
import type { accountView, BULK_RESUMED } from '../../../lambdas/functions/api/routes';
import type { templateBodySchema } from '../../../lambdas/templates/manage-templates';
import type { StoredTemplate } from '../../../lambdas/templates/ports';
import type { previewRequestSchema, previewSchema } from '../../../lambdas/templates/preview';
import type {
  CreateWebhookRequest,
  createdWebhookSchema,
  DeliveryAttempt,
  testQueuedSchema,
  WebhookView,
} from '../../../lambdas/webhooks/webhook-schemas';

/** The contract's routes: id, method and path (contract/routes.ts). */
export type ApiRoutes = {
  readonly [Id in RouteId]: { method: (typeof ROUTES)[Id]['method']; path: (typeof ROUTES)[Id]['path'] };
};
export type ApiRouteId = RouteId;

/** `POST /v1/emails`. */
export type SendEmailRequest = z.input<typeof emailRequestSchema>;
export type SendEmailResponse = z.output<typeof emailAcceptedSchema>;
/** `GET /v1/emails/{id}`: status and history, not the content. */
export type Email = z.output<typeof emailSchema>;

/** `PUT /v1/templates/{name}`. */
export type PutTemplateRequest = z.input<typeof templateBodySchema>;
export type Template = StoredTemplate;

/** `POST /v1/previews`: content and one recipient's data → the content rendered. */
export type PreviewRequest = z.input<typeof previewRequestSchema>;
export type Preview = z.output<typeof previewSchema>;

/** `POST /v1/campaigns`. */
export type CreateCampaignRequest = z.input<typeof createCampaignSchema>;
/** `PATCH /v1/campaigns/{id}`: what changes. */
export type UpdateCampaignRequest = z.input<typeof updateCampaignSchema>;
/** A campaign as create, list, send, pause, resume and cancel answer it. */
export type Campaign = ReturnType<typeof campaignView>;
/** `GET /v1/campaigns/{id}`: the campaign with its progress, rate and ETA. */
export type CampaignWithProgress = Awaited<ReturnType<typeof getCampaign>>;
/** One row of `POST /v1/campaigns/{id}/recipients` as JSON. */
export type RecipientRow = z.input<typeof recipientRowSchema>;
export type AddRecipientsResult = AddRecipientsView;
/** The most rows one `POST /v1/campaigns/{id}/recipients` takes (the server's own constant, as a type). */
export type MaxRecipientsPerCall = typeof MAX_RECIPIENTS_PER_CALL;
/** `GET /v1/campaigns/{id}/recipients/{email}`. */
export type CampaignRecipient = ReturnType<typeof recipientView>;
/** `POST /v1/campaigns/{id}/test`. */
export type SendTestRequest = z.input<typeof testSendSchema>;
export type SendTestResponse = Awaited<ReturnType<typeof sendTest>>;
/** `POST /v1/campaigns/{id}/send`: `{}` or nothing to send now, `{at}` to schedule. */
export type SendCampaignRequest = z.input<typeof sendCampaignSchema>;

/** `PUT /v1/suppressions/{email}`: every field optional (`manual`, every stream). */
export type PutSuppressionRequest = z.input<typeof putSuppressionSchema>;
export type Suppression = SuppressionView;
export type SuppressionReason = Reason;

/** `GET /v1/account`. */
export type Account = ReturnType<typeof accountView>;
/** `POST /v1/account/bulk/resume`. */
export type BulkResumed = typeof BULK_RESUMED;

/** `POST /v1/webhooks`. */
export type WebhookRequest = CreateWebhookRequest;
/** A webhook, without its secret. */
export type Webhook = WebhookView;
/** What `POST /v1/webhooks` answers: the webhook and its `secret`, shown only then. */
export type WebhookCreated = z.output<typeof createdWebhookSchema>;
/** One delivery attempt of `GET /v1/webhooks/{id}/deliveries`. */
export type WebhookDeliveryAttempt = DeliveryAttempt;
/** `POST /v1/webhooks/{id}/test`. */
export type WebhookTestQueued = z.output<typeof testQueuedSchema>;
/** A product event, as the product events topic and webhooks carry it. */
export type ProductEvent = ProductEventView;
