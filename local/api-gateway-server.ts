import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { FUNCTIONS } from '../contract/functions';

export type ProxyHandler = (
  event: APIGatewayProxyEvent,
  context?: { getRemainingTimeInMillis(): number },
) => Promise<APIGatewayProxyResult>;

/** The api function's timeout in AWS (contract/functions.ts): the context says so. */
const API_FUNCTION_TIMEOUT_MS = FUNCTIONS.api.timeoutSeconds * 1000;

/** A Lambda context as far as the handlers read it: the time left of the api function's timeout. */
function invocationContext(): { getRemainingTimeInMillis(): number } {
  const end = Date.now() + API_FUNCTION_TIMEOUT_MS;
  return { getRemainingTimeInMillis: () => Math.max(0, end - Date.now()) };
}

/** API Gateway's own payload limit: a larger request never reaches the function. */
const API_GATEWAY_MAX_BODY = 10 * 1024 * 1024;

/** Serves a request outside the API (the console's pages), or answers false to leave it to the API. */
export type SiteHandler = (request: IncomingMessage, response: ServerResponse) => boolean;

/**
 * Stands in for API Gateway (REST API, Lambda proxy integration): turns each HTTP request into the
 * proxy event the handler receives in AWS and writes its result back. There is no IAM auth here.
 * `site` takes the paths it serves first (the console); every other path is the API's.
 */
export function startApiGatewayServer(
  handler: ProxyHandler,
  port: number,
  host = '127.0.0.1',
  site?: SiteHandler,
): Promise<Server> {
  const server = createServer((request, response) => {
    if (site?.(request, response)) return;
    void serve(handler, request, response);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

async function serve(
  handler: ProxyHandler,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  try {
    const body = await readBody(request);
    if (body === undefined) {
      return write(response, gatewayError(413, 'REQUEST_TOO_LARGE', 'Request Entity Too Large'));
    }
    write(response, await handler(toProxyEvent(request, body), invocationContext()));
  } catch (error) {
    console.error('local API gateway: handler threw', error);
    write(response, gatewayError(502, 'INTEGRATION_FAILURE', 'Internal server error'));
  }
}

/**
 * A handler that answers 503 with `Retry-After` until `ready` hands it the real one: the server has
 * to listen before the handlers load (their environment needs its URL), and a request in that
 * moment is "try again in a second", not a failure.
 */
export function handlerWhenReady(): { handler: ProxyHandler; ready(handler: ProxyHandler): void } {
  let loaded: ProxyHandler | undefined;
  return {
    handler: async (event, context) => {
      if (loaded) return loaded(event, context);
      const starting = gatewayError(
        503,
        'STARTING',
        'Mailroom local mode is still starting; retry in a second',
      );
      return { ...starting, headers: { ...starting.headers, 'retry-after': '1' } };
    },
    ready: (handler) => {
      loaded = handler;
    },
  };
}

/** API Gateway's own answers, in the error envelope the stack configures for them. */
function gatewayError(statusCode: number, code: string, message: string): APIGatewayProxyResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ error: { code, message } }),
  };
}

function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= API_GATEWAY_MAX_BODY) chunks.push(chunk);
    });
    request.on('end', () => resolve(size > API_GATEWAY_MAX_BODY ? undefined : Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

export function toProxyEvent(request: IncomingMessage, body: Buffer): APIGatewayProxyEvent {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i < request.rawHeaders.length; i += 2) {
    const name = request.rawHeaders[i] ?? '';
    const value = request.rawHeaders[i + 1] ?? '';
    headers[name] = value;
    multiValueHeaders[name] = [...(multiValueHeaders[name] ?? []), value];
  }
  const query: Record<string, string> = {};
  const multiQuery: Record<string, string[]> = {};
  for (const [name, value] of url.searchParams) {
    query[name] = value;
    multiQuery[name] = [...(multiQuery[name] ?? []), value];
  }
  const hasQuery = Object.keys(query).length > 0;
  const method = request.method ?? 'GET';
  const now = Date.now();
  return {
    resource: url.pathname,
    path: url.pathname,
    httpMethod: method,
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery ? query : null,
    multiValueQueryStringParameters: hasQuery ? multiQuery : null,
    pathParameters: null,
    stageVariables: null,
    body: body.length > 0 ? body.toString('utf8') : null,
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      authorizer: null,
      domainName: headers.Host ?? headers.host ?? 'localhost',
      domainPrefix: 'local',
      httpMethod: method,
      path: url.pathname,
      protocol: `HTTP/${request.httpVersion}`,
      requestId: randomUUID(),
      requestTime: new Date(now).toUTCString(),
      requestTimeEpoch: now,
      resourceId: 'local',
      resourcePath: url.pathname,
      stage: 'local',
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        user: null,
        userAgent: request.headers['user-agent'] ?? null,
        userArn: null,
      },
    },
  };
}

function write(response: ServerResponse, result: APIGatewayProxyResult): void {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
  for (const [name, values] of Object.entries(result.multiValueHeaders ?? {}))
    headers[name] = values.map(String);
  response.writeHead(result.statusCode, headers);
  response.end(result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body);
}
