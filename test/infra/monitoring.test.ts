import * as path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { REPO_ROOT } from '../../lib/constructs/mailroom-function';
import type { MailroomStack } from '../../lib/mailroom-stack';
import { EXAMPLE_CONFIG, type SynthesizedApp, synthesizeMailroom } from './support/app';
import { type Resources, statementsIn, templateOf } from './support/template';

const ROUTE53_CONFIG = path.join(REPO_ROOT, 'clients', 'example-route53.json');

interface Widget {
  type: string;
  properties: {
    title?: string;
    metrics?: unknown[][];
    annotations?: { horizontal?: Array<{ value: number; label: string }> };
  };
}

let synthesized: SynthesizedApp;
let stack: MailroomStack;
let template: Template;
let helpers: ReturnType<typeof templateOf>;
let widgets: Widget[];

/**
 * The dashboard body as JSON, with each CloudFormation reference in it written as `<LogicalId>`
 * (references only ever stand inside JSON strings there: queue, function and set names).
 */
function dashboardWidgets(dashboard: Resources[string]): Widget[] {
  const body = dashboard.Properties?.DashboardBody as string | { 'Fn::Join': [string, unknown[]] };
  const text =
    typeof body === 'string'
      ? body
      : body['Fn::Join'][1]
          .map((part) => {
            if (typeof part === 'string') return part;
            const ref = (part as { Ref?: string }).Ref;
            const getAtt = (part as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
            return `<${ref ?? getAtt?.[0]}>`;
          })
          .join('');
  return (JSON.parse(text) as { widgets: Widget[] }).widgets;
}

/** A widget by title, failing when there is none. */
function widget(title: string): Widget {
  const found = widgets.find((candidate) => candidate.properties.title === title);
  if (found === undefined) throw new Error(`no widget titled "${title}"`);
  return found;
}

/** The metric lines of a widget as "Namespace Name dim=value ..." (options left out). */
function metricLines(title: string): string[] {
  return (widget(title).properties.metrics ?? []).map((line) => {
    const parts = line.filter((part) => typeof part === 'string') as string[];
    const [namespace, name, ...dims] = parts;
    const pairs: string[] = [];
    for (let i = 0; i + 1 < dims.length; i += 2) pairs.push(`${dims[i]}=${dims[i + 1]}`);
    return [namespace, name, ...pairs].join(' ');
  });
}

beforeAll(() => {
  synthesized = synthesizeMailroom([EXAMPLE_CONFIG, ROUTE53_CONFIG], { bundle: false });
  const [first] = synthesized.stacks;
  if (first === undefined) throw new Error('the example app produced no stack');
  stack = first;
  template = Template.fromStack(stack);
  helpers = templateOf(stack, template);
  const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard') as Resources);
  if (dashboard === undefined) throw new Error('no dashboard');
  widgets = dashboardWidgets(dashboard);
});

afterAll(() => synthesized.cleanup());

describe('dashboard', () => {
  it('is one dashboard named after the stack, its URL a stack output', () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', {
      DashboardName: 'Mailroom-mail-example-com',
    });
    template.hasOutput('DashboardUrl', {
      Value:
        'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1' +
        '#dashboards/dashboard/Mailroom-mail-example-com',
    });
  });

  it('has the widgets ops need, in this order', () => {
    expect(widgets.map((w) => w.properties.title ?? `(${w.type})`)).toEqual([
      '(text)',
      'Sends per minute by stream',
      'Sender outcomes per minute',
      'Send rate per second: RateInUse vs. sent',
      'Queue depth (visible messages)',
      'Age of oldest message (seconds)',
      'Dead-letter queue depth',
      'SES events per 5 minutes: transactional',
      'SES events per 5 minutes: bulk',
      'Bounce rate (SES reviews at 5%)',
      'Complaint rate (SES reviews at 0.1%)',
      'Function errors',
      'Function throttles',
      'Function duration p99 (ms)',
      'API requests, 4xx and 5xx',
      'API latency (ms)',
      'SES events processed, unparseable, suppressions added (per 5 minutes)',
      'Alarms',
    ]);
  });

  it('draws the EMF metrics of the sender per stream', () => {
    const stream = (name: string, s: string) =>
      `Mailroom/Mailroom-mail-example-com ${name} service=mailroom-sender stream=${s}`;
    expect(metricLines('Sends per minute by stream')).toEqual([
      stream('Sent', 'transactional'),
      stream('Sent', 'bulk'),
    ]);
    expect(metricLines('Sender outcomes per minute')).toEqual(
      ['Failed', 'Requeued', 'Deferred', 'DuplicateSkipped', 'RecordErrors'].flatMap((name) => [
        stream(name, 'transactional'),
        stream(name, 'bulk'),
      ]),
    );
    expect(metricLines('Send rate per second: RateInUse vs. sent')).toEqual(
      expect.arrayContaining([stream('RateInUse', 'transactional'), stream('RateInUse', 'bulk')]),
    );
  });

  it('draws depth and age of every queue and the depth of every DLQ', () => {
    const { transactional, bulk, fanout, events, webhooks } = stack.queues;
    const all = [transactional, bulk, fanout, events, webhooks];
    expect(metricLines('Queue depth (visible messages)')).toEqual(
      all.map(
        ({ queue }) => `AWS/SQS ApproximateNumberOfMessagesVisible QueueName=<${helpers.logicalId(queue)}>`,
      ),
    );
    expect(metricLines('Age of oldest message (seconds)')).toEqual(
      all.map(({ queue }) => `AWS/SQS ApproximateAgeOfOldestMessage QueueName=<${helpers.logicalId(queue)}>`),
    );
    expect(metricLines('Dead-letter queue depth')).toEqual(
      all.map(
        ({ deadLetterQueue }) =>
          `AWS/SQS ApproximateNumberOfMessagesVisible QueueName=<${helpers.logicalId(deadLetterQueue)}>`,
      ),
    );
  });

  it('draws SES Send, Delivery, Bounce, Complaint and Reject per configuration set', () => {
    for (const [title, set] of [
      ['SES events per 5 minutes: transactional', stack.identity.transactional],
      ['SES events per 5 minutes: bulk', stack.identity.bulk],
    ] as const) {
      expect(metricLines(title)).toEqual(
        ['Send', 'Delivery', 'Bounce', 'Complaint', 'Reject'].map(
          (name) => `AWS/SES ${name} ses:configuration-set=<${helpers.logicalId(set)}>`,
        ),
      );
    }
  });

  it('draws bounce and complaint rates, account-wide and per set, with the SES review thresholds', () => {
    for (const [title, metric, review] of [
      ['Bounce rate (SES reviews at 5%)', 'Reputation.BounceRate', 0.05],
      ['Complaint rate (SES reviews at 0.1%)', 'Reputation.ComplaintRate', 0.001],
    ] as const) {
      expect(metricLines(title)).toEqual([
        `AWS/SES ${metric}`,
        `AWS/SES ${metric} ses:configuration-set=<${helpers.logicalId(stack.identity.transactional)}>`,
        `AWS/SES ${metric} ses:configuration-set=<${helpers.logicalId(stack.identity.bulk)}>`,
      ]);
      expect(widget(title).properties.annotations?.horizontal).toContainEqual(
        expect.objectContaining({ value: review, label: 'SES review' }),
      );
    }
  });

  it('draws errors, throttles and duration of every function', () => {
    const fns = [
      stack.api.function,
      stack.sender.function,
      stack.campaigns.fanout,
      stack.campaigns.scheduler,
      stack.feedback.function,
      stack.webhooks.function,
    ].map((fn) => helpers.logicalId(fn.lambda));
    for (const [title, metric] of [
      ['Function errors', 'Errors'],
      ['Function throttles', 'Throttles'],
      ['Function duration p99 (ms)', 'Duration'],
    ]) {
      expect(metricLines(title ?? '')).toEqual(fns.map((fn) => `AWS/Lambda ${metric} FunctionName=<${fn}>`));
    }
  });

  it('draws API requests, 4xx, 5xx and latency of the stage, and what the events function did', () => {
    const stage = `ApiName=Mailroom-mail-example-com Stage=<${helpers.logicalId(stack.api.restApi.deploymentStage)}>`;
    expect(metricLines('API requests, 4xx and 5xx')).toEqual([
      `AWS/ApiGateway Count ${stage}`,
      `AWS/ApiGateway 4XXError ${stage}`,
      `AWS/ApiGateway 5XXError ${stage}`,
    ]);
    expect(metricLines('API latency (ms)')).toEqual([
      `AWS/ApiGateway Latency ${stage}`,
      `AWS/ApiGateway Latency ${stage}`,
      `AWS/ApiGateway IntegrationLatency ${stage}`,
    ]);
    expect(metricLines('SES events processed, unparseable, suppressions added (per 5 minutes)')).toEqual([
      'Mailroom/Mailroom-mail-example-com EventsProcessed service=mailroom-events',
      'Mailroom/Mailroom-mail-example-com UnparseableEvents service=mailroom-events',
      'Mailroom/Mailroom-mail-example-com SuppressionsAdded service=mailroom-events',
    ]);
  });
});

describe('alarms', () => {
  const alarm = (id: string) => {
    const found = stack.monitoring.alarms.get(id);
    if (found === undefined) throw new Error(`no alarm ${id}`);
    return helpers.resourceOf(found).Properties ?? {};
  };

  it('are exactly these', () => {
    expect([...stack.monitoring.alarms.keys()]).toEqual([
      'DeadLetter-transactional',
      'OldestMessage-transactional',
      'DeadLetter-bulk',
      'OldestMessage-bulk',
      'DeadLetter-fanout',
      'OldestMessage-fanout',
      'DeadLetter-events',
      'OldestMessage-events',
      'DeadLetter-webhooks',
      'OldestMessage-webhooks',
      'BounceRate',
      'ComplaintRate',
      'ReputationGuardTripped',
      'WebhookDisabled',
      'CampaignCountersRepaired',
      'Errors-api',
      'Errors-sender',
      'Errors-fanout',
      'Errors-scheduler',
      'Errors-events',
      'Errors-webhooks',
      'Api5xx',
    ]);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 22);
  });

  it('fire when the webhooks function disables a webhook, from the first one', () => {
    expect(alarm('WebhookDisabled')).toMatchObject({
      Namespace: 'Mailroom/Mailroom-mail-example-com',
      MetricName: 'WebhookDisabled',
      Dimensions: [{ Name: 'service', Value: 'mailroom-webhooks' }],
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmDescription: expect.stringContaining('POST /v1/webhooks/{id}/enable'),
    });
  });

  it('fire on any message in any dead-letter queue, saying after how many receives it got there', () => {
    for (const { name, deadLetterQueue, maxReceiveCount } of stack.queues.all) {
      expect(alarm(`DeadLetter-${name}`)).toMatchObject({
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [
          {
            Name: 'QueueName',
            Value: { 'Fn::GetAtt': [helpers.logicalId(deadLetterQueue), 'QueueName'] },
          },
        ],
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        AlarmDescription: expect.stringContaining(`it failed ${maxReceiveCount} times`),
      });
    }
    expect(alarm('DeadLetter-events').AlarmDescription).toContain('failed 3 times');
  });

  it('name what is not keeping up when a message waits too long', () => {
    expect(alarm('OldestMessage-bulk').AlarmDescription).toContain('the sender is not keeping up');
    expect(alarm('OldestMessage-fanout').AlarmDescription).toContain(
      'the fan-out function is not keeping up',
    );
    expect(alarm('OldestMessage-events').AlarmDescription).toContain('the events function is not keeping up');
  });

  it('fire as soon as the reputation guard pauses bulk sending', () => {
    expect(alarm('ReputationGuardTripped')).toMatchObject({
      Namespace: 'Mailroom/Mailroom-mail-example-com',
      MetricName: 'ReputationGuardTripped',
      Dimensions: [{ Name: 'service', Value: 'mailroom-events' }],
      Statistic: 'Sum',
      Period: 60,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('fire when the counters of a campaign were repaired from its records, by the tick or the fan-out', () => {
    const repaired = alarm('CampaignCountersRepaired') as {
      Metrics?: {
        Id: string;
        Expression?: string;
        MetricStat?: { Metric: Record<string, unknown>; Stat: string };
      }[];
    };
    expect(repaired).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    const metric = (service: string) => ({
      Metric: {
        Namespace: 'Mailroom/Mailroom-mail-example-com',
        MetricName: 'CampaignCountersRepaired',
        Dimensions: [{ Name: 'service', Value: service }],
      },
      Period: 300,
      Stat: 'Sum',
    });
    expect(repaired.Metrics).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Expression: 'FILL(tick, 0) + FILL(watch, 0)' }),
        expect.objectContaining({ Id: 'tick', MetricStat: metric('mailroom-scheduler') }),
        expect.objectContaining({ Id: 'watch', MetricStat: metric('mailroom-fanout') }),
      ]),
    );
  });

  it('fire when the oldest message has waited over 15 minutes (configurable)', () => {
    expect(alarm('OldestMessage-transactional')).toMatchObject({
      MetricName: 'ApproximateAgeOfOldestMessage',
      Threshold: 900,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    const other = synthesized.stacks[1];
    if (other === undefined) throw new Error('expected the Route 53 example stack');
    const configured = other.monitoring.alarms.get('OldestMessage-transactional');
    if (configured === undefined) throw new Error('no age alarm in the Route 53 example stack');
    // clients/example-route53.json sets oldestMessageAlarmMinutes to 10.
    expect(templateOf(other, Template.fromStack(other)).resourceOf(configured).Properties?.Threshold).toBe(
      600,
    );
  });

  it('fire at a 4% bounce rate and a 0.08% complaint rate, account-wide', () => {
    expect(alarm('BounceRate')).toMatchObject({
      Namespace: 'AWS/SES',
      MetricName: 'Reputation.BounceRate',
      Threshold: 0.04,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    expect(alarm('ComplaintRate')).toMatchObject({
      Namespace: 'AWS/SES',
      MetricName: 'Reputation.ComplaintRate',
      Threshold: 0.0008,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    expect(alarm('BounceRate').Dimensions).toBeUndefined();
    expect(alarm('ComplaintRate').Dimensions).toBeUndefined();
  });

  it('fire on any function error and any API 5xx', () => {
    for (const [id, fn] of [
      ['Errors-api', stack.api.function.lambda],
      ['Errors-sender', stack.sender.function.lambda],
      ['Errors-fanout', stack.campaigns.fanout.lambda],
      ['Errors-scheduler', stack.campaigns.scheduler.lambda],
      ['Errors-events', stack.feedback.function.lambda],
    ] as const) {
      expect(alarm(id)).toMatchObject({
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: helpers.ref(fn) }],
        Statistic: 'Sum',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
    }
    expect(alarm('Api5xx')).toMatchObject({
      Namespace: 'AWS/ApiGateway',
      MetricName: '5XXError',
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('notify the alarm topic when they fire and when they clear, and treat no data as fine', () => {
    const topic = helpers.ref(stack.monitoring.alarmTopic);
    for (const id of stack.monitoring.alarms.keys()) {
      expect(alarm(id)).toMatchObject({
        AlarmName: `Mailroom-mail-example-com-${id}`,
        AlarmActions: [topic],
        OKActions: [topic],
        TreatMissingData: 'notBreaching',
      });
    }
  });
});

describe('alarm topic', () => {
  it('subscribes every alarm email address', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
      TopicArn: helpers.ref(stack.monitoring.alarmTopic),
    });
    const onAlarmTopic = template.findResources('AWS::SNS::Subscription', {
      Properties: { TopicArn: helpers.ref(stack.monitoring.alarmTopic) },
    });
    expect(Object.keys(onAlarmTopic)).toHaveLength(1);
  });

  it('is encrypted with a rotating key CloudWatch may use, and takes only TLS and alarms of this account', () => {
    const { alarmTopic, alarmTopicKey } = stack.monitoring;
    expect(helpers.resourceOf(alarmTopic).Properties?.KmsMasterKeyId).toEqual(helpers.arnOf(alarmTopicKey));
    const key = helpers.resourceOf(alarmTopicKey);
    expect(key.Properties?.EnableKeyRotation).toBe(true);
    expect(statementsIn(key, 'KeyPolicy')).toContainEqual(
      expect.objectContaining({
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      }),
    );
    const [policy] = Object.values(
      template.findResources('AWS::SNS::TopicPolicy', {
        Properties: { Topics: [helpers.ref(stack.monitoring.alarmTopic)] },
      }) as Resources,
    );
    const statements = policy === undefined ? [] : statementsIn(policy);
    expect(statements).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish',
        Condition: {
          StringEquals: { 'aws:SourceAccount': '123456789012' },
          ArnLike: { 'aws:SourceArn': 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:*' },
        },
      }),
    );
  });
});
