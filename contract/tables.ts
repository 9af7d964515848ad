/**
 * The DynamoDB tables, as plain data: the stack (lib/constructs/storage.ts) and local mode
 * (local/resources.ts) both build them from here, so the two cannot key a table differently.
 * Every key attribute is a string.
 */
export interface TableContract {
  readonly partitionKey: string;
  readonly sortKey?: string;
  /** Epoch-seconds attribute DynamoDB TTL deletes items by. */
  readonly timeToLiveAttribute?: string;
  /** Global secondary indexes, each projecting every attribute. */
  readonly indexes?: ReadonlyArray<{
    readonly name: string;
    readonly partitionKey: string;
    readonly sortKey?: string;
  }>;
}

/** The campaigns table's index by `status`: due, stalled and guard-paused campaigns without a scan. */
export const CAMPAIGNS_BY_STATUS = 'byStatus';
/** The suppressions table's index by `reason` (sorted by `email`): the filtered, paged listing. */
export const SUPPRESSIONS_BY_REASON = 'byReason';

export const TABLES = {
  /** One item per message: status, timestamps, SES message id, event history. */
  messages: { partitionKey: 'id' },
  /** Stored templates by name. */
  templates: { partitionKey: 'name' },
  /** Addresses that must not be mailed, with the reason. */
  suppressions: {
    partitionKey: 'email',
    indexes: [{ name: SUPPRESSIONS_BY_REASON, partitionKey: 'reason', sortKey: 'email' }],
  },
  /** `Idempotency-Key` records; TTL drops them after their window. */
  idempotency: { partitionKey: 'key', timeToLiveAttribute: 'expiresAt' },
  /** Campaigns: content, status, counters, fan-out cursor. */
  campaigns: { partitionKey: 'id', indexes: [{ name: CAMPAIGNS_BY_STATUS, partitionKey: 'status' }] },
  /** One item per (campaign, normalized address): the recipient's data and delivery state. */
  recipients: { partitionKey: 'campaignId', sortKey: 'email' },
  /** The send rate each sender container reports per stream, and the shared send schedule. */
  rateLedger: { partitionKey: 'stream', sortKey: 'worker', timeToLiveAttribute: 'expiresAt' },
  /** Soft-bounce histories, hourly bulk reputation buckets and the reputation guard. */
  deliverability: { partitionKey: 'pk', timeToLiveAttribute: 'expiresAt' },
  /**
   * Webhooks: one registry item holding every webhook (so the limit of 20 holds with one conditional
   * write), and one item per delivery attempt under `deliveries#<webhookId>`; TTL drops attempts.
   */
  webhooks: { partitionKey: 'pk', sortKey: 'sk', timeToLiveAttribute: 'expiresAt' },
} as const satisfies Record<string, TableContract>;

export type TableName = keyof typeof TABLES;

/** Every table, in the order the stack creates them. */
export const TABLE_NAMES = Object.keys(TABLES) as TableName[];
