import { FUNCTIONS } from './functions';

/**
 * The SQS queues between the functions, as plain data: the stack (lib/constructs/queues.ts and the
 * event sources in lib/constructs/sender.ts, campaigns.ts, feedback.ts) and local mode
 * (local/resources.ts, local/runtime.ts) both build them from here. Every queue has a dead-letter
 * queue behind it.
 */

/** A deploy config field that sets an event source's maximum concurrency. */
export type ConcurrencySetting = 'senderConcurrency' | 'bulkSenderConcurrency' | 'eventsConcurrency';

/**
 * The events function's batches at once, unless the config says otherwise (`eventsConcurrency`).
 * Five keep up with roughly 55–330 mails a second at three SES events a mail (README Performance
 * (g): a batch's events are done one after another, 1–3 DynamoDB calls each); a stack sending
 * faster raises it, or the events queue grows and suppressions lag. A burst of events waits in the
 * queue instead of taking the account's concurrency from the API and the sender.
 */
export const DEFAULT_EVENTS_CONCURRENCY = 5;

/** How Lambda's SQS event source mapping drains a queue. */
export interface EventSourceContract {
  /** Records per invocation (the mapping's BatchSize). */
  readonly batchSize: number;
  /**
   * Longest the poller gathers records before it invokes (MaximumBatchingWindowInSeconds).
   * Absent: Lambda's default, no wait beyond the receive.
   */
  readonly maxBatchingWindowSeconds?: number;
  /**
   * The handler names the records that failed (`batchItemFailures`); only those come back. Every
   * Mailroom source does, and local mode's poller relies on it.
   */
  readonly reportBatchItemFailures: true;
  /**
   * Invocations at once (ScalingConfig.MaximumConcurrency, at least 2): a number, or the deploy
   * config field that sets it.
   */
  readonly maxConcurrency: number | { readonly setting: ConcurrencySetting };
}

export interface QueueContract {
  /** Receives after which a message moves to the dead-letter queue. */
  readonly maxReceiveCount: number;
  /** What drains the queue, for alarm texts, e.g. `the sender`. */
  readonly consumer: string;
  /** The function (a key of contract/functions.ts FUNCTIONS) whose event source drains the queue. */
  readonly consumerFunction: 'sender' | 'fanout' | 'events' | 'webhooks';
  readonly eventSource: EventSourceContract;
}

export const QUEUES = {
  /** Transactional messages (POST /v1/emails), kept apart so they never wait behind a campaign. */
  transactional: {
    maxReceiveCount: 5,
    consumer: 'the sender',
    consumerFunction: 'sender',
    // One bad or throttled message must not send the rest of its batch around again.
    eventSource: {
      batchSize: 10,
      reportBatchItemFailures: true,
      maxConcurrency: { setting: 'senderConcurrency' },
    },
  },
  /** One message per campaign recipient to mail, filled by the fan-out; drained by the sender. */
  bulk: {
    maxReceiveCount: 5,
    consumer: 'the sender',
    consumerFunction: 'sender',
    eventSource: {
      batchSize: 10,
      reportBatchItemFailures: true,
      // The bulk stream's own cap: a campaign can never take the transactional stream's share.
      maxConcurrency: { setting: 'bulkSenderConcurrency' },
    },
  },
  /** The fan-out chain: one message per page of a campaign's recipients, or per cancel sweep. */
  fanout: {
    maxReceiveCount: 5,
    consumer: 'the fan-out function',
    consumerFunction: 'fanout',
    // One link per invocation: each reads up to 1000 recipients and hands over; at most two at once.
    eventSource: { batchSize: 1, reportBatchItemFailures: true, maxConcurrency: 2 },
  },
  /** SES events as the SES events topic delivers them; an unparseable one rests in the DLQ after 3. */
  events: {
    maxReceiveCount: 3,
    consumer: 'the events function',
    consumerFunction: 'events',
    // An unparseable event fails alone and ends in the DLQ; the rest of its batch is done. Batches
    // at once: the config's eventsConcurrency (DEFAULT_EVENTS_CONCURRENCY).
    eventSource: {
      batchSize: 10,
      reportBatchItemFailures: true,
      maxConcurrency: { setting: 'eventsConcurrency' },
    },
  },
  /**
   * Webhook work, two kinds of message: the product events (the product events topic delivers
   * them, SNS envelope) and one delivery per (webhook, event), sent again with a delay after each
   * failed attempt until its retry schedule runs out.
   */
  webhooks: {
    maxReceiveCount: 5,
    consumer: 'the webhooks function',
    consumerFunction: 'webhooks',
    // A batch's deliveries go out in parallel (each at most 10 s); one failing does not send the
    // others again. At most five batches at once keeps a burst of events from hammering receivers.
    eventSource: { batchSize: 10, reportBatchItemFailures: true, maxConcurrency: 5 },
  },
} as const satisfies Record<string, QueueContract>;

export type QueueName = keyof typeof QUEUES;

/** Every queue, in the order the stack creates them (and the dashboard draws them). */
export const QUEUE_NAMES = Object.keys(QUEUES) as QueueName[];

/**
 * An event source's maximum concurrency, its config-dependent ones taken from `settings` (which need
 * hold only the settings of the queues asked about).
 */
export function maxConcurrencyOf(
  queue: QueueName,
  settings: Readonly<Partial<Record<ConcurrencySetting, number>>>,
): number {
  const { maxConcurrency } = QUEUES[queue].eventSource as EventSourceContract;
  if (typeof maxConcurrency === 'number') return maxConcurrency;
  const value = settings[maxConcurrency.setting];
  if (value === undefined)
    throw new Error(`the ${queue} event source's concurrency comes from ${maxConcurrency.setting}`);
  return value;
}

/**
 * AWS's guidance for Lambda consumers: a queue's visibility timeout is six times the timeout of the
 * function that drains it, which leaves room for the poller to retry a throttled invoke before the
 * batch becomes visible to another consumer. Every queue takes six times the longest consumer
 * timeout.
 */
export const VISIBILITY_TIMEOUT_PER_CONSUMER_TIMEOUT = 6;

/** The longest timeout of the functions that drain the queues: every queue's visibility timeout is six times it. */
export function longestConsumerTimeoutSeconds(): number {
  return Math.max(...QUEUE_NAMES.map((name) => FUNCTIONS[QUEUES[name].consumerFunction].timeoutSeconds));
}

/** The visibility timeout, in seconds, of a queue drained by functions with this timeout. */
export function visibilityTimeoutSeconds(consumerTimeoutSeconds: number): number {
  return consumerTimeoutSeconds * VISIBILITY_TIMEOUT_PER_CONSUMER_TIMEOUT;
}
