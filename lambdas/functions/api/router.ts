import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { type PathParams, ROUTE_IDS, ROUTES, type RouteId } from '../../../contract/routes';
import { ApiError } from '../../requests/errors';

/** What the invocation knows beyond the event: when the function will be stopped. */
export interface Invocation {
  deadline?: Date;
}

export type RouteHandler<Params = Record<string, string>> = (
  event: APIGatewayProxyEvent,
  params: Params,
  invocation: Invocation,
) => Promise<APIGatewayProxyResult>;

/**
 * One handler for each route of the contract (contract/routes.ts), and none for anything else,
 * each given that route's path parameters.
 */
export type RouteHandlers = {
  readonly [Id in RouteId]: RouteHandler<PathParams<(typeof ROUTES)[Id]['path']>>;
};

interface Route {
  method: string;
  pattern: RegExp;
  names: string[];
  handler: RouteHandler;
}

/**
 * A small router over the proxy event's path, for the routes of the contract: the method and path
 * of each come from there, the handler from `handlers`. Written here rather than taken from a
 * framework: the API has a handful of fixed routes and API Gateway has already matched them, so a
 * dependency would add bundle size and cold-start time for ten lines of matching.
 */
export class Router {
  private readonly routes: Route[];

  constructor(handlers: RouteHandlers) {
    this.routes = ROUTE_IDS.map((id) => {
      const { method, path } = ROUTES[id];
      const names: string[] = [];
      const pattern = new RegExp(
        `^${path.replace(/\{(\w+)\}/g, (_, name: string) => {
          names.push(name);
          return '([^/]+)';
        })}/?$`,
      );
      // Sound: the parameters handed over are exactly the names in this route's path.
      return { method, pattern, names, handler: handlers[id] as RouteHandler };
    });
  }

  async handle(event: APIGatewayProxyEvent, invocation: Invocation = {}): Promise<APIGatewayProxyResult> {
    let pathMatched = false;
    for (const route of this.routes) {
      const match = route.pattern.exec(event.path);
      if (!match) continue;
      pathMatched = true;
      if (route.method !== event.httpMethod) continue;
      const params = Object.fromEntries(route.names.map((name, i) => [name, safeDecode(match[i + 1] ?? '')]));
      return route.handler(event, params, invocation);
    }
    if (pathMatched)
      throw new ApiError(405, 'method_not_allowed', `${event.httpMethod} is not allowed on ${event.path}`);
    throw new ApiError(404, 'not_found', `No route for ${event.httpMethod} ${event.path}`);
  }
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new ApiError(400, 'invalid_path', 'The path is not valid URL encoding');
  }
}
