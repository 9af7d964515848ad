import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../platform/clients/dynamo';
import type { Failure } from '../../sending/ports';
import type { StoredMessage } from '../message';
import type { ClaimResult, MessageClaims, MessageRepository } from '../ports';

/** Messages in DynamoDB, keyed by id. Every status change is a conditional write. */
export class DynamoMessageStore implements MessageRepository, MessageClaims {
  constructor(private readonly tableName: string) {}

  async create(message: StoredMessage): Promise<boolean> {
    try {
      await dynamo.send(
        new PutCommand({
          TableName: this.tableName,
          Item: message,
          ConditionExpression: 'attribute_not_exists(id)',
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async get(id: string): Promise<StoredMessage | undefined> {
    const result = await dynamo.send(
      new GetCommand({ TableName: this.tableName, Key: { id }, ConsistentRead: true }),
    );
    return result.Item as StoredMessage | undefined;
  }

  async delete(id: string): Promise<void> {
    await dynamo.send(new DeleteCommand({ TableName: this.tableName, Key: { id } }));
  }

  async claim(id: string, now: Date): Promise<ClaimResult> {
    const at = now.toISOString();
    try {
      const result = await dynamo.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { id },
          UpdateExpression:
            'SET #status = :sending, claimedAt = :at, updatedAt = :at, attempts = attempts + :one, history = list_append(history, :event)',
          ConditionExpression: '#status = :queued',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':sending': 'sending',
            ':queued': 'queued',
            ':at': at,
            ':one': 1,
            ':event': [{ type: 'sending', at }],
          },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { claimed: true, message: result.Attributes as StoredMessage };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        // dynalite ignores ReturnValuesOnConditionCheckFailure, so read the item when it is absent.
        const current = (error.Item as StoredMessage | undefined) ?? (await this.get(id));
        return current ? { claimed: false, current } : { claimed: false };
      }
      throw error;
    }
  }

  async markSent(id: string, sesMessageId: string, now: Date): Promise<void> {
    const at = now.toISOString();
    await this.transitionFromSending(id, {
      set: '#status = :to, sentAt = :at, sesMessageId = :ses',
      values: {
        ':to': 'sent',
        ':at': at,
        ':ses': sesMessageId,
        ':event': [{ type: 'sent', at, detail: sesMessageId }],
      },
    });
  }

  async markFailed(id: string, failure: Failure, now: Date, expectedClaimedAt?: string): Promise<void> {
    const at = now.toISOString();
    await this.transitionFromSending(id, {
      set: '#status = :to, failedAt = :at, failure = :failure',
      values: {
        ':to': 'failed',
        ':at': at,
        ':failure': failure,
        ':event': [{ type: 'failed', at, detail: `${failure.code}: ${failure.message}` }],
      },
      expectedClaimedAt,
    });
  }

  async release(id: string, event: string, now: Date): Promise<void> {
    const at = now.toISOString();
    await this.transitionFromSending(id, {
      set: '#status = :to',
      remove: 'claimedAt',
      values: { ':to': 'queued', ':at': at, ':event': [{ type: event, at }] },
    });
  }

  /** Only the holder of the claim moves a message on from `sending`. */
  private async transitionFromSending(
    id: string,
    change: { set: string; remove?: string; values: Record<string, unknown>; expectedClaimedAt?: string },
  ): Promise<void> {
    const claimCheck =
      change.expectedClaimedAt === undefined ? {} : { ':claimedAt': change.expectedClaimedAt };
    await dynamo.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { id },
        UpdateExpression:
          `SET ${change.set}, updatedAt = :at, history = list_append(history, :event)` +
          (change.remove ? ` REMOVE ${change.remove}` : ''),
        ConditionExpression:
          change.expectedClaimedAt === undefined
            ? '#status = :from'
            : '#status = :from AND claimedAt = :claimedAt',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ...change.values, ':from': 'sending', ...claimCheck },
      }),
    );
  }
}
