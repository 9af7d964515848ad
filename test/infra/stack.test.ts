import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
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
let actionsOn: Helpers['actionsOn'];

beforeAll(() => {
  synthesized = synthesizeMailroom();
  const [first] = synthesized.stacks;
  if (first === undefined) throw new Error('the example app produced no stack');
  stack = first;
  template = Template.fromStack(stack);
  ({ logicalId, ref, arnOf, statementsOf, actionsOn } = templateOf(stack, template));
});

afterAll(() => synthesized.cleanup());

describe('storage', () => {
  it.each([
    ['messages', 'id'],
    ['templates', 'name'],
    ['suppressions', 'email'],
    ['idempotency', 'key'],
  ] as const)(
    'keeps %s in an on-demand, encrypted table with point-in-time recovery, keyed by %s',
    (name, key) => {
      template.hasResource('AWS::DynamoDB::Table', {
        Properties: {
          KeySchema: [{ AttributeName: key, KeyType: 'HASH' }],
          AttributeDefinitions: [{ AttributeName: key, AttributeType: 'S' }],
          BillingMode: 'PAY_PER_REQUEST',
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          SSESpecification: { SSEEnabled: true },
          DeletionProtectionEnabled: true,
        },
        DeletionPolicy: 'Retain',
      });
      expect(stack.storage[name]).toBeDefined();
    },
  );

  it('has exactly the four tables', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 4);
  });

  it('expires idempotency records through TTL on expiresAt', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'key', KeyType: 'HASH' }],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
    const withTtl = template.findResources('AWS::DynamoDB::Table', {
      Properties: { TimeToLiveSpecification: Match.anyValue() },
    });
    expect(Object.keys(withTtl)).toEqual([logicalId(stack.storage.idempotency)]);
  });
});

describe('queues', () => {
  it('encrypts the transactional queue and its DLQ and redrives after 5 receives', () => {
    const { queue, deadLetterQueue } = stack.queues.transactional;
    template.hasResource('AWS::SQS::Queue', {
      Properties: {
        SqsManagedSseEnabled: true,
        // Six times the sender's 60 s timeout.
        VisibilityTimeout: 360,
        RedrivePolicy: { deadLetterTargetArn: arnOf(deadLetterQueue), maxReceiveCount: 5 },
      },
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 24 * 3600,
    });
    expect(logicalId(queue)).not.toEqual(logicalId(deadLetterQueue));
    template.resourceCountIs('AWS::SQS::Queue', 2);
  });

  it('denies any request to either queue that is not made over TLS', () => {
    const { queue, deadLetterQueue } = stack.queues.transactional;
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
  });
  it('outputs the URL and ARN of each dead-letter queue, for redrives', () => {
    const { deadLetterQueue } = stack.queues.transactional;
    template.hasOutput('TransactionalDeadLetterQueueUrl', { Value: ref(deadLetterQueue) });
    template.hasOutput('TransactionalDeadLetterQueueArn', { Value: arnOf(deadLetterQueue) });
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
    const functions = template.findResources('AWS::Lambda::Function') as Resources;
    expect(Object.keys(functions)).toHaveLength(2);
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
    for (const fn of [stack.api.function, stack.sender.function]) {
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
    const roles = template.findResources('AWS::IAM::Role') as Resources;
    for (const role of Object.values(roles)) {
      expect(role.Properties?.ManagedPolicyArns).toBeUndefined();
    }
  });

  it('allows "*" only for actions that have no resource-level permissions', () => {
    const policies = template.findResources('AWS::IAM::Policy') as Resources;
    const unscoped = Object.values(policies)
      .flatMap((policy) => statementsIn(policy))
      .filter((statement) => JSON.stringify(statement.Resource).includes('*'))
      .flatMap(actions);
    expect([...new Set(unscoped)].sort()).toEqual([
      'ses:GetAccount',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
  });
});

describe('api function', () => {
  it('is configured through its environment', () => {
    const { storage, queues } = stack;
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: {
          MESSAGES_TABLE: ref(storage.messages),
          TEMPLATES_TABLE: ref(storage.templates),
          SUPPRESSIONS_TABLE: ref(storage.suppressions),
          IDEMPOTENCY_TABLE: ref(storage.idempotency),
          TRANSACTIONAL_QUEUE_URL: ref(queues.transactional.queue),
          SENDING_DOMAIN: 'mail.example.com',
          DEFAULT_FROM: 'Example <no-reply@mail.example.com>',
          DEFAULT_REPLY_TO: 'support@example.com',
          SENDER_CONCURRENCY: Match.absent(),
          POWERTOOLS_SERVICE_NAME: 'mailroom-api',
          MAX_SEND_RATE: Match.absent(),
        },
      },
    });
  });

  it('may do exactly what its routes need and nothing more', () => {
    const role = stack.api.function.role;
    const { storage, queues } = stack;
    expect(actionsOn(role, arnOf(storage.messages))).toEqual([
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
    ]);
    expect(actionsOn(role, arnOf(storage.templates))).toEqual([
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Scan',
      'dynamodb:UpdateItem',
    ]);
    expect(actionsOn(role, arnOf(storage.suppressions))).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:GetItem',
    ]);
    expect(actionsOn(role, arnOf(storage.idempotency))).toEqual([
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
    ]);
    expect(actionsOn(role, arnOf(queues.transactional.queue))).toEqual(['sqs:SendMessage']);
    expect(actionsOn(role, '*')).toEqual([
      'ses:GetAccount',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
    expect(
      statementsOf(role)
        .flatMap(actions)
        .filter((action) => action.startsWith('ses:')),
    ).toEqual(['ses:GetAccount']);
  });
});

describe('sender function', () => {
  it('is configured through its environment', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 60,
      Environment: {
        Variables: {
          MESSAGES_TABLE: ref(stack.storage.messages),
          TRANSACTIONAL_QUEUE_URL: ref(stack.queues.transactional.queue),
          TRANSACTIONAL_CONFIGURATION_SET: ref(stack.identity.transactional),
          BULK_CONFIGURATION_SET: ref(stack.identity.bulk),
          TRANSACTIONAL_SHARE: '0.1',
          SENDER_CONCURRENCY: '2',
          POWERTOOLS_SERVICE_NAME: 'mailroom-sender',
          MAX_SEND_RATE: Match.absent(),
        },
      },
    });
  });

  it('has reserved concurrency equal to senderConcurrency', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { POWERTOOLS_SERVICE_NAME: 'mailroom-sender' } },
      ReservedConcurrentExecutions: 2,
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { POWERTOOLS_SERVICE_NAME: 'mailroom-api' } },
      ReservedConcurrentExecutions: Match.absent(),
    });
  });

  it('consumes the transactional queue at most senderConcurrency batches at a time, reporting item failures', () => {
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: arnOf(stack.queues.transactional.queue),
      FunctionName: ref(stack.sender.function.lambda),
      BatchSize: 10,
      ScalingConfig: { MaximumConcurrency: 2 },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('may send only from the sending domain, through the identity and both configuration sets', () => {
    const sends = statementsOf(stack.sender.function.role).filter((statement) =>
      actions(statement).includes('ses:SendEmail'),
    );
    expect(sends).toHaveLength(1);
    const [send] = sends;
    const resources = JSON.stringify(send?.Resource);
    expect(resources).toContain(JSON.stringify(ref(stack.identity.identity)));
    expect(resources).toContain(':identity/');
    expect(resources).toContain(JSON.stringify(ref(stack.identity.transactional)));
    expect(resources).toContain(JSON.stringify(ref(stack.identity.bulk)));
    expect(resources.match(/:configuration-set\//g)).toHaveLength(2);
    expect(send?.Resource).toHaveLength(3);
    expect(send?.Condition).toEqual({ StringLike: { 'ses:FromAddress': '*@mail.example.com' } });
    expect(actions(send as Statement)).toEqual(['ses:SendEmail']);
  });

  it('may read and claim messages, and re-queue throttled ones', () => {
    const role = stack.sender.function.role;
    expect(actionsOn(role, arnOf(stack.storage.messages))).toEqual([
      'dynamodb:GetItem',
      'dynamodb:UpdateItem',
    ]);
    expect(actionsOn(role, arnOf(stack.queues.transactional.queue))).toEqual(
      expect.arrayContaining(['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:SendMessage']),
    );
    expect(actionsOn(role, '*')).toEqual([
      'ses:GetAccount',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
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
    return new Map(
      Object.values(methods).map((method) => [
        `${String(method.Properties?.HttpMethod)} ${pathOf(method.Properties?.ResourceId)}`,
        method.Properties ?? {},
      ]),
    );
  }

  it('serves exactly the routes of this slice', () => {
    expect([...routes().keys()].sort()).toEqual([
      'DELETE /v1/templates/{name}',
      'GET /v1/account',
      'GET /v1/emails/{id}',
      'GET /v1/templates',
      'GET /v1/templates/{name}',
      'POST /v1/emails',
      'PUT /v1/templates/{name}',
    ]);
  });

  it('requires IAM (SigV4) auth and request validation on every /v1 method', () => {
    const validator = template.findResources('AWS::ApiGateway::RequestValidator', {
      Properties: { ValidateRequestBody: true, ValidateRequestParameters: true },
    });
    const [validatorId] = Object.keys(validator);
    expect(validatorId).toBeDefined();
    for (const [route, method] of routes()) {
      expect({ route, auth: method.AuthorizationType }).toEqual({ route, auth: 'AWS_IAM' });
      expect({ route, validator: method.RequestValidatorId }).toEqual({
        route,
        validator: { Ref: validatorId },
      });
    }
  });

  it('requires a JSON object body on POST /v1/emails and PUT /v1/templates/{name}', () => {
    const models = template.findResources('AWS::ApiGateway::Model') as Resources;
    const [modelId, model] = Object.entries(models)[0] ?? [];
    expect(model?.Properties?.Schema).toMatchObject({ type: 'object' });
    const all = routes();
    for (const route of ['POST /v1/emails', 'PUT /v1/templates/{name}']) {
      expect(all.get(route)?.RequestModels).toEqual({ 'application/json': { Ref: modelId } });
    }
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

  it('offers a managed policy to invoke the /v1 routes of this stage, and outputs it with the URL', () => {
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: [
          {
            Effect: 'Allow',
            Action: 'execute-api:Invoke',
            Resource: {
              'Fn::Join': ['', Match.arrayWith([ref(stack.api.restApi), '/live/*/v1/*'])],
            },
          },
        ],
      },
    });
    template.hasOutput('ApiUrl', { Value: Match.objectLike({ 'Fn::Join': Match.anyValue() }) });
    template.hasOutput('InvokePolicyArn', { Value: ref(stack.api.invokePolicy) });
  });

  it('is named after the stack, so the API metrics of two stacks in one region never mix', () => {
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { Name: 'Mailroom-mail-example-com' });
  });

  it('puts no method at the root, where only the public unsubscribe route is meant to go', () => {
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
