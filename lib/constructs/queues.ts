import { Duration, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** Properties of {@link Queues}. */
export interface QueuesProps {
  /** Timeout of the function that consumes the queues; the visibility timeout is six times it. */
  readonly consumerTimeout: Duration;
  /**
   * Receives after which a message moves to the dead-letter queue.
   * @default 5
   */
  readonly maxReceiveCount?: number;
}

/** A work queue and the dead-letter queue behind it. */
export interface QueueWithDeadLetter {
  /** Short name for dashboards and alarms, e.g. `transactional`. */
  readonly name: string;
  /** Where producers send. */
  readonly queue: sqs.Queue;
  /** Where messages land after too many failed receives. */
  readonly deadLetterQueue: sqs.Queue;
}

/**
 * The SQS queues between the API and the sender. Every queue has a dead-letter queue, SSE and a
 * policy that denies requests not made over TLS.
 */
export class Queues extends Construct {
  /** Transactional messages (POST /v1/emails), kept apart so they never wait behind a campaign. */
  readonly transactional: QueueWithDeadLetter;
  /** Every queue with its DLQ: what the dashboard and the DLQ and age alarms cover. */
  readonly all: readonly QueueWithDeadLetter[];

  private readonly props: QueuesProps;

  constructor(scope: Construct, id: string, props: QueuesProps) {
    super(scope, id);
    this.props = props;
    this.transactional = this.queueWithDeadLetter('transactional', 'Transactional');
    this.all = [this.transactional];
  }

  private queueWithDeadLetter(name: string, id: string): QueueWithDeadLetter {
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
      deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: this.props.maxReceiveCount ?? 5 },
    });
    return { name, queue, deadLetterQueue };
  }
}
