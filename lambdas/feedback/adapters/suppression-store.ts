import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { SUPPRESSIONS_BY_REASON } from '../../../contract/tables';
import { dynamo } from '../../platform/clients/dynamo';
import { batchGetAll } from '../../platform/dynamo-batch-get';
import { decodeCursor, encodeCursor, InvalidCursorError } from '../../platform/page-cursor';
import type { Stream } from '../../sending/outgoing-mail';
import type { SuppressionList } from '../ports';
import type { Suppression, SuppressionReason } from '../suppression';

/**
 * The suppression list in DynamoDB, keyed by normalized address. An entry with `scope: "bulk"`
 * (an unsubscribe) still lets transactional mail through; any other entry blocks both streams.
 */
export class DynamoSuppressionList implements SuppressionList, SuppressionList {
  constructor(private readonly tableName: string) {}

  async suppressedAmong(addresses: string[], stream: Stream): Promise<Set<string>> {
    const suppressed = new Set<string>();
    for (const item of await batchGetAll(this.tableName, 'email', addresses)) {
      const blocks = item.scope !== 'bulk' || stream === 'bulk';
      if (blocks && typeof item.email === 'string') suppressed.add(item.email);
    }
    return suppressed;
  }

  async get(email: string): Promise<Suppression | undefined> {
    const result = await dynamo.send(
      new GetCommand({ TableName: this.tableName, Key: { email }, ConsistentRead: true }),
    );
    return result.Item as Suppression | undefined;
  }

  async add(entry: Suppression): Promise<boolean> {
    try {
      await dynamo.send(
        new PutCommand({
          TableName: this.tableName,
          Item: entry,
          // Only where there is nothing, or only a bulk-only entry: a bounce outranks an unsubscribe.
          ConditionExpression: 'attribute_not_exists(email) OR (#scope = :bulk AND :scope = :all)',
          ExpressionAttributeNames: { '#scope': 'scope' },
          ExpressionAttributeValues: { ':bulk': 'bulk', ':all': 'all', ':scope': entry.scope },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async put(entry: Suppression): Promise<void> {
    await dynamo.send(new PutCommand({ TableName: this.tableName, Item: entry }));
  }

  async delete(email: string): Promise<boolean> {
    const result = await dynamo.send(
      new DeleteCommand({ TableName: this.tableName, Key: { email }, ReturnValues: 'ALL_OLD' }),
    );
    return result.Attributes !== undefined;
  }

  async list(
    reason: SuppressionReason | undefined,
    limit: number,
    cursor?: string,
  ): Promise<{ items: Suppression[]; nextCursor?: string }> {
    const result = reason
      ? await dynamo.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: SUPPRESSIONS_BY_REASON,
            KeyConditionExpression: 'reason = :reason',
            ExpressionAttributeValues: { ':reason': reason },
            Limit: limit,
            ExclusiveStartKey: cursorFor(reason, cursor),
          }),
        )
      : await dynamo.send(
          new ScanCommand({
            TableName: this.tableName,
            Limit: limit,
            ExclusiveStartKey: decodeCursor(cursor, ['email']),
          }),
        );
    const nextCursor = encodeCursor(result.LastEvaluatedKey);
    return { items: (result.Items ?? []) as Suppression[], ...(nextCursor ? { nextCursor } : {}) };
  }
}

/** A cursor from a listing by one reason only continues that listing. */
function cursorFor(
  reason: SuppressionReason,
  cursor: string | undefined,
): Record<string, unknown> | undefined {
  const key = decodeCursor(cursor, ['email', 'reason']);
  if (key && key.reason !== reason) throw new InvalidCursorError('cursor is not one this API returned');
  return key;
}
