import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { CampaignRecipient, RecipientStatus } from '../domain/campaign';
import type { RecipientRepository } from '../domain/campaign-ports';
import { dynamo } from './aws-clients';
import { expression, inList, updateFrom } from './dynamo-updates';
import { decodeCursor, encodeCursor } from './page-cursor';

/** Writes in flight at once when adding recipients: fast, without a burst DynamoDB would throttle. */
const ADD_CONCURRENCY = 25;

/** Campaign recipients, keyed by (campaignId, normalized email): the same person can only be added once. */
export class DynamoRecipientStore implements RecipientRepository {
  constructor(private readonly tableName: string) {}

  async addNew(recipients: CampaignRecipient[]): Promise<Set<string>> {
    const added = new Set<string>();
    const queue = [...recipients];
    const worker = async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const recipient = next;
        try {
          await dynamo.send(
            new PutCommand({
              TableName: this.tableName,
              Item: recipient,
              ConditionExpression: 'attribute_not_exists(email)',
            }),
          );
          added.add(recipient.email);
        } catch (error) {
          if (!(error instanceof ConditionalCheckFailedException)) throw error;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(ADD_CONCURRENCY, recipients.length) }, worker));
    return added;
  }

  async get(campaignId: string, email: string): Promise<CampaignRecipient | undefined> {
    const result = await dynamo.send(
      new GetCommand({ TableName: this.tableName, Key: { campaignId, email }, ConsistentRead: true }),
    );
    return result.Item as CampaignRecipient | undefined;
  }

  async page(
    campaignId: string,
    limit: number,
    cursor?: string,
  ): Promise<{ items: CampaignRecipient[]; nextCursor?: string }> {
    const result = await dynamo.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'campaignId = :id',
        ExpressionAttributeValues: { ':id': campaignId },
        Limit: limit,
        ExclusiveStartKey: decodeCursor(cursor, ['campaignId', 'email']),
        ConsistentRead: true,
      }),
    );
    const nextCursor = encodeCursor(result.LastEvaluatedKey);
    return { items: (result.Items ?? []) as CampaignRecipient[], ...(nextCursor ? { nextCursor } : {}) };
  }

  async transition(
    campaignId: string,
    email: string,
    from: RecipientStatus[],
    to: RecipientStatus,
    changes: Partial<CampaignRecipient>,
  ): Promise<{ previous: CampaignRecipient } | undefined> {
    const update = updateFrom({ ...changes, status: to });
    const allowed = inList(from, 'from');
    try {
      const result = await dynamo.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { campaignId, email },
          UpdateExpression: expression(update.set, update.remove),
          ConditionExpression: `#status IN (${allowed.list})`,
          ExpressionAttributeNames: { ...update.names, '#status': 'status' },
          ExpressionAttributeValues: { ...update.values, ...allowed.values },
          ReturnValues: 'ALL_OLD',
        }),
      );
      return { previous: result.Attributes as CampaignRecipient };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }
}
