import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../platform/clients/dynamo';
import type { IdempotencyClaim, IdempotencyStore, SubmitResponse } from '../ports';

const IDEMPOTENCY_WINDOW_SECONDS = 24 * 60 * 60;
/** An in-progress claim older than this belongs to a request that died; the API times out at 29 s. */
const ABANDONED_CLAIM_SECONDS = 60;

/**
 * Idempotency keys in DynamoDB. `expiresAt` is the table's TTL attribute; expiry is also checked on
 * every write, because TTL deletion lags (and dynalite has no TTL at all).
 */
export class DynamoIdempotencyStore implements IdempotencyStore {
  constructor(private readonly tableName: string) {}

  async claim(key: string, fingerprint: string, messageId: string, now: Date): Promise<IdempotencyClaim> {
    const nowSeconds = Math.floor(now.getTime() / 1000);
    try {
      await dynamo.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            key,
            fingerprint,
            messageId,
            state: 'in_progress',
            claimedAt: nowSeconds,
            expiresAt: nowSeconds + IDEMPOTENCY_WINDOW_SECONDS,
          },
          ConditionExpression: 'attribute_not_exists(#k) OR expiresAt < :now',
          ExpressionAttributeNames: { '#k': 'key' },
          ExpressionAttributeValues: { ':now': nowSeconds },
        }),
      );
      return { outcome: 'claimed', messageId };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    const existing = (
      await dynamo.send(new GetCommand({ TableName: this.tableName, Key: { key }, ConsistentRead: true }))
    ).Item;
    if (!existing) return this.claim(key, fingerprint, messageId, now);
    if (existing.fingerprint !== fingerprint) return { outcome: 'mismatch' };
    if (existing.state === 'complete')
      return { outcome: 'replay', response: existing.response as SubmitResponse };
    if (existing.claimedAt < nowSeconds - ABANDONED_CLAIM_SECONDS)
      return this.takeOver(key, existing, nowSeconds);
    return { outcome: 'in_progress' };
  }

  /** Takes over an abandoned claim, keeping its message id so no second message can come of it. */
  private async takeOver(
    key: string,
    existing: Record<string, unknown>,
    nowSeconds: number,
  ): Promise<IdempotencyClaim> {
    try {
      await dynamo.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { key },
          UpdateExpression: 'SET claimedAt = :now',
          ConditionExpression: '#state = :inProgress AND claimedAt = :seen',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':now': nowSeconds,
            ':inProgress': 'in_progress',
            ':seen': existing.claimedAt,
          },
        }),
      );
      return { outcome: 'claimed', messageId: String(existing.messageId) };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return { outcome: 'in_progress' };
      throw error;
    }
  }

  async complete(key: string, response: SubmitResponse): Promise<void> {
    await dynamo.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { key },
        UpdateExpression: 'SET #state = :complete, #response = :response',
        ExpressionAttributeNames: { '#state': 'state', '#response': 'response' },
        ExpressionAttributeValues: { ':complete': 'complete', ':response': response },
      }),
    );
  }

  async release(key: string): Promise<void> {
    await dynamo.send(new DeleteCommand({ TableName: this.tableName, Key: { key } }));
  }
}
