/**
 * docs/openapi.yaml, generated: the routes of the contract (contract/routes.ts: path, method,
 * operationId, auth, body kind) with the zod schemas the handlers validate with and the response
 * schemas their views are typed by (lambdas/), and the prose and examples of docs/openapi/*.ts.
 * `npm run openapi` writes it; test/unit/openapi.test.ts fails while the committed file is stale.
 *
 * Generator: zod-openapi rather than @asteasolutions/zod-to-openapi. It renders through zod 4's own
 * JSON Schema conversion and reads zod's native `.meta()`, so the schema files in lambdas/ carry
 * their OpenAPI annotations without importing the generator or patching zod (`extendZodWithOpenApi`),
 * and nothing of it reaches the Lambda bundles; its document object is plain OpenAPI with zod
 * schemas where schemas go, which keeps this file short.
 */

import { stringify } from 'yaml';
import { z } from 'zod';
import {
  createDocument,
  type oas31,
  type ZodOpenApiOperationObject,
  type ZodOpenApiPathsObject,
  type ZodOpenApiResponseObject,
} from 'zod-openapi';
import { ROUTE_IDS, ROUTES, type RouteAccess, type RouteContract } from '../../contract/routes';
import { recipientRowSchema } from '../../lambdas/campaigns/campaign-request';
import { productEventSchema } from '../../lambdas/feedback/suppression-response';
import { MAX_BODY_BYTES } from '../../lambdas/functions/api/http';
import { errorResponseSchema } from '../../lambdas/requests/error-response';
import { type OperationDoc, type ResponseDoc, TAGS, type Tag } from './operation';
import { OPERATIONS } from './operations';

const htmlPageSchema = z.string().meta({
  id: 'HtmlPage',
  description: `A small self-contained HTML page (\`text/html; charset=utf-8\`, \`noindex\`, no scripts); the
address in it is HTML-escaped.`,
});

const TAG_DESCRIPTIONS: Record<Tag, string> = {
  emails: 'Transactional sends and their status.',
  templates: 'Stored Handlebars templates (subject, html, text).',
  campaigns: `Bulk mail to a recipient list, with one-click unsubscribe: create a draft, add recipients,
send a test, send now or schedule; pause, resume or cancel while it runs.`,
  suppressions: `Addresses Mailroom does not mail: filled by SES bounces and complaints, one-click
unsubscribes and by hand. Keyed by the normalized (lower-case) address.`,
  unsubscribe: `The public one-click unsubscribe link of every campaign mail (RFC 8058): HTML pages, no
SigV4.`,
  account: 'SES account status, the send rate Mailroom paces to and the reputation guard.',
  webhooks: `HTTPS endpoints that receive the product events, signed per the Standard Webhooks spec
(\`webhook-id\`, \`webhook-timestamp\`, \`webhook-signature\`), retried for over 24 hours, and
disabled (with a \`webhook_disabled\` event and an ops alarm) when they keep failing.`,
};

const DESCRIPTION = `Mailroom's HTTP API: transactional email and bulk campaigns on Amazon SES, stored templates,
the suppression list and the SES account status. Bodies are JSON (\`Content-Type:
application/json\`, at most 256 KB (${MAX_BODY_BYTES} bytes); \`POST /v1/campaigns/{id}/recipients\` also
takes \`text/csv\`); every error is \`{"error": {"code", "message", "details?"}}\`, except the HTML
pages of \`/unsubscribe\`.

This document is generated (\`npm run openapi\`) from the zod schemas the server validates requests
with and types its responses by: its request schemas are the server's own. Rules the schemas check
in code (the recipient count across \`to\`, \`cc\` and \`bcc\`, addresses, byte sizes, duplicate
headers) are in the descriptions.

**Authentication.** In AWS every /v1 route is IAM-authorized: sign requests with SigV4 for the
service \`execute-api\` using a principal allowed \`execute-api:Invoke\` on the route. The stack
outputs two managed policies: send-only (\`SendOnlyPolicyArn\`: send, read its emails, read
templates), for product backends, and admin (\`AdminPolicyArn\`: every route). Each operation says
which allows it (\`x-mailroom-access\`: \`send\` or \`admin\`). \`GET\` and \`POST /unsubscribe\` (the
link in every campaign mail) are public: mail providers and recipients call them without a
signature, and the signed token in the URL decides. In local mode (\`npm start\`) every route is
unauthenticated.

**Product events.** Besides this API, Mailroom publishes what happened to addresses (suppressed,
bounced, complained, unsubscribed, delivered) on the product events SNS topic, for product
backends to subscribe to. That is not an HTTP route; the message is the \`ProductEvent\` schema
under \`components.schemas\`.

**AWS only.** API Gateway answers some requests before Mailroom sees them, in the same envelope
with an upper-case \`code\`: 403 (\`MISSING_AUTHENTICATION_TOKEN\`, \`INVALID_SIGNATURE\`,
\`ACCESS_DENIED\`; also for a route or method that does not exist), 429 \`THROTTLED\` (the stage
accepts 50 requests/s, burst 100, by default) and 400 \`BAD_REQUEST_BODY\` (a PUT or POST body
that is not a JSON object). In local mode an unknown path is 404 \`not_found\` and a known path
with another method is 405 \`method_not_allowed\`.`;

const SIGV4: oas31.SecuritySchemeObject = {
  type: 'apiKey',
  in: 'header',
  name: 'Authorization',
  description: `AWS Signature Version 4 for the service \`execute-api\` (headers \`Authorization\`,
\`X-Amz-Date\` and, for temporary credentials, \`X-Amz-Security-Token\`). The principal needs
\`execute-api:Invoke\` on the /v1 routes. Not checked in local mode.`,
  'x-amazon-apigateway-authtype': 'awsSigv4',
};

/** One object per shared response, so zod-openapi writes it once under components/responses. */
const converted = new WeakMap<ResponseDoc, ZodOpenApiResponseObject>();

function responseObject(status: number, doc: ResponseDoc): ZodOpenApiResponseObject {
  const known = converted.get(doc);
  if (known) return known;
  const examples = doc.examples === undefined ? {} : { examples: doc.examples };
  const schema = doc.schema ?? (status >= 300 ? errorResponseSchema : undefined);
  const content = doc.html
    ? { 'text/html': { schema: htmlPageSchema, ...examples } }
    : schema && { 'application/json': { schema, ...examples } };
  if (!content && doc.examples) throw new Error(`${doc.description}: examples of a response without a body`);
  const response: ZodOpenApiResponseObject = {
    ...(doc.id === undefined ? {} : { id: doc.id }),
    description: doc.description,
    ...(doc.headers === undefined ? {} : { headers: doc.headers }),
    ...(content ? { content } : {}),
  };
  converted.set(doc, response);
  return response;
}

function requestBody(route: RouteContract, doc: OperationDoc): ZodOpenApiOperationObject['requestBody'] {
  const json = 'body' in doc && doc.body ? doc.body : undefined;
  const jsonContent = json && {
    'application/json': { schema: json.schema, ...(json.examples ? { examples: json.examples } : {}) },
  };
  switch (route.body) {
    case 'none':
      return undefined;
    case 'json':
    case 'optionalJson':
      return { required: route.body === 'json', content: { ...jsonContent } };
    case 'jsonOrCsv': {
      const csv =
        json && 'csv' in json ? (json.csv as { description: string; examples?: unknown }) : undefined;
      if (!csv) throw new Error('a jsonOrCsv route documents its CSV body');
      return {
        required: true,
        content: {
          ...jsonContent,
          'text/csv': {
            schema: { type: 'string', description: csv.description },
            ...(csv.examples ? { examples: csv.examples as Record<string, oas31.ExampleObject> } : {}),
          },
        },
      };
    }
    case 'form': {
      if (!('form' in doc) || !doc.form) throw new Error('a form route documents its form');
      const { schema, multipartExamples, urlencodedExamples } = doc.form;
      return {
        required: true,
        content: {
          'multipart/form-data': { schema, ...(multipartExamples ? { examples: multipartExamples } : {}) },
          'application/x-www-form-urlencoded': {
            schema,
            ...(urlencodedExamples ? { examples: urlencodedExamples } : {}),
          },
        },
      };
    }
  }
}

/** Which of the stack's managed policies allows an IAM route, for its description. */
const ACCESS_NOTE: Record<RouteAccess, string> = {
  send: 'Allowed by the send-only policy (`SendOnlyPolicyArn`) and the admin policy (`AdminPolicyArn`).',
  admin: 'Allowed by the admin policy (`AdminPolicyArn`) only.',
};

function operation(
  id: (typeof ROUTE_IDS)[number],
  route: RouteContract,
  doc: OperationDoc,
): ZodOpenApiOperationObject {
  const body = requestBody(route, doc);
  return {
    operationId: id,
    tags: [doc.tag],
    summary: doc.summary,
    ...(route.auth === 'iam'
      ? {
          description: [doc.description, `**Access.** ${ACCESS_NOTE[route.access]}`]
            .filter(Boolean)
            .join('\n\n'),
          'x-mailroom-access': route.access,
        }
      : // Public routes opt out of the document-wide SigV4 requirement.
        { ...(doc.description === undefined ? {} : { description: doc.description }), security: [] }),
    ...(doc.params === undefined ? {} : { requestParams: doc.params }),
    ...(body === undefined ? {} : { requestBody: body }),
    responses: Object.fromEntries(
      Object.entries(doc.responses).map(([status, response]) => [
        status,
        responseObject(Number(status), response),
      ]),
    ),
  };
}

/** The OpenAPI document, as an object. */
export function openApiDocument(): oas31.OpenAPIObject {
  const paths: ZodOpenApiPathsObject = {};
  for (const id of ROUTE_IDS) {
    const route: RouteContract = ROUTES[id];
    const item = paths[route.path] ?? {};
    paths[route.path] = item;
    const method = route.method.toLowerCase() as 'get' | 'put' | 'post' | 'delete';
    item[method] = operation(id, route, OPERATIONS[id]);
  }
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'Mailroom',
      version: '0.1.0',
      description: DESCRIPTION,
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    servers: [
      {
        url: 'http://127.0.0.1:3000',
        description: 'Local mode (`npm start`; `PORT` changes the port). No authentication.',
      },
      {
        url: 'https://{apiId}.execute-api.{region}.amazonaws.com/live',
        description: "Deployed REST API, stage `live` (the stack's `ApiUrl` output). SigV4 required.",
        variables: {
          apiId: { default: 'a1b2c3d4e5', description: 'The REST API id.' },
          region: { default: 'eu-west-1', description: 'The AWS region the stack is deployed to.' },
        },
      },
    ],
    security: [{ sigv4: [] }],
    tags: TAGS.map((name) => ({ name, description: TAG_DESCRIPTIONS[name] })),
    paths,
    components: {
      securitySchemes: { sigv4: SIGV4 },
      schemas: {
        // Not a route's: the product events topic's message.
        ProductEvent: productEventSchema,
        // What RecipientsRequest's rows should be (the route reports other rows in `invalid`).
        RecipientRow: recipientRowSchema,
      },
    },
  }) as oas31.OpenAPIObject;
}

const HEADER = `# Generated by \`npm run openapi\` (docs/openapi/document.ts) from the routes contract
# (contract/routes.ts) and the server's zod schemas (lambdas/). Do not edit: change those and run
# \`npm run openapi\`; test/unit/openapi.test.ts fails while this file is stale.
`;

/** docs/openapi.yaml's text. */
export function openApiYaml(): string {
  return (
    HEADER +
    stringify(openApiDocument(), {
      lineWidth: 0,
      aliasDuplicateObjects: false,
      // YAML 1.1 quotes what 1.1 readers (PyYAML, …) would read as booleans: `"yes"`, `"no"`.
      version: '1.1',
    })
  );
}
