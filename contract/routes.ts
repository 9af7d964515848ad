/**
 * The HTTP routes, as plain data: the api function's router (lambdas/functions/api/routes.ts) takes
 * one handler per route id, and the REST API (lib/constructs/api.ts) builds one method per route,
 * both from here. docs/openapi.yaml documents exactly these, each under its id as operationId
 * (test/unit/openapi.test.ts). The REST API creates its resources and methods in this order, and
 * its deployment's logical id hashes them in that order: reordering the entries changes the
 * template (a new deployment) without changing the API.
 */

export type HttpMethod = 'GET' | 'PUT' | 'POST' | 'DELETE';

/**
 * Who may call a route. `iam`: SigV4-signed by an IAM principal granted the stack's invoke policy,
 * which covers /v1 only. `none`: anyone; the route authorizes by what the request carries.
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

export interface RouteContract {
  readonly method: HttpMethod;
  /** API Gateway style, parameters in braces: `/v1/campaigns/{id}/recipients/{email}`. */
  readonly path: string;
  readonly auth: RouteAuth;
  readonly body: RouteBody;
}

/** Every route, by id (the OpenAPI operationId). */
export const ROUTES = {
  /** A transactional send; `Idempotency-Key` header. */
  sendEmail: { method: 'POST', path: '/v1/emails', auth: 'iam', body: 'json' },
  getEmail: { method: 'GET', path: '/v1/emails/{id}', auth: 'iam', body: 'none' },
  listTemplates: { method: 'GET', path: '/v1/templates', auth: 'iam', body: 'none' },
  putTemplate: { method: 'PUT', path: '/v1/templates/{name}', auth: 'iam', body: 'json' },
  getTemplate: { method: 'GET', path: '/v1/templates/{name}', auth: 'iam', body: 'none' },
  deleteTemplate: { method: 'DELETE', path: '/v1/templates/{name}', auth: 'iam', body: 'none' },
  getAccount: { method: 'GET', path: '/v1/account', auth: 'iam', body: 'none' },
  /** Clears the reputation guard's pause of bulk mail. */
  resumeBulk: { method: 'POST', path: '/v1/account/bulk/resume', auth: 'iam', body: 'none' },
  listCampaigns: { method: 'GET', path: '/v1/campaigns', auth: 'iam', body: 'none' },
  createCampaign: { method: 'POST', path: '/v1/campaigns', auth: 'iam', body: 'json' },
  getCampaign: { method: 'GET', path: '/v1/campaigns/{id}', auth: 'iam', body: 'none' },
  addCampaignRecipients: {
    method: 'POST',
    path: '/v1/campaigns/{id}/recipients',
    auth: 'iam',
    body: 'jsonOrCsv',
  },
  getCampaignRecipient: {
    method: 'GET',
    path: '/v1/campaigns/{id}/recipients/{email}',
    auth: 'iam',
    body: 'none',
  },
  sendCampaignTest: { method: 'POST', path: '/v1/campaigns/{id}/test', auth: 'iam', body: 'json' },
  /** `{at}` to schedule, or no body to send now. */
  sendCampaign: { method: 'POST', path: '/v1/campaigns/{id}/send', auth: 'iam', body: 'optionalJson' },
  pauseCampaign: { method: 'POST', path: '/v1/campaigns/{id}/pause', auth: 'iam', body: 'none' },
  resumeCampaign: { method: 'POST', path: '/v1/campaigns/{id}/resume', auth: 'iam', body: 'none' },
  cancelCampaign: { method: 'POST', path: '/v1/campaigns/{id}/cancel', auth: 'iam', body: 'none' },
  listSuppressions: { method: 'GET', path: '/v1/suppressions', auth: 'iam', body: 'none' },
  getSuppression: { method: 'GET', path: '/v1/suppressions/{email}', auth: 'iam', body: 'none' },
  /** The reason is optional: no body suppresses as `manual`. */
  putSuppression: { method: 'PUT', path: '/v1/suppressions/{email}', auth: 'iam', body: 'optionalJson' },
  deleteSuppression: { method: 'DELETE', path: '/v1/suppressions/{email}', auth: 'iam', body: 'none' },
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
