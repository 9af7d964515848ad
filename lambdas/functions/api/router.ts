import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { ApiError } from '../../requests/errors';

/** What the invocation knows beyond the event: when the function will be stopped. */
export interface Invocation {
  deadline?: Date;
}

export type RouteHandler = (
  event: APIGatewayProxyEvent,
  params: Record<string, string>,
  invocation: Invocation,
) => Promise<APIGatewayProxyResult>;

interface Route {
  method: string;
  pattern: RegExp;
  names: string[];
  handler: RouteHandler;
}

/**
 * A small router over the proxy event's path. Written here rather than taken from a framework: the
 * API has a handful of fixed routes and API Gateway has already matched them, so a dependency would
 * add bundle size and cold-start time for ten lines of matching.
 */
export class Router {
  private readonly routes: Route[] = [];

  on(method: string, path: string, handler: RouteHandler): this {
    const names: string[] = [];
    const pattern = new RegExp(
      `^${path.replace(/\{(\w+)\}/g, (_, name: string) => {
        names.push(name);
        return '([^/]+)';
      })}/?$`,
    );
    this.routes.push({ method, pattern, names, handler });
    return this;
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
