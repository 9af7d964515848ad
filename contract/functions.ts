import type { QueueName } from './queues';
import type { TableName } from './tables';

/**
 * Where an environment variable's value comes from. The stack sets each one with the grant that
 * goes with it (lib/constructs/mailroom-function.ts); local mode sets them from its own resources
 * (local/runtime.ts); the handlers read them through `functionEnvironment` (lambdas/platform/environment.ts).
 */
export type VariableSource =
  | { readonly table: TableName }
  | { readonly queueUrl: QueueName }
  | { readonly queueArn: QueueName }
  | { readonly topic: 'productEvents' | 'ops' }
  | { readonly secret: 'unsubscribe' }
  /** A value from the deploy config or the stack (a name, a limit, a flag). */
  | { readonly setting: string }
  /** Set by local mode only; the stack never sets it. */
  | { readonly localOnly: string };

/** A variable the stack may leave unset: the handler then uses its default or goes without. */
type Optional = { readonly optional: true };

/** Every environment variable a Mailroom function reads, and where its value comes from. */
export const VARIABLES = {
  MESSAGES_TABLE: { table: 'messages' },
  TEMPLATES_TABLE: { table: 'templates' },
  SUPPRESSIONS_TABLE: { table: 'suppressions' },
  IDEMPOTENCY_TABLE: { table: 'idempotency' },
  CAMPAIGNS_TABLE: { table: 'campaigns' },
  RECIPIENTS_TABLE: { table: 'recipients' },
  RATE_LEDGER_TABLE: { table: 'rateLedger' },
  DELIVERABILITY_TABLE: { table: 'deliverability' },
  WEBHOOKS_TABLE: { table: 'webhooks' },
  TRANSACTIONAL_QUEUE_URL: { queueUrl: 'transactional' },
  BULK_QUEUE_URL: { queueUrl: 'bulk' },
  FANOUT_QUEUE_URL: { queueUrl: 'fanout' },
  WEBHOOKS_QUEUE_URL: { queueUrl: 'webhooks' },
  /** The sender tells its two event sources apart by the record's `eventSourceARN`. */
  BULK_QUEUE_ARN: { queueArn: 'bulk' },
  PRODUCT_EVENTS_TOPIC_ARN: { topic: 'productEvents' },
  /** Ops alarms topic: the events function tells ops when the reputation guard pauses bulk mail. */
  OPS_TOPIC_ARN: { topic: 'ops', optional: true },
  /** Local mode gives the key itself in UNSUBSCRIBE_SECRET instead (see unsubscribe-secret.ts). */
  UNSUBSCRIBE_SECRET_ARN: { secret: 'unsubscribe', optional: true },
  UNSUBSCRIBE_SECRET: { localOnly: 'the unsubscribe key itself, kept with the local data', optional: true },
  SENDING_DOMAIN: { setting: 'the domain mail is sent from' },
  DEFAULT_FROM: { setting: 'the From of a mail that names none' },
  DEFAULT_REPLY_TO: { setting: 'the Reply-To of a mail that names none', optional: true },
  PUBLIC_BASE_URL: { setting: 'the API URL unsubscribe links point to' },
  CONSOLE_ORIGIN: {
    setting:
      "the campaign console's origin, which the API's CORS answers allow (none in local mode: same origin)",
    optional: true,
  },
  MAX_SEND_RATE: { setting: 'maxSendRate: mails per second, instead of what SES says', optional: true },
  SEND_RATE_SHARE: { setting: "sendRateShare: this stack's fraction of the account's MaxSendRate" },
  TRANSACTIONAL_CONFIGURATION_SET: { setting: 'the transactional SES configuration set' },
  BULK_CONFIGURATION_SET: { setting: 'the bulk SES configuration set' },
  TRANSIENT_BOUNCE_LIMIT: { setting: 'soft bounces within the window that suppress an address' },
  TRANSIENT_BOUNCE_WINDOW_DAYS: { setting: 'the window soft bounces are counted in' },
  BOUNCE_RATE_THRESHOLD: { setting: 'the bulk bounce rate that pauses bulk mail' },
  COMPLAINT_RATE_THRESHOLD: { setting: 'the bulk complaint rate that pauses bulk mail' },
  GUARD_MINIMUM_SAMPLE: { setting: 'bulk mails in the window before the guard judges rates' },
  WEBHOOK_RETRY_SCHEDULE: {
    setting: 'seconds before each webhook delivery attempt, comma-separated (WEBHOOK_RETRY_SCHEDULE_SECONDS)',
  },
  /** Local mode runs receivers on the same machine: http and loopback addresses; never in AWS. */
  WEBHOOK_ALLOW_LOOPBACK: { localOnly: 'accept http:// and loopback webhook receivers', optional: true },
} as const satisfies Record<string, VariableSource | (VariableSource & Optional)>;

export type VariableName = keyof typeof VARIABLES;

export interface FunctionContract {
  /** Handler module, relative to the repository root. */
  readonly entry: string;
  /**
   * Hard limit per invocation, in seconds. Local mode gives its invocations the same, and the
   * queues' visibility timeout derives from their consumers' (contract/queues.ts).
   */
  readonly timeoutSeconds: number;
  /** The variables the handler reads at cold start: the stack sets exactly these. */
  readonly environment: readonly VariableName[];
}

/** The Lambda functions and what each one reads from its environment. */
export const FUNCTIONS = {
  api: {
    entry: 'lambdas/functions/api/handler.ts',
    // Well inside API Gateway's 29 s; an upload's writes stop 1.5 s before it.
    timeoutSeconds: 10,
    environment: [
      'MESSAGES_TABLE',
      'TEMPLATES_TABLE',
      'SUPPRESSIONS_TABLE',
      'IDEMPOTENCY_TABLE',
      'CAMPAIGNS_TABLE',
      'RECIPIENTS_TABLE',
      'RATE_LEDGER_TABLE',
      'DELIVERABILITY_TABLE',
      'TRANSACTIONAL_QUEUE_URL',
      'FANOUT_QUEUE_URL',
      'PRODUCT_EVENTS_TOPIC_ARN',
      'UNSUBSCRIBE_SECRET_ARN',
      'UNSUBSCRIBE_SECRET',
      'SENDING_DOMAIN',
      'DEFAULT_FROM',
      'DEFAULT_REPLY_TO',
      'PUBLIC_BASE_URL',
      'CONSOLE_ORIGIN',
      'MAX_SEND_RATE',
      'SEND_RATE_SHARE',
      // GET /v1/account shows the rates the guard judges against its thresholds.
      'BOUNCE_RATE_THRESHOLD',
      'COMPLAINT_RATE_THRESHOLD',
      'GUARD_MINIMUM_SAMPLE',
      'WEBHOOKS_TABLE',
      'WEBHOOKS_QUEUE_URL',
      'WEBHOOK_ALLOW_LOOPBACK',
    ],
  },
  sender: {
    entry: 'lambdas/functions/sender/handler.ts',
    // Enough for a batch of paced sends and the writes around them.
    timeoutSeconds: 60,
    environment: [
      'MESSAGES_TABLE',
      'CAMPAIGNS_TABLE',
      'RECIPIENTS_TABLE',
      'RATE_LEDGER_TABLE',
      'DELIVERABILITY_TABLE',
      'TRANSACTIONAL_QUEUE_URL',
      'BULK_QUEUE_URL',
      'BULK_QUEUE_ARN',
      'UNSUBSCRIBE_SECRET_ARN',
      'UNSUBSCRIBE_SECRET',
      'TRANSACTIONAL_CONFIGURATION_SET',
      'BULK_CONFIGURATION_SET',
      'PUBLIC_BASE_URL',
      'MAX_SEND_RATE',
      'SEND_RATE_SHARE',
    ],
  },
  fanout: {
    entry: 'lambdas/functions/fanout/handler.ts',
    // A page of up to 1000 recipients read, checked and queued.
    timeoutSeconds: 60,
    environment: [
      'CAMPAIGNS_TABLE',
      'RECIPIENTS_TABLE',
      'SUPPRESSIONS_TABLE',
      'RATE_LEDGER_TABLE',
      'DELIVERABILITY_TABLE',
      'FANOUT_QUEUE_URL',
      'BULK_QUEUE_URL',
      'MAX_SEND_RATE',
      'SEND_RATE_SHARE',
    ],
  },
  scheduler: {
    entry: 'lambdas/functions/scheduler/handler.ts',
    // The tick stops its recounts 5 s before this.
    timeoutSeconds: 30,
    environment: ['CAMPAIGNS_TABLE', 'RECIPIENTS_TABLE', 'FANOUT_QUEUE_URL'],
  },
  events: {
    entry: 'lambdas/functions/events/handler.ts',
    // A batch of ten SES events.
    timeoutSeconds: 30,
    environment: [
      'MESSAGES_TABLE',
      'RECIPIENTS_TABLE',
      'CAMPAIGNS_TABLE',
      'SUPPRESSIONS_TABLE',
      'DELIVERABILITY_TABLE',
      'PRODUCT_EVENTS_TOPIC_ARN',
      'OPS_TOPIC_ARN',
      'TRANSIENT_BOUNCE_LIMIT',
      'TRANSIENT_BOUNCE_WINDOW_DAYS',
      'BOUNCE_RATE_THRESHOLD',
      'COMPLAINT_RATE_THRESHOLD',
      'GUARD_MINIMUM_SAMPLE',
    ],
  },
  webhooks: {
    entry: 'lambdas/functions/webhooks/handler.ts',
    // A batch of ten deliveries in parallel, each at most 10 s (WEBHOOK_DELIVERY_TIMEOUT_MS), and the writes around them.
    timeoutSeconds: 30,
    environment: [
      'WEBHOOKS_TABLE',
      'WEBHOOKS_QUEUE_URL',
      'PRODUCT_EVENTS_TOPIC_ARN',
      'WEBHOOK_RETRY_SCHEDULE',
      'WEBHOOK_ALLOW_LOOPBACK',
    ],
  },
} as const satisfies Record<string, FunctionContract>;

export type FunctionName = keyof typeof FUNCTIONS;

/** The variables of `fn`, as a type. */
export type VariablesOf<F extends FunctionName> = (typeof FUNCTIONS)[F]['environment'][number];
