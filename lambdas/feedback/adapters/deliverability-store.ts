import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../platform/clients/dynamo';
import type { ReputationCounts, ReputationStore, TransientBounceCounter } from '../ports';

const GUARD_KEY = 'guard#bulk';
const BUCKET_TTL_SECONDS = 3 * 24 * 3600;

/**
 * Deliverability state in one small table keyed by `pk`: soft-bounce histories per address
 * (`transient#<email>`), hourly bulk reputation buckets (`bulk#<hour>`) and the reputation guard.
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

  async add(bucket: string, delta: Partial<ReputationCounts>): Promise<void> {
    const parts = Object.entries(delta).filter(([, n]) => n);
    if (parts.length === 0) return;
    await dynamo.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: bucket },
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
    if (buckets.length === 0) return totals;
    const result = await dynamo.send(
      new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: buckets.map((pk) => ({ pk })) } } }),
    );
    for (const item of result.Responses?.[this.tableName] ?? []) {
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
