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
  /** Global secondary indexes: every attribute projected, unless `projects` lists the non-key ones. */
  readonly indexes?: ReadonlyArray<{
    readonly name: string;
    readonly partitionKey: string;
    readonly sortKey?: string;
    readonly projects?: readonly string[];
  }>;
}

/** An index's projection as DynamoDB's API writes it (local mode creates it so; the tests expect it). */
export function projectionOf(index: {
  readonly projects?: readonly string[];
}): { ProjectionType: 'ALL' } | { ProjectionType: 'INCLUDE'; NonKeyAttributes: string[] } {
  return index.projects === undefined
    ? { ProjectionType: 'ALL' }
    : { ProjectionType: 'INCLUDE', NonKeyAttributes: [...index.projects] };
}

/**
 * What the campaigns index projects: what its queries read and filter on (campaign-store.ts
 * `byStatus`: the tick's due, stalled and recount look-ups, the reputation guard's pause), not the
 * campaign's content. An update writes the index again only when it changes a projected attribute,
 * and then only the projected part: with every attribute projected, each counter update on a
 * campaign with a 20 KB newsletter cost 21 write units twice over ("Provisioned throughput
 * considerations for Global Secondary Indexes", docs.aws.amazon.com/amazondynamodb/latest/
 * developerguide/GSI.html). lambdas/campaigns/campaign.ts reads campaign summaries as exactly these.
 */
export const CAMPAIGN_SUMMARY_ATTRIBUTES = [
  'id',
  'status',
  'updatedAt',
  'scheduledAt',
  'startQueued',
  'fanoutGeneration',
  'fanoutDone',
  'fanoutUpdatedAt',
  'openUploads',
  'uploadFenceUntil',
  'reconciledAt',
  'recountTriedAt',
  'waitingForQuotaSince',
  'totals',
] as const;

/**
 * The campaigns table's index by `status`: due, stalled and guard-paused campaigns without a scan.
 * Named anew when its projection changed from every attribute to the summary (issue 14), because
 * CloudFormation cannot change an index's projection in place. No stack was deployed with the old
 * `byStatus`; one that was could not take this in one update (DynamoDB creates or deletes one GSI
 * per table update, and CloudFormation does not wait for the new index to backfill before the code
 * that queries it runs): it would need two deploys, the new index added beside the old one first.
 */
export const CAMPAIGNS_BY_STATUS = 'byStatusSummary';
/** The suppressions table's index by `reason` (sorted by `email`): the filtered, paged listing. */
export const SUPPRESSIONS_BY_REASON = 'byReason';

export const TABLES = {
  /** Per message: an item with status, timestamps, SES message id and event history, and one with its rendered content (`<id>#content`, lambdas/emails/adapters/message-store.ts). */
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
  /**
   * Campaigns: status, counters' base, fan-out cursor; and each campaign's parts under ids of their
   * own (`<id>#content`, `<id>#counters<n>`: lambdas/campaigns/adapters/campaign-parts.ts).
   */
  campaigns: {
    partitionKey: 'id',
    indexes: [
      {
        name: CAMPAIGNS_BY_STATUS,
        partitionKey: 'status',
        projects: CAMPAIGN_SUMMARY_ATTRIBUTES.filter((a) => a !== 'id' && a !== 'status'),
      },
    ],
  },
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
