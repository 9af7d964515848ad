import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../platform/clients/dynamo';
import { batchGetAll } from '../../platform/dynamo-batch-get';
import { type CampaignTotals, COUNTER_NAMES } from '../campaign';

/**
 * A campaign's parts kept out of its item, in the campaigns table under ids of their own: the
 * content (`<id>#content` as created, `<id>#content.<revision>` after an edit: each part written
 * once, never changed) and the counter shards (`<id>#counters<n>`).
 * Campaign ids never hold `#` (the API refuses them: RESOURCE_ID), so a part cannot be taken for a
 * campaign, and parts have no `status`, so the status index never holds them.
 *
 * Why (issue 14, bench (g)): DynamoDB bills an update by the size of the whole item and allows one
 * item 1,000 write units a second. With the 20 KB newsletter in the item the counters updated, each
 * counter write cost 21 units: 8,400 units/s on one item at 1,000 mails/s. Without the content, a
 * write is 1 unit, but one item still takes 0.41 writes a mail (measured: the sender 0.1 per batch
 * of 10, the events function 0.3 per batch of 10 events, the fan-out 0.01 per page of 100): 4,100
 * writes/s at 10,000 mails/s, four times the limit. So the counters are sharded: each write adds to
 * one of COUNTER_SHARDS small items, chosen at random per write (a batch's sums are one write), each
 * under a partition key of its own (DynamoDB's write sharding, docs.aws.amazon.com/amazondynamodb/
 * latest/developerguide/bp-partition-key-sharding.html): 4,100 / 8 = 513 writes/s a shard at
 * 10,000/s, half the limit, 51 at 1,000/s. Reads sum the shards (one BatchGetItem of eight small
 * items); the counters on the campaign item itself are the base the shards add to.
 */
export const COUNTER_SHARDS = 8;

/** The part holding a revision of the content (campaign.ts, `contentRevision`; undefined: as created). */
export const contentId = (campaignId: string, revision?: string) =>
  revision === undefined ? `${campaignId}#content` : `${campaignId}#content.${revision}`;
export const counterShardId = (campaignId: string, shard: number) => `${campaignId}#counters${shard}`;
/** An id in the campaigns table that names a part, not a campaign. */
export const isPartId = (id: string) => id.includes('#');

/** What the shards add to a campaign's counters. */
export interface ShardSums {
  totals: Partial<Record<keyof CampaignTotals, number>>;
  events: Record<string, number>;
}

/** Counters are flat attributes on a shard (ADD cannot reach into a map): `t_sent`, `e_delivered`. */
const TOTAL = 't_';
const EVENT = 'e_';

/**
 * Adds `totals` and `events` to one shard of `campaignId`, chosen at random (`pick` for tests), in
 * one write that creates the shard if it is not there yet. ADD is atomic and commutative: writers
 * never conflict, and a shard needs no read first.
 */
export async function addToShard(
  tableName: string,
  campaignId: string,
  sums: { totals?: Partial<Record<string, number>>; events?: Partial<Record<string, number>> },
  pick: () => number = Math.random,
): Promise<void> {
  const parts: [string, number][] = [];
  for (const [prefix, counters] of [
    [TOTAL, sums.totals],
    [EVENT, sums.events],
  ] as const) {
    for (const [name, n] of Object.entries(counters ?? {})) if (n) parts.push([`${prefix}${name}`, n]);
  }
  if (parts.length === 0) return;
  const shard = Math.min(COUNTER_SHARDS - 1, Math.floor(pick() * COUNTER_SHARDS));
  await dynamo.send(
    new UpdateCommand({
      TableName: tableName,
      Key: { id: counterShardId(campaignId, shard) },
      UpdateExpression: `ADD ${parts.map((_, i) => `#a${i} :a${i}`).join(', ')}`,
      ExpressionAttributeNames: Object.fromEntries(parts.map(([name], i) => [`#a${i}`, name])),
      ExpressionAttributeValues: Object.fromEntries(parts.map(([, n], i) => [`:a${i}`, n])),
    }),
  );
}

/** Items of the campaigns table by id (strongly consistent), as a map by id. */
export async function getAll(
  tableName: string,
  ids: string[],
): Promise<Map<string, Record<string, unknown>>> {
  const items = await batchGetAll(tableName, 'id', ids);
  return new Map(items.map((item) => [String(item.id), item]));
}

/** The ids of every counter shard of these campaigns. */
export function shardIds(campaignIds: string[]): string[] {
  return campaignIds.flatMap((id) => Array.from({ length: COUNTER_SHARDS }, (_, n) => counterShardId(id, n)));
}

/** The shards' sums per campaign (zeros for a campaign whose shards were never written). */
export async function readShards(tableName: string, campaignIds: string[]): Promise<Map<string, ShardSums>> {
  return sumShards(await getAll(tableName, shardIds(campaignIds)), campaignIds);
}

/** The sums of the shards among `items` (read by getAll), per campaign. */
export function sumShards(
  items: Map<string, Record<string, unknown>>,
  campaignIds: string[],
): Map<string, ShardSums> {
  const sums = new Map<string, ShardSums>();
  for (const campaignId of campaignIds) {
    const into: ShardSums = { totals: {}, events: {} };
    for (let n = 0; n < COUNTER_SHARDS; n++) {
      const item = items.get(counterShardId(campaignId, n));
      if (!item) continue;
      for (const [attribute, value] of Object.entries(item)) {
        if (typeof value !== 'number') continue;
        if (attribute.startsWith(TOTAL)) {
          const name = attribute.slice(TOTAL.length) as keyof CampaignTotals;
          into.totals[name] = (into.totals[name] ?? 0) + value;
        } else if (attribute.startsWith(EVENT)) {
          const name = attribute.slice(EVENT.length);
          into.events[name] = (into.events[name] ?? 0) + value;
        }
      }
    }
    sums.set(campaignId, into);
  }
  return sums;
}

/** `base + shards`, counter by counter: what a campaign's counters say. */
export function withShards(base: CampaignTotals, sums: ShardSums | undefined): CampaignTotals {
  const totals = { ...base };
  for (const name of COUNTER_NAMES) totals[name] = (base[name] ?? 0) + (sums?.totals[name] ?? 0);
  return totals;
}

/** `base + shards` for the event counters. */
export function eventsWithShards<E extends Record<string, number>>(base: E, sums: ShardSums | undefined): E {
  const events: Record<string, number> = { ...base };
  for (const [name, n] of Object.entries(sums?.events ?? {})) events[name] = (events[name] ?? 0) + n;
  return events as E;
}
