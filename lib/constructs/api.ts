import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledgeWildcardResource } from '../nag';
import { MailroomFunction } from './mailroom-function';

const STAGE_NAME = 'live';

/** Properties of {@link MailroomApi}. */
export interface MailroomApiProps {
  /** Messages: written on submit, read by GET /v1/emails/{id}. */
  readonly messages: dynamodb.ITable;
  /** Stored templates. */
  readonly templates: dynamodb.ITable;
  /** Suppressed recipients, checked before a send is queued. */
  readonly suppressions: dynamodb.ITable;
  /** Idempotency-Key records. */
  readonly idempotency: dynamodb.ITable;
  /** Where accepted transactional sends are queued. */
  readonly transactionalQueue: sqs.IQueue;
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
   * What happens to log groups when the stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly logRemovalPolicy?: RemovalPolicy;
}

/**
 * The HTTPS API product backends call: a REST API (IAM/SigV4 auth on every /v1 method, request
 * validation, access logs, X-Ray) proxying to one api function, and a managed policy a backend's
 * role attaches to be allowed to call it.
 */
export class MailroomApi extends Construct {
  /** The REST API. */
  readonly restApi: apigw.RestApi;
  /** The function behind every route. */
  readonly function: MailroomFunction;
  /** Grants `execute-api:Invoke` on the /v1 routes; attach it to a product backend's role. */
  readonly invokePolicy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: MailroomApiProps) {
    super(scope, id);
    const logRemovalPolicy = props.logRemovalPolicy ?? RemovalPolicy.RETAIN;

    const fn = new MailroomFunction(this, 'Function', {
      entry: 'lambdas/api/handler.ts',
      description: 'Mailroom API: validates requests, stores messages and templates, queues sends',
      serviceName: 'mailroom-api',
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
      .bindTable('SUPPRESSIONS_TABLE', props.suppressions, ['dynamodb:GetItem', 'dynamodb:BatchGetItem'])
      .bindTable('IDEMPOTENCY_TABLE', props.idempotency, [
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'dynamodb:DeleteItem',
      ])
      .bindQueue('TRANSACTIONAL_QUEUE_URL', props.transactionalQueue, ['sqs:SendMessage'])
      .setEnv('SENDING_DOMAIN', props.sendingDomain)
      .setEnv('DEFAULT_FROM', props.defaultFrom)
      .allowAccountLevel(
        ['ses:GetAccount'],
        'GET /v1/account reports the SES quota through ses:GetAccount, which is account-wide and has ' +
          'no resource-level permissions; SES accepts only Resource "*" for it.',
      );
    if (props.maxSendRate !== undefined) fn.setEnv('MAX_SEND_RATE', String(props.maxSendRate));
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
          'Every /v1 method takes only SigV4-signed requests from IAM principals granted the invoke ' +
          'policy, and the stage is throttled; WAF rules aimed at anonymous web traffic have nothing ' +
          'to filter. A client that wants WAF anyway can associate a web ACL with the stage.',
      },
      {
        id: 'AwsSolutions-APIG6',
        reason:
          'Access logs record every request. Execution logs would need the account-wide API Gateway ' +
          'CloudWatch role (a singleton one client stack must not own) and at INFO would copy email ' +
          'bodies, i.e. personal data, into the logs.',
      },
      {
        id: 'AwsSolutions-COG4',
        reason:
          'Callers are product backends authenticated with IAM (SigV4, AuthorizationType AWS_IAM), ' +
          'not end users in a Cognito user pool.',
      },
    );

    // Same error envelope as the function's ({error: {code, message}}) for what the gateway
    // itself rejects: bad signature, unknown route, invalid body, throttling.
    for (const [responseId, type] of [
      ['Default4xx', apigw.ResponseType.DEFAULT_4XX],
      ['Default5xx', apigw.ResponseType.DEFAULT_5XX],
    ] as const) {
      this.restApi.addGatewayResponse(responseId, {
        type,
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
    // Explicit on each method: API Gateway's L2 does not inherit a resource's default validator.
    const route = (resource: apigw.IResource, httpMethod: string, body: 'json' | 'none' = 'none') =>
      resource.addMethod(httpMethod, integration, {
        authorizationType: apigw.AuthorizationType.IAM,
        requestValidator: validator,
        requestModels: body === 'json' ? { 'application/json': jsonObject } : undefined,
      });

    // The default guards any method later added under /v1 without going through route().
    const v1 = this.restApi.root.addResource('v1', {
      defaultMethodOptions: { authorizationType: apigw.AuthorizationType.IAM },
    });
    const emails = v1.addResource('emails');
    route(emails, 'POST', 'json');
    route(emails.addResource('{id}'), 'GET');
    const templates = v1.addResource('templates');
    route(templates, 'GET');
    const template = templates.addResource('{name}');
    route(template, 'PUT', 'json');
    route(template, 'GET');
    route(template, 'DELETE');
    route(v1.addResource('account'), 'GET');

    // Every method of every /v1 route, and nothing else (e.g. not the public unsubscribe route).
    const v1Routes = this.restApi.arnForExecuteApi('*', '/v1/*', STAGE_NAME);
    this.invokePolicy = new iam.ManagedPolicy(this, 'InvokePolicy', {
      description: 'Allows calling the Mailroom API (/v1 routes); attach to a product backend role',
      statements: [new iam.PolicyStatement({ actions: ['execute-api:Invoke'], resources: [v1Routes] })],
    });
    acknowledgeWildcardResource(
      this.invokePolicy,
      v1Routes,
      'The wildcards stand for the HTTP method and the path below /v1 of this one API and stage; ' +
        'a product backend may call every /v1 route.',
    );
  }
}
