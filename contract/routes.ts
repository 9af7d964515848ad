/**
 * The HTTP routes, as plain data: the api function's router (lambdas/functions/api/routes.ts) takes
 * one handler per route id, and the REST API (lib/constructs/api.ts) builds one method per route,
 * both from here. docs/openapi.yaml is generated from these (`npm run openapi`), each under its id
 * as operationId, with the documentation entry docs/openapi/ keeps under that id (tsc refuses a
 * route without one). The REST API creates its resources and methods in this order, and its
 * deployment's logical id hashes them in that order: reordering the entries changes the template
 * (a new deployment) without changing the API.
 */

export type HttpMethod = 'GET' | 'PUT' | 'PATCH' | 'POST' | 'DELETE';

/**
 * Who may call a route. `iam`: SigV4-signed by an IAM principal granted one of the stack's managed
 * policies that allows the route (see {@link RouteAccess}); /v1 only. `none`: anyone; the route
 * authorizes by what the request carries.
 */
export type RouteAuth = 'iam' | 'none';

/**
 * The body a route reads, and so what API Gateway checks before the function runs: `json` and
 * `jsonOrCsv` must be a JSON object when sent as application/json (the only content type the
 * gateway's model is bound to; the function's zod schemas own the rules); the others pass the
 * gateway unchecked.
 * - `json`: a JSON object.
 * - `jsonOrCsv`: a JSON object, or text/csv.
 * - `optionalJson`: a JSON object, or no body at all.
 * - `form`: application/x-www-form-urlencoded or multipart/form-data.
 * - `none`: no body is read.
 */
export type RouteBody = 'json' | 'jsonOrCsv' | 'optionalJson' | 'form' | 'none';

/**
 * Which of the stack's two managed policies allows an `iam` route (lib/constructs/api.ts builds
 * both from here, one resource ARN per route): `send`, the send-only policy a product backend
 * attaches, and the admin policy; `admin`, the admin policy only (operators, consoles, the CLI).
 */
export type RouteAccess = 'send' | 'admin';

interface RouteShape {
  readonly method: HttpMethod;
  /** API Gateway style, parameters in braces: `/v1/campaigns/{id}/recipients/{email}`. */
  readonly path: string;
  readonly body: RouteBody;
}

/** A /v1 route: SigV4-signed, allowed by the policies of its access level. */
export interface IamRouteContract extends RouteShape {
  readonly auth: 'iam';
  readonly access: RouteAccess;
}

/** A public route: no policy names it. */
export interface PublicRouteContract extends RouteShape {
  readonly auth: 'none';
}

export type RouteContract = IamRouteContract | PublicRouteContract;

/** Every route, by id (the OpenAPI operationId). */
export const ROUTES = {
  /** A transactional send; `Idempotency-Key` header. */
  sendEmail: { method: 'POST', path: '/v1/emails', auth: 'iam', access: 'send', body: 'json' },
  getEmail: { method: 'GET', path: '/v1/emails/{id}', auth: 'iam', access: 'send', body: 'none' },
  listTemplates: { method: 'GET', path: '/v1/templates', auth: 'iam', access: 'send', body: 'none' },
  putTemplate: { method: 'PUT', path: '/v1/templates/{name}', auth: 'iam', access: 'admin', body: 'json' },
  getTemplate: { method: 'GET', path: '/v1/templates/{name}', auth: 'iam', access: 'send', body: 'none' },
  deleteTemplate: {
    method: 'DELETE',
    path: '/v1/templates/{name}',
    auth: 'iam',
    access: 'admin',
    body: 'none',
  },
  /** Renders content with sample data, sending nothing (the console's live preview). */
  previewContent: { method: 'POST', path: '/v1/previews', auth: 'iam', access: 'admin', body: 'json' },
  getAccount: { method: 'GET', path: '/v1/account', auth: 'iam', access: 'admin', body: 'none' },
  /** Clears the reputation guard's pause of bulk mail. */
  resumeBulk: { method: 'POST', path: '/v1/account/bulk/resume', auth: 'iam', access: 'admin', body: 'none' },
  listCampaigns: { method: 'GET', path: '/v1/campaigns', auth: 'iam', access: 'admin', body: 'none' },
  createCampaign: { method: 'POST', path: '/v1/campaigns', auth: 'iam', access: 'admin', body: 'json' },
  getCampaign: { method: 'GET', path: '/v1/campaigns/{id}', auth: 'iam', access: 'admin', body: 'none' },
  /** Changes a draft's (or scheduled campaign's) name, sender, tags or content. */
  updateCampaign: {
    method: 'PATCH',
    path: '/v1/campaigns/{id}',
    auth: 'iam',
    access: 'admin',
    body: 'json',
  },
  addCampaignRecipients: {
    method: 'POST',
    path: '/v1/campaigns/{id}/recipients',
    auth: 'iam',
    access: 'admin',
    body: 'jsonOrCsv',
  },
  getCampaignRecipient: {
    method: 'GET',
    path: '/v1/campaigns/{id}/recipients/{email}',
    auth: 'iam',
    access: 'admin',
    body: 'none',
  },
  sendCampaignTest: {
    method: 'POST',
    path: '/v1/campaigns/{id}/test',
    auth: 'iam',
    access: 'admin',
    body: 'json',
  },
  /** `{at}` to schedule, or no body to send now. */
  sendCampaign: {
    method: 'POST',
    path: '/v1/campaigns/{id}/send',
    auth: 'iam',
    access: 'admin',
    body: 'optionalJson',
  },
  pauseCampaign: {
    method: 'POST',
    path: '/v1/campaigns/{id}/pause',
    auth: 'iam',
    access: 'admin',
    body: 'none',
  },
  resumeCampaign: {
    method: 'POST',
    path: '/v1/campaigns/{id}/resume',
    auth: 'iam',
    access: 'admin',
    body: 'none',
  },
  cancelCampaign: {
    method: 'POST',
    path: '/v1/campaigns/{id}/cancel',
    auth: 'iam',
    access: 'admin',
    body: 'none',
  },
  listSuppressions: { method: 'GET', path: '/v1/suppressions', auth: 'iam', access: 'admin', body: 'none' },
  getSuppression: {
    method: 'GET',
    path: '/v1/suppressions/{email}',
    auth: 'iam',
    access: 'admin',
    body: 'none',
  },
  /** The reason is optional: no body suppresses as `manual`. */
  putSuppression: {
    method: 'PUT',
    path: '/v1/suppressions/{email}',
    auth: 'iam',
    access: 'admin',
    body: 'optionalJson',
  },
  deleteSuppression: {
    method: 'DELETE',
    path: '/v1/suppressions/{email}',
    auth: 'iam',
    access: 'admin',
    body: 'none',
  },
  /** Registers an endpoint for the product events; answers its signing secret, once. */
  createWebhook: { method: 'POST', path: '/v1/webhooks', auth: 'iam', access: 'admin', body: 'json' },
  listWebhooks: { method: 'GET', path: '/v1/webhooks', auth: 'iam', access: 'admin', body: 'none' },
  getWebhook: { method: 'GET', path: '/v1/webhooks/{id}', auth: 'iam', access: 'admin', body: 'none' },
  deleteWebhook: { method: 'DELETE', path: '/v1/webhooks/{id}', auth: 'iam', access: 'admin', body: 'none' },
  /** Queues a signed `test` event to the endpoint (one attempt, no retries). */
  testWebhook: { method: 'POST', path: '/v1/webhooks/{id}/test', auth: 'iam', access: 'admin', body: 'none' },
  /** Re-enables a webhook that was disabled after failing for a day. */
  enableWebhook: {
    method: 'POST',
    path: '/v1/webhooks/{id}/enable',
    auth: 'iam',
    access: 'admin',
    body: 'none',
  },
  /** The webhook's recent delivery attempts, newest first (kept 7 days). */
  listWebhookDeliveries: {
    method: 'GET',
    path: '/v1/webhooks/{id}/deliveries',
    auth: 'iam',
    access: 'admin',
    body: 'none',
  },
  /**
   * Public: recipients open the link in every campaign mail from their inbox. Here and on the POST,
   * the HMAC-signed token in the query is the authorization.
   */
  unsubscribePage: { method: 'GET', path: '/unsubscribe', auth: 'none', body: 'none' },
  /** RFC 8058 one-click: mail providers POST `List-Unsubscribe=One-Click` without credentials. */
  unsubscribe: { method: 'POST', path: '/unsubscribe', auth: 'none', body: 'form' },
} as const satisfies Record<string, RouteContract>;

export type RouteId = keyof typeof ROUTES;

/** The route ids in declaration order. */
export const ROUTE_IDS = Object.keys(ROUTES) as RouteId[];

/** The names in a path's braces, as a union: `'id' | 'email'` for `/v1/campaigns/{id}/recipients/{email}`. */
type ParamNames<Path extends string> = Path extends `${string}{${infer Name}}${infer Rest}`
  ? Name | ParamNames<Rest>
  : never;

/** The decoded path parameters of a route, e.g. `{ id: string }` for `/v1/emails/{id}`. */
export type PathParams<Path extends string> = { readonly [Name in ParamNames<Path>]: string };

/** `METHOD /path`, e.g. `POST /v1/emails`: how tests and messages name a route. */
export function routeKey(route: Pick<RouteContract, 'method' | 'path'>): string {
  return `${route.method} ${route.path}`;
}
