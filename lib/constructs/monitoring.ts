import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import {
  ALARM_ON_FIRST,
  OLDEST_MESSAGE_ALARM_MINUTES,
  REPUTATION_ALARM_RATES,
  SES_REVIEW_RATES,
} from '../../contract/alarms';
import {
  CAMPAIGN_METRICS,
  EVENTS_METRICS,
  METRIC_SERVICES,
  metricsNamespaceOf,
  SENDER_METRICS,
  SENDER_OUTCOME_METRICS,
  WEBHOOK_METRICS,
} from '../../contract/metrics';
import { CONFIGURATION_SET_DIMENSION, SES_EVENT_METRICS, STREAMS, type Stream } from './identity';
import type { QueueWithDeadLetter } from './queues';

/** Kept for callers that import it from here; it lives in the contract. */

/** Counts the sender emits per stream (dimensions `service`=`mailroom-sender`, `stream`). */
export const SENDER_COUNTS = [
  SENDER_OUTCOME_METRICS.sent,
  SENDER_OUTCOME_METRICS.failed,
  SENDER_OUTCOME_METRICS.requeued,
  SENDER_OUTCOME_METRICS.deferred,
  SENDER_OUTCOME_METRICS.duplicate,
  SENDER_METRICS.recordErrors,
] as const;
/** Counts the events function emits (dimension `service`=`mailroom-events`). */
export const EVENTS_COUNTS = [
  EVENTS_METRICS.processed,
  EVENTS_METRICS.unparseable,
  EVENTS_METRICS.suppressionsAdded,
] as const;

/** A function whose errors, throttles and duration are watched. */
export interface MonitoredFunction {
  /** Short name for the dashboard and the alarm, e.g. `sender`. */
  readonly name: string;
  readonly function: lambda.IFunction;
}

/** Properties of {@link Monitoring}. */
export interface MonitoringProps {
  /** Name of the dashboard; also the prefix of every alarm name. Unique per account and region. */
  readonly dashboardName: string;
  /** Queues whose depth and age are drawn, each with its DLQ. */
  readonly queues: readonly QueueWithDeadLetter[];
  /** Functions whose errors, throttles and duration are drawn; each gets an errors alarm. */
  readonly functions: readonly MonitoredFunction[];
  /** The API's stage: requests, 4xx, 5xx and latency. */
  readonly apiStage: apigw.Stage;
  /** Each stream's SES configuration set name. */
  readonly configurationSetNames: Readonly<Record<Stream, string>>;
  /** Who gets the alarms by email; each must confirm the SNS subscription. */
  readonly alarmEmails: readonly string[];
  /**
   * Alarm when the oldest message of a queue has waited longer than this.
   * @default Duration.minutes(OLDEST_MESSAGE_ALARM_MINUTES), 15
   */
  readonly oldestMessageAlarmAge?: Duration;
  /**
   * The configured send-rate ceiling, drawn on the rate graph.
   * @default - none drawn
   */
  readonly maxSendRate?: number;
}

/**
 * One CloudWatch dashboard for ops and the alarms behind it, sent to an SNS topic with an email
 * subscription per alarm address.
 */
export class Monitoring extends Construct {
  /** The dashboard. */
  readonly dashboard: cw.Dashboard;
  /** Console URL of the dashboard. */
  readonly dashboardUrl: string;
  /** Where alarms (and their recovery) are published. */
  readonly alarmTopic: sns.Topic;
  /** Encrypts the alarm topic; CloudWatch may use it. */
  readonly alarmTopicKey: kms.Key;
  /** Every alarm, by a short id such as `DeadLetter-transactional` or `BounceRate`. */
  readonly alarms: ReadonlyMap<string, cw.Alarm>;

  private readonly props: MonitoringProps;
  /** This stack's own metrics namespace, see {@link metricsNamespaceOf}. */
  private readonly namespace: string;
  private readonly alarmsById = new Map<string, cw.Alarm>();

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    this.props = props;
    this.namespace = metricsNamespaceOf(Stack.of(this).stackName);
    this.alarms = this.alarmsById;
    const region = Stack.of(this).region;

    this.alarmTopicKey = this.createAlarmTopicKey();
    this.alarmTopic = this.createAlarmTopic(this.alarmTopicKey);
    this.createAlarms();

    this.dashboard = new cw.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      defaultInterval: Duration.hours(3),
    });
    this.dashboard.addWidgets(
      new cw.TextWidget({
        width: 24,
        height: 2,
        markdown: [
          `# Mailroom: ${props.dashboardName}`,
          'Send rates are per second. SES publishes no MaxSendRate metric: **RateInUse** is the ' +
            'account rate the sender paces to (SES GetAccount MaxSendRate, at most a minute old, or ' +
            'the configured ceiling), reported by each stream. Bounce and complaint rates are ratios ' +
            '(0.05 = 5%).',
        ].join('\n\n'),
      }),
    );
    this.dashboard.addWidgets(...this.sendingWidgets());
    this.dashboard.addWidgets(...this.queueWidgets());
    this.dashboard.addWidgets(...this.sesWidgets());
    this.dashboard.addWidgets(...this.functionWidgets());
    this.dashboard.addWidgets(...this.apiWidgets());
    this.dashboard.addWidgets(
      new cw.AlarmStatusWidget({
        title: 'Alarms',
        width: 24,
        height: 4,
        alarms: [...this.alarmsById.values()],
      }),
    );
    this.dashboardUrl =
      `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}` +
      `#dashboards/dashboard/${props.dashboardName}`;
  }

  private createAlarmTopicKey(): kms.Key {
    const key = new kms.Key(this, 'AlarmTopicKey', {
      description: 'Encrypts the Mailroom alarm topic',
      enableKeyRotation: true,
      // Protects only alarm notifications in flight: nothing is left to decrypt once the topic goes.
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    // CloudWatch cannot use the AWS-managed SNS key (its policy cannot be changed), so an alarm
    // on a topic encrypted with it never notifies anyone. No aws:SourceAccount condition here:
    // AWS documents this grant without one, and an alarm that silently cannot publish is the
    // worst failure this topic can have. The topic policy below scopes who may publish.
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublishToTheEncryptedTopic',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        resources: ['*'],
      }),
    );
    return key;
  }

  private createAlarmTopic(key: kms.Key): sns.Topic {
    const topic = new sns.Topic(this, 'AlarmTopic', {
      displayName: 'Mailroom alarms',
      masterKey: key,
      enforceSSL: true,
    });
    const stack = Stack.of(this);
    topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowThisAccountsAlarmsToPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: {
            'aws:SourceArn': stack.formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
    this.props.alarmEmails.forEach((email) => {
      topic.addSubscription(new subscriptions.EmailSubscription(email));
    });
    return topic;
  }

  private createAlarms(): void {
    const { queues, functions, apiStage } = this.props;
    const oldest = this.props.oldestMessageAlarmAge ?? Duration.minutes(OLDEST_MESSAGE_ALARM_MINUTES);
    for (const { name, queue, deadLetterQueue, maxReceiveCount, consumer } of queues) {
      this.alarm(`DeadLetter-${name}`, {
        metric: deadLetterQueue.metricApproximateNumberOfMessagesVisible({
          statistic: 'Maximum',
          period: Duration.minutes(1),
        }),
        threshold: ALARM_ON_FIRST,
        comparisonOperator: cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        alarmDescription:
          `A message reached the ${name} dead-letter queue: it failed ${maxReceiveCount} times. Read it, fix the cause, ` +
          'then move it back with `aws sqs start-message-move-task` (see README, Operate).',
      });
      this.alarm(`OldestMessage-${name}`, {
        metric: queue.metricApproximateAgeOfOldestMessage({
          statistic: 'Maximum',
          period: Duration.minutes(1),
        }),
        threshold: oldest.toSeconds(),
        comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
        alarmDescription:
          `A message has waited more than ${oldest.toHumanString()} in the ${name} queue: ${consumer} is ` +
          `not keeping up (too little rate or concurrency for the volume, or ${consumer} failing).`,
      });
    }
    this.alarm('BounceRate', {
      metric: reputationMetric('Reputation.BounceRate'),
      threshold: REPUTATION_ALARM_RATES.bounce,
      comparisonOperator: cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      alarmDescription:
        `The account bounce rate reached ${percent(REPUTATION_ALARM_RATES.bounce)}; SES reviews the account at ${percent(SES_REVIEW_RATES.bounce)} and may pause sending. ` +
        'Stop bulk sends to old or bought lists and check where bounces come from.',
    });
    this.alarm('ComplaintRate', {
      metric: reputationMetric('Reputation.ComplaintRate'),
      threshold: REPUTATION_ALARM_RATES.complaint,
      comparisonOperator: cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      alarmDescription:
        `The account complaint rate reached ${percent(REPUTATION_ALARM_RATES.complaint)}; SES reviews the account at ${percent(SES_REVIEW_RATES.complaint)} and may pause ` +
        'sending. Check that recipients opted in and that unsubscribing works.',
    });
    this.alarm(EVENTS_METRICS.reputationGuardTripped, {
      metric: eventsMetric(this.namespace, EVENTS_METRICS.reputationGuardTripped, Duration.minutes(1)),
      threshold: ALARM_ON_FIRST,
      comparisonOperator: cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      alarmDescription:
        'The reputation guard paused bulk sending: the bounce or complaint rate of recent bulk mail ' +
        'crossed its threshold. Transactional mail goes on. Find the cause (list source, a bad ' +
        'import), then POST /v1/account/bulk/resume and resume each campaign (see README, Operate).',
    });
    this.alarm(WEBHOOK_METRICS.disabled, {
      metric: serviceCountMetric(this.namespace, WEBHOOK_METRICS.disabled, METRIC_SERVICES.webhooks),
      threshold: ALARM_ON_FIRST,
      comparisonOperator: cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      alarmDescription:
        'A webhook was disabled: its endpoint failed every attempt of a delivery for over 24 hours. ' +
        'Nothing more is sent to it. The webhooks function log ("webhook disabled") names it and its ' +
        'URL; GET /v1/webhooks/{id}/deliveries shows why. Once the endpoint works, POST ' +
        '/v1/webhooks/{id}/enable (see README, Webhooks).',
    });
    this.alarm(CAMPAIGN_METRICS.countersRepaired, {
      metric: new cw.MathExpression({
        expression: 'FILL(tick, 0) + FILL(watch, 0)',
        usingMetrics: {
          tick: serviceCountMetric(
            this.namespace,
            CAMPAIGN_METRICS.countersRepaired,
            METRIC_SERVICES.scheduler,
          ),
          watch: serviceCountMetric(
            this.namespace,
            CAMPAIGN_METRICS.countersRepaired,
            METRIC_SERVICES.fanout,
          ),
        },
        period: Duration.minutes(5),
      }),
      threshold: ALARM_ON_FIRST,
      comparisonOperator: cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      alarmDescription:
        "A campaign's counters disagreed with its recipient records and were set from the records " +
        '(the records decide completion, so no mail was lost by it). A sender or fan-out that died ' +
        'between two writes explains one now and then; more often means a bug: the scheduler and ' +
        'fan-out logs name the campaigns ("campaign counters repaired").',
    });
    for (const { name, function: fn } of functions) {
      this.alarm(`Errors-${name}`, {
        metric: fn.metricErrors({ statistic: 'Sum', period: Duration.minutes(5) }),
        threshold: ALARM_ON_FIRST,
        comparisonOperator: cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        alarmDescription: `The ${name} function failed (threw or timed out); its log group has the error.`,
      });
    }
    this.alarm('Api5xx', {
      metric: apiStage.metricServerError({ statistic: 'Sum', period: Duration.minutes(5) }),
      threshold: ALARM_ON_FIRST,
      comparisonOperator: cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      alarmDescription: 'The API answered 5xx: product backends could not send. See the api function logs.',
    });
  }

  private alarm(id: string, props: Omit<cw.AlarmProps, 'evaluationPeriods'>): cw.Alarm {
    const alarm = new cw.Alarm(this, id, {
      alarmName: `${this.props.dashboardName}-${id}`,
      evaluationPeriods: 1,
      // No data means nothing happened: no sends, no messages, no errors.
      treatMissingData: cw.TreatMissingData.NOT_BREACHING,
      ...props,
    });
    const action = new cwActions.SnsAction(this.alarmTopic);
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
    this.alarmsById.set(id, alarm);
    return alarm;
  }

  private sendingWidgets(): cw.IWidget[] {
    const sent = Object.fromEntries(
      STREAMS.map((stream) => [stream, senderMetric(this.namespace, SENDER_OUTCOME_METRICS.sent, stream)]),
    );
    const { maxSendRate } = this.props;
    return [
      graph('Sends per minute by stream', Object.values(sent)),
      graph(
        'Sender outcomes per minute',
        SENDER_COUNTS.filter((name) => name !== SENDER_OUTCOME_METRICS.sent).flatMap((name) =>
          STREAMS.map((stream) => senderMetric(this.namespace, name, stream)),
        ),
      ),
      graph(
        'Send rate per second: RateInUse vs. sent',
        [
          ...STREAMS.map((stream) =>
            senderMetric(this.namespace, SENDER_METRICS.rateInUse, stream, {
              statistic: 'Maximum',
              label: `${SENDER_METRICS.rateInUse} ${stream}`,
            }),
          ),
          new cw.MathExpression({
            expression: `(${STREAMS.map((stream) => `FILL(${stream}, 0)`).join(' + ')}) / PERIOD(${STREAMS[0]})`,
            usingMetrics: sent,
            label: 'sent per second (all streams)',
            period: Duration.minutes(1),
          }),
        ],
        maxSendRate === undefined ? [] : [{ value: maxSendRate, label: 'configured maxSendRate' }],
      ),
    ];
  }

  private queueWidgets(): cw.IWidget[] {
    const { queues } = this.props;
    const oldest = this.props.oldestMessageAlarmAge ?? Duration.minutes(OLDEST_MESSAGE_ALARM_MINUTES);
    const perQueue = (metric: (q: QueueWithDeadLetter) => cw.IMetric) => queues.map(metric);
    return [
      graph(
        'Queue depth (visible messages)',
        perQueue(({ name, queue }) =>
          queue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', label: name }),
        ),
      ),
      graph(
        'Age of oldest message (seconds)',
        perQueue(({ name, queue }) =>
          queue.metricApproximateAgeOfOldestMessage({ statistic: 'Maximum', label: name }),
        ),
        [{ value: oldest.toSeconds(), label: 'alarm' }],
      ),
      graph(
        'Dead-letter queue depth',
        perQueue(({ name, deadLetterQueue }) =>
          deadLetterQueue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', label: name }),
        ),
        [{ value: ALARM_ON_FIRST, label: 'alarm' }],
      ),
    ];
  }

  private sesWidgets(): cw.IWidget[] {
    const { configurationSetNames } = this.props;
    const perSet = STREAMS.map((stream) =>
      graph(
        `SES events per 5 minutes: ${stream}`,
        SES_EVENT_METRICS.map(
          (metricName) =>
            new cw.Metric({
              namespace: 'AWS/SES',
              metricName,
              dimensionsMap: { [CONFIGURATION_SET_DIMENSION]: configurationSetNames[stream] },
              statistic: 'Sum',
              period: Duration.minutes(5),
              label: metricName,
            }),
        ),
        [],
        12,
      ),
    );
    const reputation = (metricName: string, title: string, review: number, alarm: number) =>
      graph(
        title,
        [
          reputationMetric(metricName, 'account'),
          ...STREAMS.map((stream) =>
            reputationMetric(metricName, stream, {
              [CONFIGURATION_SET_DIMENSION]: configurationSetNames[stream],
            }),
          ),
        ],
        [
          { value: review, label: 'SES review', color: cw.Color.RED },
          { value: alarm, label: 'alarm', color: cw.Color.ORANGE },
        ],
        12,
      );
    return [
      ...perSet,
      reputation(
        'Reputation.BounceRate',
        `Bounce rate (SES reviews at ${percent(SES_REVIEW_RATES.bounce)})`,
        SES_REVIEW_RATES.bounce,
        REPUTATION_ALARM_RATES.bounce,
      ),
      reputation(
        'Reputation.ComplaintRate',
        `Complaint rate (SES reviews at ${percent(SES_REVIEW_RATES.complaint)})`,
        SES_REVIEW_RATES.complaint,
        REPUTATION_ALARM_RATES.complaint,
      ),
    ];
  }

  private functionWidgets(): cw.IWidget[] {
    const { functions } = this.props;
    const period = Duration.minutes(1);
    return [
      graph(
        'Function errors',
        functions.map(({ name, function: fn }) => fn.metricErrors({ statistic: 'Sum', period, label: name })),
      ),
      graph(
        'Function throttles',
        functions.map(({ name, function: fn }) =>
          fn.metricThrottles({ statistic: 'Sum', period, label: name }),
        ),
      ),
      graph(
        'Function duration p99 (ms)',
        functions.map(({ name, function: fn }) =>
          fn.metricDuration({ statistic: 'p99', period, label: name }),
        ),
      ),
    ];
  }

  private apiWidgets(): cw.IWidget[] {
    const { apiStage } = this.props;
    const period = Duration.minutes(1);
    return [
      graph('API requests, 4xx and 5xx', [
        apiStage.metricCount({ statistic: 'Sum', period, label: 'requests' }),
        apiStage.metricClientError({ statistic: 'Sum', period, label: '4xx' }),
        apiStage.metricServerError({ statistic: 'Sum', period, label: '5xx' }),
      ]),
      graph('API latency (ms)', [
        apiStage.metricLatency({ statistic: 'p50', period, label: 'latency p50' }),
        apiStage.metricLatency({ statistic: 'p99', period, label: 'latency p99' }),
        apiStage.metricIntegrationLatency({ statistic: 'p99', period, label: 'integration p99' }),
      ]),
      graph(
        'SES events processed, unparseable, suppressions added (per 5 minutes)',
        EVENTS_COUNTS.map((name) =>
          eventsMetric(this.namespace, name, Duration.minutes(5)).with({ label: name }),
        ),
      ),
    ];
  }
}

/** One of the sender's EMF metrics for one stream. */
function senderMetric(
  namespace: string,
  metricName: string,
  stream: Stream,
  options: { statistic?: string; label?: string } = {},
): cw.Metric {
  return new cw.Metric({
    namespace,
    metricName,
    dimensionsMap: { service: METRIC_SERVICES.sender, stream },
    statistic: options.statistic ?? 'Sum',
    period: Duration.minutes(1),
    label: options.label ?? `${metricName} ${stream}`,
  });
}

/** One of the events function's EMF counts (no label: an alarm on a labelled metric needs math). */
function eventsMetric(namespace: string, metricName: string, period: Duration): cw.Metric {
  return new cw.Metric({
    namespace,
    metricName,
    dimensionsMap: { service: METRIC_SERVICES.events },
    statistic: 'Sum',
    period,
  });
}

/**
 * A count one function emits under its own `service` (a campaign function's integrity repairs, the
 * webhooks function's disables), summed over 5 minutes.
 */
function serviceCountMetric(namespace: string, metricName: string, service: string): cw.Metric {
  return new cw.Metric({
    namespace,
    metricName,
    dimensionsMap: { service },
    statistic: 'Sum',
    period: Duration.minutes(5),
  });
}

/**
 * An SES reputation metric: account-wide without dimensions, or per configuration set. SES
 * publishes them at irregular intervals, so an hour's maximum neither flaps between data points
 * nor misses one.
 */
function reputationMetric(
  metricName: string,
  label?: string,
  dimensionsMap?: Record<string, string>,
): cw.Metric {
  return new cw.Metric({
    namespace: 'AWS/SES',
    metricName,
    dimensionsMap,
    statistic: 'Maximum',
    period: Duration.hours(1),
    label,
  });
}

function graph(
  title: string,
  left: cw.IMetric[],
  leftAnnotations: cw.HorizontalAnnotation[] = [],
  width = 8,
): cw.GraphWidget {
  return new cw.GraphWidget({ title, left, leftAnnotations, width, height: 6 });
}

/** A ratio as the alarm texts write it: 0.0008 → `0.08%`. */
function percent(ratio: number): string {
  return `${Number((ratio * 100).toPrecision(12))}%`;
}
