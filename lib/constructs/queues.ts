import { Duration, Validations } from 'aws-cdk-lib';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { SqsSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  type ConcurrencySetting,
  type EventSourceContract,
  longestConsumerTimeoutSeconds,
  maxConcurrencyOf,
  QUEUE_NAMES,
  QUEUES,
  type QueueName,
  visibilityTimeoutSeconds,
} from '../../contract/queues';

/** Properties of {@link Queues}. */
export interface QueuesProps {
  /** The topic SES publishes its events to; the events queue subscribes to it. */
  readonly sesEventsTopic: sns.ITopic;
}

/** A work queue and the dead-letter queue behind it. */
export interface QueueWithDeadLetter {
  /** Short name for dashboards, alarms and outputs, e.g. `transactional`. */
  readonly name: QueueName;
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
 * The SQS queues between the functions, one per entry of the contract's QUEUES (contract/queues.ts),
 * under the construct id of its name (`transactional` → `Transactional`). Every queue has a dead-letter queue, SSE and a policy that
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
  /**
   * Webhook work: product events (the Webhooks construct subscribes it to the product events
   * topic) and deliveries waiting for their next attempt.
   */
  readonly webhooks: QueueWithDeadLetter;
  /** Every queue with its DLQ: what the dashboard, the DLQ and age alarms and the outputs cover. */
  readonly all: readonly QueueWithDeadLetter[];

  constructor(scope: Construct, id: string, props: QueuesProps) {
    super(scope, id);
    const built = Object.fromEntries(
      QUEUE_NAMES.map((name) => [name, this.queueWithDeadLetter(name)]),
    ) as Record<QueueName, QueueWithDeadLetter>;
    this.transactional = built.transactional;
    this.bulk = built.bulk;
    this.fanout = built.fanout;
    this.events = built.events;
    this.webhooks = built.webhooks;
    // SQS-managed SSE, not a KMS key: SNS can deliver to it without a key policy. The topic's own
    // key only protects messages inside SNS, which decrypts them before delivery.
    props.sesEventsTopic.addSubscription(
      new SqsSubscription(this.events.queue, { rawMessageDelivery: false }),
    );
    this.all = QUEUE_NAMES.map((name) => built[name]);
  }

  private queueWithDeadLetter(name: QueueName): QueueWithDeadLetter {
    const { maxReceiveCount, consumer } = QUEUES[name];
    const id = `${name.charAt(0).toUpperCase()}${name.slice(1)}`;
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
      // Six times the consumer timeout (see the contract's visibilityTimeoutSeconds).
      visibilityTimeout: Duration.seconds(visibilityTimeoutSeconds(longestConsumerTimeoutSeconds())),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount },
    });
    return { name, queue, deadLetterQueue, maxReceiveCount, consumer };
  }
}

/**
 * The event source that drains queue `name`, with the contract's settings (batch size, batching
 * window, partial batch responses, maximum concurrency); `settings` gives the config-dependent
 * concurrencies (the sender's queues', the events queue's).
 */
export function eventSourceFor(
  name: QueueName,
  queue: sqs.IQueue,
  settings: Readonly<Partial<Record<ConcurrencySetting, number>>> = {},
): SqsEventSource {
  const contract: EventSourceContract = QUEUES[name].eventSource;
  const maxConcurrency = maxConcurrencyOf(name, settings);
  return new SqsEventSource(queue, {
    batchSize: contract.batchSize,
    maxBatchingWindow:
      contract.maxBatchingWindowSeconds === undefined
        ? undefined
        : Duration.seconds(contract.maxBatchingWindowSeconds),
    maxConcurrency,
    reportBatchItemFailures: contract.reportBatchItemFailures,
  });
}
