import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../platform/clients/dynamo';
import { batchGetAll } from '../../platform/dynamo-batch-get';
import type { ReputationCounts, ReputationStore, TransientBounceCounter } from '../ports';

const GUARD_KEY = 'guard#bulk';
const BUCKET_TTL_SECONDS = 3 * 24 * 3600;

/**
 * Each hourly reputation bucket is split into this many items (`bulk#<hour>#<n>`), one chosen at
 * random per write; reads sum them. Every bulk mail adds to the hour's bucket (its Send event, and
 * its bounce or complaint), so one item per hour would take every bulk mail's write: 1,000 writes a
 * second at 1,000 mails/s, DynamoDB's limit for one item (bench (g)). The events function adds a
 * batch's counts once per bucket (events.ts): about 0.3 writes a mail (three events a mail, ten a
 * batch), 3,000 writes/s at 10,000 mails/s, 375 a shard. The same write sharding as a campaign's
 * counters (campaign-parts.ts, COUNTER_SHARDS).
 */
export const REPUTATION_SHARDS = 8;

export const reputationShardKey = (bucket: string, shard: number) => `${bucket}#${shard}`;

/**
 * Deliverability state in one small table keyed by `pk`: soft-bounce histories per address
 * (`transient#<email>`), hourly bulk reputation buckets (`bulk#<hour>`, in REPUTATION_SHARDS items
 * each) and the reputation guard.
 * Items expire through the table's TTL (`expiresAt`).
 */
export class DynamoDeliverabilityStore implements TransientBounceCounter, ReputationStore {
  constructor(private readonly tableName: string) {}

  async record(email: string, eventKey: string, at: Date, windowMs: number): Promise<number> {
    // A string set: adding the same event twice (a duplicate SNS delivery) counts it once.
    const result = await dynamo.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: `transient#${email}` },
        UpdateExpression: 'ADD bounces :entry SET expiresAt = :expires',
        ExpressionAttributeValues: {
          ':entry': new Set([`${at.toISOString()}|${eventKey}`]),
          ':expires': Math.floor((at.getTime() + windowMs) / 1000),
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    const since = at.getTime() - windowMs;
    const entries = [...((result.Attributes?.bounces as Set<string> | undefined) ?? [])];
    return entries.filter((entry) => Date.parse(entry.split('|')[0] ?? '') > since).length;
  }

  /** Adds to one of the bucket's shards, chosen at random (`pick` for tests). */
  async add(
    bucket: string,
    delta: Partial<ReputationCounts>,
    pick: () => number = Math.random,
  ): Promise<void> {
    const parts = Object.entries(delta).filter(([, n]) => n);
    if (parts.length === 0) return;
    const shard = Math.min(REPUTATION_SHARDS - 1, Math.floor(pick() * REPUTATION_SHARDS));
    await dynamo.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: reputationShardKey(bucket, shard) },
        UpdateExpression: `ADD ${parts.map(([name]) => `#${name} :${name}`).join(', ')} SET expiresAt = :expires`,
        ExpressionAttributeNames: Object.fromEntries(parts.map(([name]) => [`#${name}`, name])),
        ExpressionAttributeValues: {
          ...Object.fromEntries(parts.map(([name, n]) => [`:${name}`, n])),
          ':expires': Math.floor(Date.now() / 1000) + BUCKET_TTL_SECONDS,
        },
      }),
    );
  }

  async total(buckets: string[]): Promise<ReputationCounts> {
    const totals: ReputationCounts = { sent: 0, bounced: 0, complained: 0 };
    const keys = buckets.flatMap((bucket) =>
      Array.from({ length: REPUTATION_SHARDS }, (_, n) => reputationShardKey(bucket, n)),
    );
    // Eventually consistent: a rate over 24 hours does not need the last second, and the guard's
    // read is 192 small items (96 read units; strongly consistent, 192).
    for (const item of await batchGetAll(this.tableName, 'pk', keys, { consistent: false })) {
      totals.sent += Number(item.sent ?? 0);
      totals.bounced += Number(item.bounced ?? 0);
      totals.complained += Number(item.complained ?? 0);
    }
    return totals;
  }

  async trip(reason: string, at: Date): Promise<boolean> {
    try {
      await dynamo.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: GUARD_KEY, paused: true, reason, at: at.toISOString() },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async guard(): Promise<{ paused: boolean; reason?: string; at?: string }> {
    const result = await dynamo.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: GUARD_KEY }, ConsistentRead: true }),
    );
    if (!result.Item) return { paused: false };
    return { paused: true, reason: String(result.Item.reason ?? ''), at: String(result.Item.at ?? '') };
  }

  async clear(): Promise<boolean> {
    const result = await dynamo.send(
      new DeleteCommand({ TableName: this.tableName, Key: { pk: GUARD_KEY }, ReturnValues: 'ALL_OLD' }),
    );
    return result.Attributes !== undefined;
  }
}
