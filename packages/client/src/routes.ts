import type { ApiRouteId, ApiRoutes } from './api-types';
import { MailroomConfigError } from './errors';

/**
 * Each route of the contract (contract/routes.ts), method and path. Written out so the client
 * carries no server module at run time; `satisfies ApiRoutes` makes tsc refuse a route that is
 * missing here, one that is not in the contract, and any method or path that differs from it.
 */
export const ROUTES = {
  sendEmail: { method: 'POST', path: '/v1/emails' },
  getEmail: { method: 'GET', path: '/v1/emails/{id}' },
  listTemplates: { method: 'GET', path: '/v1/templates' },
  putTemplate: { method: 'PUT', path: '/v1/templates/{name}' },
  getTemplate: { method: 'GET', path: '/v1/templates/{name}' },
  deleteTemplate: { method: 'DELETE', path: '/v1/templates/{name}' },
  previewContent: { method: 'POST', path: '/v1/previews' },
  getAccount: { method: 'GET', path: '/v1/account' },
  resumeBulk: { method: 'POST', path: '/v1/account/bulk/resume' },
  listCampaigns: { method: 'GET', path: '/v1/campaigns' },
  createCampaign: { method: 'POST', path: '/v1/campaigns' },
  getCampaign: { method: 'GET', path: '/v1/campaigns/{id}' },
  updateCampaign: { method: 'PATCH', path: '/v1/campaigns/{id}' },
  addCampaignRecipients: { method: 'POST', path: '/v1/campaigns/{id}/recipients' },
  getCampaignRecipient: { method: 'GET', path: '/v1/campaigns/{id}/recipients/{email}' },
  sendCampaignTest: { method: 'POST', path: '/v1/campaigns/{id}/test' },
  sendCampaign: { method: 'POST', path: '/v1/campaigns/{id}/send' },
  pauseCampaign: { method: 'POST', path: '/v1/campaigns/{id}/pause' },
  resumeCampaign: { method: 'POST', path: '/v1/campaigns/{id}/resume' },
  cancelCampaign: { method: 'POST', path: '/v1/campaigns/{id}/cancel' },
  listSuppressions: { method: 'GET', path: '/v1/suppressions' },
  getSuppression: { method: 'GET', path: '/v1/suppressions/{email}' },
  putSuppression: { method: 'PUT', path: '/v1/suppressions/{email}' },
  deleteSuppression: { method: 'DELETE', path: '/v1/suppressions/{email}' },
  createWebhook: { method: 'POST', path: '/v1/webhooks' },
  listWebhooks: { method: 'GET', path: '/v1/webhooks' },
  getWebhook: { method: 'GET', path: '/v1/webhooks/{id}' },
  deleteWebhook: { method: 'DELETE', path: '/v1/webhooks/{id}' },
  testWebhook: { method: 'POST', path: '/v1/webhooks/{id}/test' },
  enableWebhook: { method: 'POST', path: '/v1/webhooks/{id}/enable' },
  listWebhookDeliveries: { method: 'GET', path: '/v1/webhooks/{id}/deliveries' },
  unsubscribePage: { method: 'GET', path: '/unsubscribe' },
  unsubscribe: { method: 'POST', path: '/unsubscribe' },
} as const satisfies ApiRoutes;

type ParamNames<Path extends string> = Path extends `${string}{${infer Name}}${infer Rest}`
  ? Name | ParamNames<Rest>
  : never;
export type RouteParams<Id extends ApiRouteId> = {
  readonly [Name in ParamNames<ApiRoutes[Id]['path']>]: string;
};

/**
 * A route's path with its parameters filled in, each URL-encoded: `/v1/suppressions/jane%40example.org`.
 * An empty parameter is a MailroomConfigError: `/v1/emails/` would reach another route (or none).
 */
export function routePath<Id extends ApiRouteId>(id: Id, params: RouteParams<Id>): string {
  return ROUTES[id].path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = (params as Record<string, unknown>)[name];
    if (typeof value !== 'string' || value === '') {
      throw new MailroomConfigError(
        `${name} must be a non-empty string (${ROUTES[id].method} ${ROUTES[id].path})`,
      );
    }
    return encodeURIComponent(value);
  });
}
