/**
 * The SQS queues between the functions, as plain data: the stack (lib/constructs/queues.ts) and
 * local mode (local/resources.ts, local/runtime.ts) both build them from here. Every queue has a
 * dead-letter queue behind it.
 */
export interface QueueContract {
  /** Receives after which a message moves to the dead-letter queue. */
  readonly maxReceiveCount: number;
  /** What drains the queue, for alarm texts, e.g. `the sender`. */
  readonly consumer: string;
}

export const QUEUES = {
  /** Transactional messages (POST /v1/emails), kept apart so they never wait behind a campaign. */
  transactional: { maxReceiveCount: 5, consumer: 'the sender' },
  /** One message per campaign recipient to mail, filled by the fan-out; drained by the sender. */
  bulk: { maxReceiveCount: 5, consumer: 'the sender' },
  /** The fan-out chain: one message per page of a campaign's recipients, or per cancel sweep. */
  fanout: { maxReceiveCount: 5, consumer: 'the fan-out function' },
  /** SES events as the SES events topic delivers them; an unparseable one rests in the DLQ after 3. */
  events: { maxReceiveCount: 3, consumer: 'the events function' },
} as const satisfies Record<string, QueueContract>;

export type QueueName = keyof typeof QUEUES;
