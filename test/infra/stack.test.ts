import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { ROUTE_IDS, ROUTES, routeKey } from '../../contract/routes';
import {
  CAMPAIGN_SUMMARY_ATTRIBUTES,
  CAMPAIGNS_BY_STATUS,
  SUPPRESSIONS_BY_REASON,
} from '../../contract/tables';
import { REPUTATION_GUARD_DEFAULTS } from '../../contract/thresholds';
import { NODE_RUNTIME } from '../../lib/constructs/mailroom-function';
import type { MailroomStack } from '../../lib/mailroom-stack';
import { type SynthesizedApp, synthesizeMailroom } from './support/app';
import { cfnLintAvailable, lintAssembly } from './support/cfn-lint';
import { actions, type Resources, type Statement, statementsIn, templateOf } from './support/template';

type Helpers = ReturnType<typeof templateOf>;

let synthesized: SynthesizedApp;
let stack: MailroomStack;
let template: Template;
let logicalId: Helpers['logicalId'];
let ref: Helpers['ref'];
let arnOf: Helpers['arnOf'];
let statementsOf: Helpers['statementsOf'];
let resourceOf: Helpers['resourceOf'];
let eventSourcesOf: Helpers['eventSourcesOf'];

beforeAll(() => {
  synthesized = synthesizeMailroom();
  const [first] = synthesized.stacks;
  if (first === undefined) throw new Error('the example app produced no stack');
  stack = first;
  template = Template.fromStack(stack);
  ({ logicalId, ref, arnOf, statementsOf, resourceOf, eventSourcesOf } = templateOf(stack, template));
});

afterAll(() => synthesized.cleanup());

/** Every function, in the order the stack builds them. */
/**
 * CDK's own BucketDeployment function (it copies the console build; Python, CDK's grants): not one
 * of Mailroom's functions. Its findings are acknowledged and pinned in test/infra/console.test.ts.
 */
const isCdkBucketDeployment = (logicalId: string): boolean =>
  logicalId.startsWith('CustomCDKBucketDeployment');
const mailroomOnly = (resources: Resources): Resources =>
  Object.fromEntries(Object.entries(resources).filter(([id]) => !isCdkBucketDeployment(id)));

function allFunctions() {
  return [
    stack.api.function,
    stack.sender.function,
    stack.campaigns.fanout,
    stack.campaigns.scheduler,
    stack.feedback.function,
  ];
}

/** PUBLIC_BASE_URL as the api function has it. */
function publicBaseUrl(): unknown {
  const environment = resourceOf(stack.api.function.lambda).Properties?.Environment as {
    Variables: Record<string, unknown>;
  };
  return environment.Variables.PUBLIC_BASE_URL;
}

describe('storage', () => {
  it.each([
    ['messages', 'id', undefined],
    ['templates', 'name', undefined],
    ['suppressions', 'email', undefined],
    ['idempotency', 'key', undefined],
    ['campaigns', 'id', undefined],
    ['recipients', 'campaignId', 'email'],
    ['rateLedger', 'stream', 'worker'],
    ['deliverability', 'pk', undefined],
  ] as const)(
    'keeps %s in an on-demand, encrypted table with point-in-time recovery, retained except when its create rolls back, keyed by %s (sort key %s)',
    (name, key, sortKey) => {
      expect(resourceOf(stack.storage[name])).toMatchObject({
        Properties: {
          KeySchema: [
            { AttributeName: key, KeyType: 'HASH' },
            ...(sortKey === undefined ? [] : [{ AttributeName: sortKey, KeyType: 'RANGE' }]),
          ],
          BillingMode: 'PAY_PER_REQUEST',
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          SSESpecification: { SSEEnabled: true },
        },
        // A failed first deploy removes what it created instead of leaving billed tables behind
        // to pile up with each retry; deletion protection would make that removal fail.
        DeletionPolicy: 'RetainExceptOnCreate',
        UpdateReplacePolicy: 'Retain',
      });
      expect(resourceOf(stack.storage[name]).Properties?.DeletionProtectionEnabled).toBeUndefined();
      const definitions = resourceOf(stack.storage[name]).Properties?.AttributeDefinitions;
      expect(definitions).toEqual(
        expect.arrayContaining(
          [key, sortKey]
            .filter((attribute) => attribute !== undefined)
            .map((attribute) => ({ AttributeName: attribute, AttributeType: 'S' })),
        ),
      );
    },
  );

  it('has exactly the nine tables', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 9);
  });

  it('expires idempotency records, rate reports, deliverability items and webhook deliveries through TTL on expiresAt, and nothing else', () => {
    const withTtl = template.findResources('AWS::DynamoDB::Table', {
      Properties: { TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true } },
    });
    expect(Object.keys(withTtl).sort()).toEqual(
      [
        stack.storage.idempotency,
        stack.storage.rateLedger,
        stack.storage.deliverability,
        stack.storage.webhooks,
      ]
        .map((table) => logicalId(table))
        .sort(),
    );
    const anyTtl = template.findResources('AWS::DynamoDB::Table', {
      Properties: { TimeToLiveSpecification: Match.anyValue() },
    });
    expect(Object.keys(anyTtl)).toHaveLength(4);
  });

  it('indexes campaigns by status (the summary only) and suppressions by reason (then email), under the names the adapters query', () => {
    expect(resourceOf(stack.storage.campaigns).Properties?.GlobalSecondaryIndexes).toEqual([
      {
        IndexName: CAMPAIGNS_BY_STATUS,
        KeySchema: [{ AttributeName: 'status', KeyType: 'HASH' }],
        // Never the content: a counter update would write the whole newsletter into the index again.
        Projection: {
          ProjectionType: 'INCLUDE',
          NonKeyAttributes: CAMPAIGN_SUMMARY_ATTRIBUTES.filter((a) => a !== 'id' && a !== 'status'),
        },
      },
    ]);
    expect(resourceOf(stack.storage.suppressions).Properties?.GlobalSecondaryIndexes).toEqual([
      {
        IndexName: SUPPRESSIONS_BY_REASON,
        KeySchema: [
          { AttributeName: 'reason', KeyType: 'HASH' },
          { AttributeName: 'email', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ]);
    const indexed = template.findResources('AWS::DynamoDB::Table', {
      Properties: { GlobalSecondaryIndexes: Match.anyValue() },
    });
    expect(Object.keys(indexed)).toHaveLength(2);
  });
});

describe('queues', () => {
  it.each([
    ['transactional', 5],
    ['bulk', 5],
    ['fanout', 5],
    ['events', 3],
  ] as const)('encrypts the %s queue and its DLQ and redrives after %i receives', (name, maxReceiveCount) => {
    const { queue, deadLetterQueue } = stack.queues[name];
    expect(resourceOf(queue).Properties).toEqual({
      SqsManagedSseEnabled: true,
      // Six times the longest consumer timeout (sender and fan-out: 60 s).
      VisibilityTimeout: 360,
      RedrivePolicy: { deadLetterTargetArn: arnOf(deadLetterQueue), maxReceiveCount },
      Tags: expect.anything(),
    });
    expect(resourceOf(deadLetterQueue).Properties).toMatchObject({
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 24 * 3600,
    });
    expect(resourceOf(deadLetterQueue).Properties?.RedrivePolicy).toBeUndefined();
  });

  it('has exactly the five queues and their DLQs', () => {
    template.resourceCountIs('AWS::SQS::Queue', 10);
    expect(stack.queues.all.map(({ name }) => name)).toEqual([
      'transactional',
      'bulk',
      'fanout',
      'events',
      'webhooks',
    ]);
  });

  it('denies any request to every queue that is not made over TLS', () => {
    for (const { queue, deadLetterQueue } of stack.queues.all) {
      for (const q of [queue, deadLetterQueue]) {
        template.hasResourceProperties('AWS::SQS::QueuePolicy', {
          Queues: [ref(q)],
          PolicyDocument: {
            Statement: Match.arrayWith([
              Match.objectLike({
                Effect: 'Deny',
                Action: 'sqs:*',
                Principal: { AWS: '*' },
                Condition: { Bool: { 'aws:SecureTransport': 'false' } },
                Resource: arnOf(q),
              }),
            ]),
          },
        });
      }
    }
  });

  it('subscribes the events queue to the SES events topic and the webhooks queue to the product events, SNS envelope included', () => {
    const { queue } = stack.queues.events;
    const subscriptions = template.findResources('AWS::SNS::Subscription', {
      Properties: { Protocol: 'sqs' },
    }) as Resources;
    expect(Object.values(subscriptions).map((subscription) => subscription.Properties)).toEqual([
      {
        Protocol: 'sqs',
        TopicArn: ref(stack.events.topic),
        Endpoint: arnOf(queue),
        // The events function parses the SNS envelope; raw delivery would strip it.
        RawMessageDelivery: false,
      },
      {
        Protocol: 'sqs',
        TopicArn: ref(stack.feedback.productEvents),
        Endpoint: arnOf(stack.queues.webhooks.queue),
        // The webhooks function tells product events from deliveries by the envelope.
        RawMessageDelivery: false,
      },
    ]);
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [ref(queue)],
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Effect: 'Allow',
            Principal: { Service: 'sns.amazonaws.com' },
            Action: 'sqs:SendMessage',
            Resource: arnOf(queue),
            Condition: { ArnEquals: { 'aws:SourceArn': ref(stack.events.topic) } },
          },
        ]),
      },
    });
  });

  it('outputs the URL and ARN of each dead-letter queue, for redrives', () => {
    for (const [prefix, name] of [
      ['Transactional', 'transactional'],
      ['Bulk', 'bulk'],
      ['Fanout', 'fanout'],
      ['Events', 'events'],
    ] as const) {
      const { deadLetterQueue } = stack.queues[name];
      template.hasOutput(`${prefix}DeadLetterQueueUrl`, { Value: ref(deadLetterQueue) });
      template.hasOutput(`${prefix}DeadLetterQueueArn`, { Value: arnOf(deadLetterQueue) });
    }
  });
});

describe('functions', () => {
  it('pins the newest Node.js runtime aws-cdk-lib offers', () => {
    const major = (runtime: lambda.Runtime): number =>
      Number(/^nodejs(\d+)\.x$/.exec(runtime.name)?.[1] ?? 0);
    const offered = Object.values(lambda.Runtime).filter(
      (value): value is lambda.Runtime => value instanceof lambda.Runtime && major(value) > 0,
    );
    const newest = Math.max(...offered.map(major));
    expect(major(NODE_RUNTIME)).toBe(newest);
  });

  it('runs every function on ARM64 and that runtime, with active tracing and source maps', () => {
    const functions = mailroomOnly(template.findResources('AWS::Lambda::Function') as Resources);
    expect(Object.keys(functions)).toHaveLength(6);
    for (const fn of Object.values(functions)) {
      expect(fn.Properties).toMatchObject({
        Runtime: NODE_RUNTIME.name,
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogFormat: 'JSON', LogGroup: expect.anything() },
        Environment: { Variables: { NODE_OPTIONS: '--enable-source-maps' } },
      });
    }
  });

  it('gives each function its own log group with a retention', () => {
    const resources = template.toJSON().Resources as Resources;
    for (const fn of allFunctions()) {
      expect(resources[logicalId(fn.logGroup)]).toMatchObject({
        Type: 'AWS::Logs::LogGroup',
        Properties: { RetentionInDays: 30 },
      });
      expect(resources[logicalId(fn.lambda)]?.Properties?.LoggingConfig).toEqual({
        LogFormat: 'JSON',
        LogGroup: ref(fn.logGroup),
      });
    }
  });

  it('attaches no AWS managed policy to any function role', () => {
    const roles = mailroomOnly(template.findResources('AWS::IAM::Role') as Resources);
    for (const role of Object.values(roles)) {
      // The console operators' role carries the stack's own admin policy (customer-managed).
      expect(JSON.stringify(role.Properties?.ManagedPolicyArns ?? [])).not.toContain(':iam::aws:policy/');
    }
  });

  it('allows "*" only for actions that have no resource-level permissions, and the sandbox recipients\' identities', () => {
    const policies = mailroomOnly(template.findResources('AWS::IAM::Policy') as Resources);
    const withWildcard = Object.values(policies)
      .flatMap((policy) => statementsIn(policy))
      .filter((statement) => JSON.stringify(statement.Resource).includes('*'));
    const unscoped = withWildcard.filter((statement) => JSON.stringify(statement.Resource).includes('"*"'));
    expect([...new Set(unscoped.flatMap(actions))].sort()).toEqual([
      'ses:DeleteSuppressedDestination',
      'ses:GetAccount',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
    // The one partial wildcard: identity/* for ses:SendEmail, which the SES sandbox authorizes
    // against each recipient's identity (pinned with its condition in the sender's tests).
    const partial = withWildcard.filter((statement) => !unscoped.includes(statement));
    expect(partial.map(actions)).toEqual([['ses:SendEmail']]);
  });

  it('sets timeouts that fit the queues: at most a sixth of their visibility timeout', () => {
    const timeouts = allFunctions().map((fn) => resourceOf(fn.lambda).Properties?.Timeout);
    // api, sender, fan-out, tick, events
    expect(timeouts).toEqual([10, 60, 60, 30, 30]);
    expect(Math.max(...(timeouts as number[])) * 6).toBeLessThanOrEqual(360);
  });
});

describe('api function', () => {
  /** `https://` and the console distribution's domain: what its CORS answers allow. */
  const consoleOrigin = (): unknown => {
    const site = stack.console;
    if (site === undefined) throw new Error('the example config has the console on');
    return { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [logicalId(site.distribution), 'DomainName'] }]] };
  };

  it('is configured through its environment', () => {
    const { storage, queues } = stack;
    expect(resourceOf(stack.api.function.lambda).Properties?.Environment).toEqual({
      Variables: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: 'mailroom-api',
        POWERTOOLS_METRICS_NAMESPACE: 'Mailroom/Mailroom-mail-example-com',
        MESSAGES_TABLE: ref(storage.messages),
        TEMPLATES_TABLE: ref(storage.templates),
        SUPPRESSIONS_TABLE: ref(storage.suppressions),
        IDEMPOTENCY_TABLE: ref(storage.idempotency),
        CAMPAIGNS_TABLE: ref(storage.campaigns),
        RECIPIENTS_TABLE: ref(storage.recipients),
        RATE_LEDGER_TABLE: ref(storage.rateLedger),
        DELIVERABILITY_TABLE: ref(storage.deliverability),
        TRANSACTIONAL_QUEUE_URL: ref(queues.transactional.queue),
        FANOUT_QUEUE_URL: ref(queues.fanout.queue),
        WEBHOOKS_TABLE: ref(storage.webhooks),
        WEBHOOKS_QUEUE_URL: ref(queues.webhooks.queue),
        PRODUCT_EVENTS_TOPIC_ARN: ref(stack.feedback.productEvents),
        UNSUBSCRIBE_SECRET_ARN: ref(stack.feedback.unsubscribeSecret),
        PUBLIC_BASE_URL: publicBaseUrl(),
        CONSOLE_ORIGIN: consoleOrigin(),
        SENDING_DOMAIN: 'mail.example.com',
        SEND_RATE_SHARE: '1',
        BOUNCE_RATE_THRESHOLD: String(REPUTATION_GUARD_DEFAULTS.bounceRate),
        COMPLAINT_RATE_THRESHOLD: String(REPUTATION_GUARD_DEFAULTS.complaintRate),
        GUARD_MINIMUM_SAMPLE: String(REPUTATION_GUARD_DEFAULTS.minimumSample),
        DEFAULT_FROM: 'Example <no-reply@mail.example.com>',
        DEFAULT_REPLY_TO: 'support@example.com',
      },
    });
  });

  it('links unsubscribes to the stage URL built from the API id, not from the stage itself', () => {
    // restApi.url would reference the stage, hence the deployment, the methods and this very
    // function: a cycle CloudFormation refuses. The synth above got through, so there is none.
    expect(publicBaseUrl()).toEqual({
      'Fn::Join': [
        '',
        ['https://', ref(stack.api.restApi), '.execute-api.eu-west-1.', { Ref: 'AWS::URLSuffix' }, '/live'],
      ],
    });
    expect(JSON.stringify(resourceOf(stack.api.function.lambda))).not.toContain(
      logicalId(stack.api.restApi.deploymentStage),
    );
  });
});

describe('sender function', () => {
  it('is configured through its environment', () => {
    const { storage, queues } = stack;
    expect(resourceOf(stack.sender.function.lambda).Properties).toMatchObject({
      Timeout: 60,
      Environment: {
        Variables: {
          NODE_OPTIONS: '--enable-source-maps',
          POWERTOOLS_SERVICE_NAME: 'mailroom-sender',
          POWERTOOLS_METRICS_NAMESPACE: 'Mailroom/Mailroom-mail-example-com',
          MESSAGES_TABLE: ref(storage.messages),
          CAMPAIGNS_TABLE: ref(storage.campaigns),
          RECIPIENTS_TABLE: ref(storage.recipients),
          RATE_LEDGER_TABLE: ref(storage.rateLedger),
          DELIVERABILITY_TABLE: ref(storage.deliverability),
          TRANSACTIONAL_QUEUE_URL: ref(queues.transactional.queue),
          BULK_QUEUE_URL: ref(queues.bulk.queue),
          BULK_QUEUE_ARN: arnOf(queues.bulk.queue),
          TRANSACTIONAL_CONFIGURATION_SET: ref(stack.identity.transactional),
          BULK_CONFIGURATION_SET: ref(stack.identity.bulk),
          PUBLIC_BASE_URL: publicBaseUrl(),
          UNSUBSCRIBE_SECRET_ARN: ref(stack.feedback.unsubscribeSecret),
        },
      },
    });
    expect(JSON.stringify(resourceOf(stack.sender.function.lambda).Properties?.Environment)).not.toContain(
      'MAX_SEND_RATE',
    );
  });

  it('reserves the concurrency of both streams: senderConcurrency + bulkSenderConcurrency', () => {
    expect(resourceOf(stack.sender.function.lambda).Properties?.ReservedConcurrentExecutions).toBe(4);
    const others = [
      stack.api.function,
      stack.campaigns.fanout,
      stack.campaigns.scheduler,
      stack.feedback.function,
    ];
    for (const fn of others) {
      expect(resourceOf(fn.lambda).Properties?.ReservedConcurrentExecutions).toBeUndefined();
    }
  });

  it('consumes each stream at most its own concurrency of batches at a time, reporting item failures', () => {
    expect(eventSourcesOf(stack.sender.function.lambda)).toEqual([
      {
        EventSourceArn: arnOf(stack.queues.transactional.queue),
        FunctionName: ref(stack.sender.function.lambda),
        BatchSize: 10,
        ScalingConfig: { MaximumConcurrency: 2 },
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        Tags: expect.anything(),
      },
      {
        EventSourceArn: arnOf(stack.queues.bulk.queue),
        FunctionName: ref(stack.sender.function.lambda),
        BatchSize: 10,
        ScalingConfig: { MaximumConcurrency: 2 },
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        Tags: expect.anything(),
      },
    ]);
  });

  it('may send only from the sending domain, through the identity and both configuration sets', () => {
    const sends = statementsOf(stack.sender.function.role).filter((statement) =>
      actions(statement).includes('ses:SendEmail'),
    );
    expect(sends).toHaveLength(1);
    const [send] = sends;
    const resources = JSON.stringify(send?.Resource);
    expect(resources).toContain(JSON.stringify(ref(stack.identity.identity)));
    // In the sandbox SES also authorizes against each verified recipient's identity.
    expect(resources).toContain(':identity/*');
    expect(resources).toContain(JSON.stringify(ref(stack.identity.transactional)));
    expect(resources).toContain(JSON.stringify(ref(stack.identity.bulk)));
    expect(resources.match(/:configuration-set\//g)).toHaveLength(2);
    expect(send?.Resource).toHaveLength(4);
    expect(send?.Condition).toEqual({ StringLike: { 'ses:FromAddress': '*@mail.example.com' } });
    expect(actions(send as Statement)).toEqual(['ses:SendEmail']);
  });
});

describe('REST API', () => {
  /** Every method as "VERB /path", rebuilt from the resource tree. */
  function routes(): Map<string, Record<string, unknown>> {
    const resources = template.findResources('AWS::ApiGateway::Resource') as Resources;
    const pathOf = (parent: unknown): string => {
      const id = (parent as { Ref?: string }).Ref;
      const resource = id === undefined ? undefined : resources[id];
      if (resource === undefined) return '';
      return `${pathOf(resource.Properties?.ParentId)}/${String(resource.Properties?.PathPart)}`;
    };
    const methods = template.findResources('AWS::ApiGateway::Method') as Resources;
    // The CORS preflights (OPTIONS mocks for the console) are no routes: test/infra/console.test.ts.
    return new Map(
      Object.values(methods)
        .filter((method) => method.Properties?.HttpMethod !== 'OPTIONS')
        .map((method) => [
          `${String(method.Properties?.HttpMethod)} ${pathOf(method.Properties?.ResourceId)}`,
          method.Properties ?? {},
        ]),
    );
  }

  /** The routes of the contract (contract/routes.ts), in its order. */
  const contractRoutes = () => ROUTE_IDS.map((id) => ROUTES[id]);

  it('serves exactly the routes of the contract (contract/routes.ts)', () => {
    const declared = contractRoutes().map(routeKey);

    expect(declared).toContain('POST /v1/emails');
    expect([...routes().keys()].sort()).toEqual(declared.sort());
  });

  it('requires IAM (SigV4) auth on every /v1 method and none on /unsubscribe, validating requests on all', () => {
    const validator = template.findResources('AWS::ApiGateway::RequestValidator', {
      Properties: { ValidateRequestBody: true, ValidateRequestParameters: true },
    });
    const [validatorId] = Object.keys(validator);
    expect(validatorId).toBeDefined();
    for (const [route, method] of routes()) {
      const expected = route.endsWith(' /unsubscribe') ? 'NONE' : 'AWS_IAM';
      expect({ route, auth: method.AuthorizationType }).toEqual({ route, auth: expected });
      expect({ route, validator: method.RequestValidatorId }).toEqual({
        route,
        validator: { Ref: validatorId },
      });
    }
    expect([...routes().entries()].filter(([, method]) => method.AuthorizationType === 'NONE')).toHaveLength(
      2,
    );
  });

  it("gives each method the contract's auth", () => {
    const auth = { iam: 'AWS_IAM', none: 'NONE' } as const;
    for (const route of contractRoutes()) {
      const key = routeKey(route);
      expect({ key, auth: routes().get(key)?.AuthorizationType }).toEqual({ key, auth: auth[route.auth] });
    }
  });

  it('requires a JSON object body where the contract reads JSON, for application/json only', () => {
    const models = template.findResources('AWS::ApiGateway::Model') as Resources;
    const [modelId, model] = Object.entries(models)[0] ?? [];
    expect(Object.keys(models)).toHaveLength(1);
    expect(model?.Properties).toMatchObject({ ContentType: 'application/json', Schema: { type: 'object' } });
    const withModel = [...routes().entries()]
      .filter(([, method]) => method.RequestModels !== undefined)
      .map(([route, method]) => [route, method.RequestModels]);
    // An optional body (`optionalJson`) may be absent, and a form is no JSON: neither gets a model.
    const jsonBodies = contractRoutes().filter(
      (route) => route.body === 'json' || route.body === 'jsonOrCsv',
    );
    expect(jsonBodies.map(routeKey)).toEqual(
      expect.arrayContaining(['POST /v1/emails', 'PUT /v1/templates/{name}']),
    );
    expect(withModel.sort()).toEqual(
      jsonBodies
        .map(routeKey)
        .sort()
        .map((route) => [route, { 'application/json': { Ref: modelId } }]),
    );
  });

  it('lets CSV through to the recipients route: no model for text/csv, none for any content type', () => {
    expect(ROUTES.addCampaignRecipients.body).toBe('jsonOrCsv');
    const recipients = routes().get(routeKey(ROUTES.addCampaignRecipients));
    expect(Object.keys(recipients?.RequestModels as object)).toEqual(['application/json']);
    expect(JSON.stringify(template.findResources('AWS::ApiGateway::Model'))).not.toContain('$default');
  });

  it('proxies every route to the api function', () => {
    for (const method of routes().values()) {
      expect(method.Integration).toMatchObject({ Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST' });
      expect(JSON.stringify(method.Integration)).toContain(logicalId(stack.api.function.lambda));
    }
  });

  it('logs access, traces with X-Ray and throttles the stage', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'live',
      TracingEnabled: true,
      AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
      MethodSettings: [
        Match.objectLike({
          HttpMethod: '*',
          ResourcePath: '/*',
          ThrottlingRateLimit: 50,
          ThrottlingBurstLimit: 100,
        }),
      ],
    });
  });

  it('answers gateway errors with the same JSON envelope as the function', () => {
    for (const type of ['DEFAULT_4XX', 'DEFAULT_5XX']) {
      template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
        ResponseType: type,
        ResponseTemplates: { 'application/json': Match.stringLikeRegexp('^\\{"error":\\{"code":') },
      });
    }
  });

  it('outputs its URL and the two managed policies that allow calling it (access.test.ts: their routes)', () => {
    template.hasOutput('ApiUrl', { Value: Match.objectLike({ 'Fn::Join': Match.anyValue() }) });
    template.hasOutput('SendOnlyPolicyArn', { Value: ref(stack.api.sendOnlyPolicy) });
    template.hasOutput('AdminPolicyArn', { Value: ref(stack.api.adminPolicy) });
  });

  it('is named after the stack, so the API metrics of two stacks in one region never mix', () => {
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { Name: 'Mailroom-mail-example-com' });
  });

  it('puts no method at the root; only /unsubscribe lies outside /v1', () => {
    const root = { 'Fn::GetAtt': [logicalId(stack.api.restApi), 'RootResourceId'] };
    const methods = template.findResources('AWS::ApiGateway::Method', { Properties: { ResourceId: root } });
    expect(methods).toEqual({});
  });
});

describe('template', () => {
  it('passes cfn-lint without errors', () => {
    if (!cfnLintAvailable) {
      console.warn('cfn-lint is not on the PATH: the CloudFormation lint of the template did not run');
      return;
    }
    const { errors, warnings } = lintAssembly(synthesized.assembly);
    if (warnings.length > 0) console.warn(`cfn-lint warnings:\n${warnings.join('\n')}`);
    expect(errors).toEqual([]);
  });

  it('matches the snapshot (asset hashes masked)', () => {
    expect(template.toJSON()).toMatchSnapshot();
  });
});
