import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  CORS_ALLOW_HEADERS,
  CORS_ALLOW_METHODS,
  CORS_MAX_AGE_SECONDS,
  corsHeaders,
} from '../../contract/cors';
import {
  type IamRouteContract,
  ROUTE_IDS,
  ROUTES,
  type RouteAccess,
  type RouteAuth,
  type RouteBody,
  type RouteContract,
  routeKey,
} from '../../contract/routes';
import { SUPPRESSIONS_BY_REASON } from '../../contract/tables';
import { acknowledgeWildcardResource } from '../nag';
import type { ReputationGuardThresholds } from './feedback';
import { MailroomFunction } from './mailroom-function';

const STAGE_NAME = 'live';

const AUTHORIZATION: Record<RouteAuth, apigw.AuthorizationType> = {
  iam: apigw.AuthorizationType.IAM,
  none: apigw.AuthorizationType.NONE,
};

/**
 * Whether API Gateway checks that a route's application/json body is a JSON object. The model is
 * bound to that content type only, so other types (the text/csv a recipients upload may use, the
 * forms an unsubscribe POSTs) pass unchecked; an optional body gets no model at all.
 */
const JSON_OBJECT_MODEL: Record<RouteBody, boolean> = {
  json: true,
  jsonOrCsv: true,
  optionalJson: false,
  form: false,
  none: false,
};

/** Properties of {@link MailroomApi}. */
export interface MailroomApiProps {
  /** Messages: written on submit, read by GET /v1/emails/{id}. */
  readonly messages: dynamodb.ITable;
  /** Stored templates. */
  readonly templates: dynamodb.ITable;
  /** Suppressed recipients: checked before a send is queued, and the suppression routes. */
  readonly suppressions: dynamodb.ITable;
  /** Idempotency-Key records. */
  readonly idempotency: dynamodb.ITable;
  /** Campaigns: created, listed, read and moved between statuses. */
  readonly campaigns: dynamodb.ITable;
  /** Campaign recipients: added (each address once). */
  readonly recipients: dynamodb.ITable;
  /** The bulk rate in use, shown on a sending campaign. */
  readonly rateLedger: dynamodb.ITable;
  /** The reputation guard: shown by GET /v1/account, cleared by POST /v1/account/bulk/resume. */
  readonly deliverability: dynamodb.ITable;
  /** Where accepted transactional sends are queued. */
  readonly transactionalQueue: sqs.IQueue;
  /** Where send, resume and cancel start a campaign's fan-out chain. */
  readonly fanoutQueue: sqs.IQueue;
  /** Webhooks and their delivery attempts: created, listed, deleted, enabled. */
  readonly webhooks: dynamodb.ITable;
  /** Where `POST /v1/webhooks/{id}/test` queues its test delivery. */
  readonly webhooksQueue: sqs.IQueue;
  /** Where unsubscribes are published for product backends. */
  readonly productEvents: sns.ITopic;
  /** The product events topic's key, which publishing needs. */
  readonly productEventsKey: kms.IKey;
  /** Verifies unsubscribe tokens (and signs the links of test sends). */
  readonly unsubscribeSecret: secretsmanager.ISecret;
  /** The verified domain `from` addresses must use. */
  readonly sendingDomain: string;
  /** The From header used when a request names none, e.g. `Acme <no-reply@mail.acme.com>`. */
  readonly defaultFrom: string;
  /**
   * The Reply-To used when a request names none.
   * @default - none: replies go to the From address
   */
  readonly defaultReplyTo?: string;
  /**
   * Name of the REST API. API Gateway metrics are keyed by it, so it must differ between the
   * stacks of one account and region.
   * @default - the construct id
   */
  readonly apiName?: string;
  /**
   * The configured send-rate ceiling, reported by GET /v1/account.
   * @default - none: the account's MaxSendRate applies
   */
  readonly maxSendRate?: number;
  /**
   * This stack's fraction of the account's MaxSendRate (shared with the other Mailroom stacks in
   * the account and region).
   * @default 1
   */
  readonly sendRateShare?: number;
  /** The reputation guard's thresholds, which GET /v1/account shows beside the rates it judges. */
  readonly reputationGuard: ReputationGuardThresholds;
  /**
   * Steady-state requests per second the stage accepts before answering 429.
   * @default 50
   */
  readonly throttlingRateLimit?: number;
  /**
   * Burst of requests the stage accepts above the steady rate.
   * @default 100
   */
  readonly throttlingBurstLimit?: number;
  /**
   * The campaign console's origin (`https://{distribution}.cloudfront.net`): the API answers its
   * CORS preflights and names it in every answer, so the page can call /v1 with SigV4.
   * @default - no CORS: callers are servers
   */
  readonly consoleOrigin?: string;
  /**
   * What happens to log groups when the stack is deleted.
   * @default RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE
   */
  readonly logRemovalPolicy?: RemovalPolicy;
}

/**
 * The HTTPS API product backends call: a REST API (IAM/SigV4 auth on every /v1 method, request
 * validation, access logs, X-Ray) proxying to one api function, and two managed policies that allow
 * calling it: send-only, for a product backend's role or user, and admin, for operators. Outside
 * /v1, the public one-click unsubscribe route recipients' mail clients call without credentials:
 * the signed token is the authorization.
 */
export class MailroomApi extends Construct {
  /** The REST API. */
  readonly restApi: apigw.RestApi;
  /** The function behind every route. */
  readonly function: MailroomFunction;
  /**
   * Grants `execute-api:Invoke` on the routes whose contract access is `send`: send transactional
   * mail, read its emails, read templates. What a product backend's role or user attaches.
   */
  readonly sendOnlyPolicy: iam.ManagedPolicy;
  /** Grants `execute-api:Invoke` on every /v1 route: for operators, consoles and the CLI. */
  readonly adminPolicy: iam.ManagedPolicy;
  /**
   * The stage's public URL, e.g. `https://abc123.execute-api.eu-west-1.amazonaws.com/live`,
   * where unsubscribe links point. Built from the API's id rather than `restApi.url`, which
   * references the stage and through it the deployment, the methods and the api function: the api
   * function's own environment could not hold that without a dependency cycle.
   */
  readonly publicBaseUrl: string;
  /** The API's origin, `https://abc123.execute-api.eu-west-1.amazonaws.com`, for a CSP's connect-src. */
  readonly origin: string;

  constructor(scope: Construct, id: string, props: MailroomApiProps) {
    super(scope, id);
    const logRemovalPolicy = props.logRemovalPolicy ?? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE;

    const fn = new MailroomFunction(this, 'Function', {
      contract: 'api',
      description: 'Mailroom API: sends, templates, campaigns, suppressions and one-click unsubscribe',
      logRemovalPolicy,
    });
    this.function = fn;
    fn.bindTable('MESSAGES_TABLE', props.messages, [
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:DeleteItem',
    ])
      .bindTable('TEMPLATES_TABLE', props.templates, [
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'dynamodb:DeleteItem',
        'dynamodb:Scan',
      ])
      .bindTable(
        'SUPPRESSIONS_TABLE',
        props.suppressions,
        // Checks before sends; the suppression routes; an unsubscribe's conditional put.
        [
          'dynamodb:GetItem',
          'dynamodb:BatchGetItem',
          'dynamodb:PutItem',
          'dynamodb:DeleteItem',
          'dynamodb:Scan',
        ],
        { [SUPPRESSIONS_BY_REASON]: ['dynamodb:Query'] },
      )
      .bindTable('IDEMPOTENCY_TABLE', props.idempotency, [
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'dynamodb:DeleteItem',
      ])
      // BatchGetItem: a campaign's content and counter shards (campaign-parts.ts).
      .bindTable('CAMPAIGNS_TABLE', props.campaigns, [
        'dynamodb:PutItem',
        'dynamodb:GetItem',
        'dynamodb:Scan',
        'dynamodb:UpdateItem',
        'dynamodb:BatchGetItem',
      ])
      // Conditional puts: an address already on the campaign is not added twice. GetItem: one
      // recipient's state and SES events (GET /v1/campaigns/{id}/recipients/{email}).
      .bindTable('RECIPIENTS_TABLE', props.recipients, ['dynamodb:PutItem', 'dynamodb:GetItem'])
      .bindTable('RATE_LEDGER_TABLE', props.rateLedger, ['dynamodb:Query'])
      // The guard (GetItem, DeleteItem to resume) and its hourly bulk counts (BatchGetItem, GET /v1/account).
      .bindTable('DELIVERABILITY_TABLE', props.deliverability, [
        'dynamodb:GetItem',
        'dynamodb:DeleteItem',
        'dynamodb:BatchGetItem',
      ])
      .bindQueue('TRANSACTIONAL_QUEUE_URL', props.transactionalQueue, ['sqs:SendMessage'])
      .bindQueue('FANOUT_QUEUE_URL', props.fanoutQueue, ['sqs:SendMessage'])
      // The registry item (GetItem, conditional UpdateItem) and the delivery attempts (Query).
      .bindTable('WEBHOOKS_TABLE', props.webhooks, [
        'dynamodb:GetItem',
        'dynamodb:UpdateItem',
        'dynamodb:Query',
      ])
      .bindQueue('WEBHOOKS_QUEUE_URL', props.webhooksQueue, ['sqs:SendMessage'])
      .bindTopic('PRODUCT_EVENTS_TOPIC_ARN', props.productEvents, props.productEventsKey)
      .bindSecret('UNSUBSCRIBE_SECRET_ARN', props.unsubscribeSecret)
      .setEnv('SENDING_DOMAIN', props.sendingDomain)
      .setEnv('DEFAULT_FROM', props.defaultFrom)
      .allowAccountLevel(
        ['ses:GetAccount'],
        'GET /v1/account reports the SES quota through ses:GetAccount, which is account-wide and has ' +
          'no resource-level permissions; SES accepts only Resource "*" for it.',
      )
      .allowAccountLevel(
        ['ses:DeleteSuppressedDestination'],
        "DELETE /v1/suppressions/{email} also takes the address off SES's account-level suppression " +
          'list through ses:DeleteSuppressedDestination, which has no resource-level permissions; SES ' +
          'accepts only Resource "*" for it.',
      );
    if (props.maxSendRate !== undefined) fn.setEnv('MAX_SEND_RATE', String(props.maxSendRate));
    fn.setEnv('SEND_RATE_SHARE', String(props.sendRateShare ?? 1));
    fn.setEnv('BOUNCE_RATE_THRESHOLD', String(props.reputationGuard.bounceRate))
      .setEnv('COMPLAINT_RATE_THRESHOLD', String(props.reputationGuard.complaintRate))
      .setEnv('GUARD_MINIMUM_SAMPLE', String(props.reputationGuard.minimumSample));
    if (props.defaultReplyTo !== undefined) fn.setEnv('DEFAULT_REPLY_TO', props.defaultReplyTo);

    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: logs.RetentionDays.THREE_MONTHS,
      removalPolicy: logRemovalPolicy,
    });

    this.restApi = new apigw.RestApi(this, 'RestApi', {
      restApiName: props.apiName,
      description: 'Mailroom email API',
      // Callers are servers, usually in the same region: no CloudFront hop.
      endpointConfiguration: { types: [apigw.EndpointType.REGIONAL] },
      // The account-wide CloudWatch role is a singleton; one client stack must not own it.
      cloudWatchRole: false,
      deployOptions: {
        stageName: STAGE_NAME,
        accessLogDestination: new apigw.LogGroupLogDestination(accessLogs),
        accessLogFormat: apigw.AccessLogFormat.custom(
          JSON.stringify({
            requestId: apigw.AccessLogField.contextRequestId(),
            requestTime: apigw.AccessLogField.contextRequestTime(),
            caller: apigw.AccessLogField.contextIdentityUserArn(),
            sourceIp: apigw.AccessLogField.contextIdentitySourceIp(),
            httpMethod: apigw.AccessLogField.contextHttpMethod(),
            resourcePath: apigw.AccessLogField.contextResourcePath(),
            path: apigw.AccessLogField.contextPath(),
            status: apigw.AccessLogField.contextStatus(),
            responseLength: apigw.AccessLogField.contextResponseLength(),
            responseLatency: apigw.AccessLogField.contextResponseLatency(),
            integrationStatus: apigw.AccessLogField.contextIntegrationStatus(),
            integrationLatency: apigw.AccessLogField.contextIntegrationLatency(),
            errorType: apigw.AccessLogField.contextErrorResponseType(),
            error: apigw.AccessLogField.contextErrorMessage(),
            validationError: apigw.AccessLogField.contextErrorValidationErrorString(),
            xrayTraceId: apigw.AccessLogField.contextXrayTraceId(),
          }),
        ),
        tracingEnabled: true,
        metricsEnabled: true,
        throttlingRateLimit: props.throttlingRateLimit ?? 50,
        throttlingBurstLimit: props.throttlingBurstLimit ?? 100,
      },
    });
    // The stack publishes the URL as ApiUrl; the generated duplicate would carry a hashed name.
    this.restApi.node.tryRemoveChild('Endpoint');
    Validations.of(this.restApi).acknowledge(
      {
        id: 'AwsSolutions-APIG3',
        reason:
          'Every /v1 method takes only SigV4-signed requests from IAM principals granted one of the ' +
          "stack's invoke policies, and the stage is throttled; WAF rules aimed at anonymous web " +
          'traffic have nothing to filter. A client that wants WAF anyway can associate a web ACL with ' +
          'the stage.',
      },
      {
        id: 'AwsSolutions-APIG6',
        reason:
          'Access logs record every request. Execution logs would need the account-wide API Gateway ' +
          'CloudWatch role (a singleton one client stack must not own) and at INFO would copy email ' +
          'bodies, i.e. personal data, into the logs.',
      },
    );
    this.origin = `https://${this.restApi.restApiId}.execute-api.${Stack.of(this).region}.${Stack.of(this).urlSuffix}`;
    this.publicBaseUrl = `${this.origin}/${STAGE_NAME}`;
    fn.setEnv('PUBLIC_BASE_URL', this.publicBaseUrl);

    // Same error envelope as the function's ({error: {code, message}}) for what the gateway
    // itself rejects: bad signature, unknown route, invalid body, throttling.
    // The console must read these too (a 403 ACCESS_DENIED, a 429): they carry its origin.
    const corsResponseHeaders =
      props.consoleOrigin === undefined
        ? undefined
        : Object.fromEntries(
            Object.entries(corsHeaders(props.consoleOrigin)).map(([name, value]) => [name, `'${value}'`]),
          );
    for (const [responseId, type] of [
      ['Default4xx', apigw.ResponseType.DEFAULT_4XX],
      ['Default5xx', apigw.ResponseType.DEFAULT_5XX],
    ] as const) {
      this.restApi.addGatewayResponse(responseId, {
        type,
        responseHeaders: corsResponseHeaders,
        templates: {
          'application/json':
            '{"error":{"code":"$context.error.responseType","message":$context.error.messageString}}',
        },
      });
    }

    const validator = this.restApi.addRequestValidator('Validator', {
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    // Only the shape a JSON body must have at all; the function's zod schemas own the rules, so
    // they are written once and give field-level messages.
    const jsonObject = this.restApi.addModel('JsonObject', {
      contentType: 'application/json',
      schema: {
        schema: apigw.JsonSchemaVersion.DRAFT4,
        title: 'JsonObject',
        type: apigw.JsonSchemaType.OBJECT,
      },
    });

    // One permission for the whole API instead of two per method: the function serves only this API.
    const integration = new apigw.LambdaIntegration(fn.lambda, { scopePermissionToMethod: false });
    // The default guards any method later added under /v1 without going through the contract.
    const v1 = this.restApi.root.addResource('v1', {
      defaultMethodOptions: { authorizationType: apigw.AuthorizationType.IAM },
      // A browser asks before a signed call from another origin: every /v1 resource answers OPTIONS.
      defaultCorsPreflightOptions:
        props.consoleOrigin === undefined
          ? undefined
          : {
              allowOrigins: [props.consoleOrigin],
              allowMethods: [...CORS_ALLOW_METHODS],
              allowHeaders: [...CORS_ALLOW_HEADERS],
              maxAge: Duration.seconds(CORS_MAX_AGE_SECONDS),
            },
    });
    Validations.of(v1).acknowledge({
      id: 'AwsSolutions-COG4',
      reason:
        'Callers are product backends authenticated with IAM (SigV4, AuthorizationType AWS_IAM), ' +
        'not end users in a Cognito user pool.',
    });

    // One method per route of the contract (contract/routes.ts), in its order, each resource made
    // when a route first needs it. Auth, validator and model are explicit on each method: API
    // Gateway's L2 does not inherit a resource's default validator.
    const resources = new Map<string, apigw.IResource>([
      ['', this.restApi.root],
      ['/v1', v1],
    ]);
    const resourceAt = (path: string): apigw.IResource => {
      const known = resources.get(path);
      if (known !== undefined) return known;
      const cut = path.lastIndexOf('/');
      const resource = resourceAt(path.slice(0, cut)).addResource(path.slice(cut + 1));
      resources.set(path, resource);
      return resource;
    };
    for (const id of ROUTE_IDS) {
      const route = ROUTES[id];
      // Signed routes are /v1 routes and /v1 routes are signed: the managed policies, the access
      // levels and the docs all mean /v1 when they say the API; a public route there would slip past.
      if ((route.auth === 'iam') !== route.path.startsWith('/v1/')) {
        throw new Error(`Route ${id} (${routeKey(route)}): IAM auth is for /v1 routes, and only /v1 routes`);
      }
      const method = resourceAt(route.path).addMethod(route.method, integration, {
        authorizationType: AUTHORIZATION[route.auth],
        requestValidator: validator,
        requestModels: JSON_OBJECT_MODEL[route.body] ? { 'application/json': jsonObject } : undefined,
      });
      // The public routes are /unsubscribe's; another would need its own reasons (nag.test.ts lists
      // the acknowledged methods).
      if (route.auth === 'none') {
        Validations.of(method).acknowledge(
          {
            id: 'AwsSolutions-APIG4',
            reason:
              'RFC 8058 one-click unsubscribe must work without credentials: mail providers POST to it ' +
              'and recipients open it from their inbox. The HMAC-signed token in the link is the ' +
              'authorization; a forged or altered one changes nothing.',
          },
          {
            id: 'AwsSolutions-COG4',
            reason:
              'RFC 8058 one-click unsubscribe must work without credentials: mail providers POST to it, ' +
              'so no Cognito user pool can stand in front of it. The HMAC-signed token is the authorization.',
          },
        );
      }
    }

    if (props.consoleOrigin !== undefined) {
      fn.setEnv('CONSOLE_ORIGIN', props.consoleOrigin);
      for (const resource of resources.values()) {
        const preflight = resource.node.tryFindChild('OPTIONS');
        if (preflight === undefined) continue;
        Validations.of(preflight).acknowledge(
          {
            id: 'AwsSolutions-APIG4',
            reason:
              "A CORS preflight (OPTIONS) is sent by the browser without credentials, by the CORS spec; it is a mock that answers the console's origin and the allowed headers, and reaches no function.",
          },
          {
            id: 'AwsSolutions-COG4',
            reason:
              'A CORS preflight carries no credentials (CORS spec), so no authorizer can stand in front of it; the signed call that follows is checked by IAM.',
          },
        );
      }
    }

    this.sendOnlyPolicy = this.invokePolicyFor('SendOnlyPolicy', 'send', {
      description:
        'Mailroom API, send-only: send transactional mail, read its emails, read templates. ' +
        "Attach to a product backend's role or IAM user.",
    });
    // No stack with the earlier single invoke policy was ever deployed, so the admin policy is a
    // policy of its own (a new logical id) rather than that one kept for its ARN.
    this.adminPolicy = this.invokePolicyFor('AdminPolicy', 'admin', {
      description:
        'Mailroom API, admin: every /v1 route (campaigns, templates, suppressions, account). ' +
        'Attach to operators, ops tooling, the CLI and the smoke check, not to product backends.',
    });
  }

  /**
   * A managed policy allowing `execute-api:Invoke` on the routes of this API and stage that the
   * access level reaches: `admin` every /v1 route, `send` those whose contract access is `send`.
   * One resource ARN per route, `arn:<partition>:execute-api:<region>:<account>:<api-id>/<stage>/
   * <METHOD>/<path>`, each path parameter written `*` (the form and its wildcards:
   * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-control-access-using-iam-policies-to-invoke-api.html,
   * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-iam-policy-examples-for-api-execution.html).
   * IAM's `*` also matches `/`: `GET/v1/emails/*` would allow a deeper GET under /v1/emails/, and
   * test/infra/access.test.ts checks that no route a policy leaves out matches one of its ARNs.
   */
  private invokePolicyFor(id: string, level: RouteAccess, props: { description: string }): iam.ManagedPolicy {
    const routes = ROUTE_IDS.map((routeId): RouteContract => ROUTES[routeId]).filter(
      (route): route is IamRouteContract =>
        route.auth === 'iam' && (level === 'admin' || route.access === level),
    );
    const arns = routes.map((route) =>
      this.restApi.arnForExecuteApi(route.method, route.path.replace(/\{[^}]+\}/g, '*'), STAGE_NAME),
    );
    const policy = new iam.ManagedPolicy(this, id, {
      description: props.description,
      statements: [new iam.PolicyStatement({ actions: ['execute-api:Invoke'], resources: arns })],
    });
    routes.forEach((route, i) => {
      const params = route.path.match(/\{[^}]+\}/g);
      const arn = arns[i];
      if (params === null || arn === undefined) return;
      acknowledgeWildcardResource(
        policy,
        arn,
        `Each * stands for a path parameter of ${routeKey(route)} (${params.join(', ')}): the ARN ` +
          'names that one method of this API and stage, for any value of its parameters, as the route ' +
          "accepts any. IAM's * also matches '/', but no other route of the API matches this ARN " +
          '(test/infra/access.test.ts).',
      );
    });
    return policy;
  }
}
