import { Duration, Validations } from 'aws-cdk-lib';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { SqsSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** Properties of {@link Queues}. */
export interface QueuesProps {
  /**
   * The longest timeout of the functions that consume the queues; the visibility timeout is six
   * times it.
   */
  readonly consumerTimeout: Duration;
  /** The topic SES publishes its events to; the events queue subscribes to it. */
  readonly sesEventsTopic: sns.ITopic;
}

/** A work queue and the dead-letter queue behind it. */
export interface QueueWithDeadLetter {
  /** Short name for dashboards, alarms and outputs, e.g. `transactional`. */
  readonly name: string;
  /** Where producers send. */
  readonly queue: sqs.Queue;
  /** Where messages land after too many failed receives. */
  readonly deadLetterQueue: sqs.Queue;
  /** Receives after which a message moves to the dead-letter queue. */
  readonly maxReceiveCount: number;
  /** What drains the queue, for alarm texts, e.g. `the sender`. */
  readonly consumer: string;
}

/**
 * The SQS queues between the functions. Every queue has a dead-letter queue, SSE and a policy that
 * denies requests not made over TLS.
 */
export class Queues extends Construct {
  /** Transactional messages (POST /v1/emails), kept apart so they never wait behind a campaign. */
  readonly transactional: QueueWithDeadLetter;
  /** One message per campaign recipient to mail, filled by the fan-out; drained by the sender. */
  readonly bulk: QueueWithDeadLetter;
  /** The fan-out chain: one message per page of a campaign's recipients, or per cancel sweep. */
  readonly fanout: QueueWithDeadLetter;
  /**
   * SES events as the SES events topic delivers them (SNS envelope, not raw): the events function
   * parses the envelope. An event it cannot parse fails 3 times and rests in the DLQ.
   */
  readonly events: QueueWithDeadLetter;
  /** Every queue with its DLQ: what the dashboard, the DLQ and age alarms and the outputs cover. */
  readonly all: readonly QueueWithDeadLetter[];

  private readonly props: QueuesProps;

  constructor(scope: Construct, id: string, props: QueuesProps) {
    super(scope, id);
    this.props = props;
    this.transactional = this.queueWithDeadLetter('transactional', 'Transactional', 5, 'the sender');
    this.bulk = this.queueWithDeadLetter('bulk', 'Bulk', 5, 'the sender');
    this.fanout = this.queueWithDeadLetter('fanout', 'Fanout', 5, 'the fan-out function');
    this.events = this.queueWithDeadLetter('events', 'Events', 3, 'the events function');
    // SQS-managed SSE, not a KMS key: SNS can deliver to it without a key policy. The topic's own
    // key only protects messages inside SNS, which decrypts them before delivery.
    props.sesEventsTopic.addSubscription(
      new SqsSubscription(this.events.queue, { rawMessageDelivery: false }),
    );
    this.all = [this.transactional, this.bulk, this.fanout, this.events];
  }

  private queueWithDeadLetter(
    name: string,
    id: string,
    maxReceiveCount: number,
    consumer: string,
  ): QueueWithDeadLetter {
    const deadLetterQueue = new sqs.Queue(this, `${id}DeadLetter`, {
      // Longest SQS allows: time for someone to notice and redrive.
      retentionPeriod: Duration.days(14),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    Validations.of(deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This is a dead-letter queue; it has no dead-letter queue of its own.',
    });

    const queue = new sqs.Queue(this, id, {
      // AWS's guidance for Lambda consumers: six times the function timeout leaves room for the
      // poller to retry a throttled invoke before the batch becomes visible to another consumer.
      visibilityTimeout: Duration.seconds(this.props.consumerTimeout.toSeconds() * 6),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount },
    });
    return { name, queue, deadLetterQueue, maxReceiveCount, consumer };
  }
}
