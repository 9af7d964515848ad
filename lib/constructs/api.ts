import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { SUPPRESSIONS_BY_REASON } from '../../contract/tables';
import { acknowledgeWildcardResource } from '../nag';
import { MailroomFunction } from './mailroom-function';

const STAGE_NAME = 'live';

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
  /** The bulk queue; the function is given its URL but never sends to it. */
  readonly bulkQueue: sqs.IQueue;
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
   * @default RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE
   */
  readonly logRemovalPolicy?: RemovalPolicy;
}

/**
 * The HTTPS API product backends call: a REST API (IAM/SigV4 auth on every /v1 method, request
 * validation, access logs, X-Ray) proxying to one api function, and a managed policy a backend's
 * role attaches to be allowed to call it. Outside /v1, the public one-click unsubscribe route
 * recipients' mail clients call without credentials: the signed token is the authorization.
 */
export class MailroomApi extends Construct {
  /** The REST API. */
  readonly restApi: apigw.RestApi;
  /** The function behind every route. */
  readonly function: MailroomFunction;
  /** Grants `execute-api:Invoke` on the /v1 routes; attach it to a product backend's role. */
  readonly invokePolicy: iam.ManagedPolicy;
  /**
   * The stage's public URL, e.g. `https://abc123.execute-api.eu-west-1.amazonaws.com/live`,
   * where unsubscribe links point. Built from the API's id rather than `restApi.url`, which
   * references the stage and through it the deployment, the methods and the api function: the api
   * function's own environment could not hold that without a dependency cycle.
   */
  readonly publicBaseUrl: string;

  constructor(scope: Construct, id: string, props: MailroomApiProps) {
    super(scope, id);
    const logRemovalPolicy = props.logRemovalPolicy ?? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE;

    const fn = new MailroomFunction(this, 'Function', {
      contract: 'api',
      description: 'Mailroom API: sends, templates, campaigns, suppressions and one-click unsubscribe',
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
      .bindTable('CAMPAIGNS_TABLE', props.campaigns, [
        'dynamodb:PutItem',
        'dynamodb:GetItem',
        'dynamodb:Scan',
        'dynamodb:UpdateItem',
      ])
      // Conditional puts: an address already on the campaign is not added twice. GetItem: one
      // recipient's state and SES events (GET /v1/campaigns/{id}/recipients/{email}).
      .bindTable('RECIPIENTS_TABLE', props.recipients, ['dynamodb:PutItem', 'dynamodb:GetItem'])
      .bindTable('RATE_LEDGER_TABLE', props.rateLedger, ['dynamodb:Query'])
      .bindTable('DELIVERABILITY_TABLE', props.deliverability, ['dynamodb:GetItem', 'dynamodb:DeleteItem'])
      .bindQueue('TRANSACTIONAL_QUEUE_URL', props.transactionalQueue, ['sqs:SendMessage'])
      .bindQueue('FANOUT_QUEUE_URL', props.fanoutQueue, ['sqs:SendMessage'])
      .bindQueue('BULK_QUEUE_URL', props.bulkQueue, [])
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
    );
    this.publicBaseUrl = `https://${this.restApi.restApiId}.execute-api.${Stack.of(this).region}.${Stack.of(this).urlSuffix}/${STAGE_NAME}`;
    fn.setEnv('PUBLIC_BASE_URL', this.publicBaseUrl);

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
    // A `json` body must be a JSON object when it is sent as application/json; the model is bound
    // to that content type only, so API Gateway does not validate (or refuse) other types, such as
    // the text/csv a recipients upload may use. An optional body (`none`) gets no model at all.
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
    Validations.of(v1).acknowledge({
      id: 'AwsSolutions-COG4',
      reason:
        'Callers are product backends authenticated with IAM (SigV4, AuthorizationType AWS_IAM), ' +
        'not end users in a Cognito user pool.',
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
    const account = v1.addResource('account');
    route(account, 'GET');
    route(account.addResource('bulk').addResource('resume'), 'POST');

    const campaigns = v1.addResource('campaigns');
    route(campaigns, 'GET');
    route(campaigns, 'POST', 'json');
    const campaign = campaigns.addResource('{id}');
    route(campaign, 'GET');
    // JSON or CSV: the model applies to application/json only.
    const recipients = campaign.addResource('recipients');
    route(recipients, 'POST', 'json');
    route(recipients.addResource('{email}'), 'GET');
    route(campaign.addResource('test'), 'POST', 'json');
    // `{at}` to schedule, or no body to send now.
    route(campaign.addResource('send'), 'POST');
    for (const action of ['pause', 'resume', 'cancel']) route(campaign.addResource(action), 'POST');

    const suppressions = v1.addResource('suppressions');
    route(suppressions, 'GET');
    const suppression = suppressions.addResource('{email}');
    route(suppression, 'GET');
    // The reason is optional: no body suppresses as `manual`.
    route(suppression, 'PUT');
    route(suppression, 'DELETE');

    // Public: mail clients follow the link (GET) and mail providers POST the RFC 8058 one-click
    // form (application/x-www-form-urlencoded, no model) without any credentials.
    const unsubscribe = this.restApi.root.addResource('unsubscribe');
    for (const httpMethod of ['GET', 'POST']) {
      const method = unsubscribe.addMethod(httpMethod, integration, {
        authorizationType: apigw.AuthorizationType.NONE,
        requestValidator: validator,
      });
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
