import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../platform/clients/dynamo';
import { expression, inList, updateFrom } from '../../platform/dynamo-updates';
import { decodeCursor, encodeCursor } from '../../platform/page-cursor';
import type { CampaignRecipient, RecipientStatus } from '../campaign';
import type { AddOutcome, AddRecipientsOptions, RecipientRepository } from '../ports';

/**
 * Writes in flight at once when adding recipients. Every row of a campaign shares one partition key,
 * and one partition takes about 1,000 WCU/s: at ~10 ms a write, 8 writers stay under it where 25
 * overshot it and were throttled (issue 11 review, S3).
 */
const ADD_CONCURRENCY = 8;
/** Dead uploads named in one adoption condition (DynamoDB allows 100 operands in an IN list). */
const ADOPT_MAX = 50;

/** Campaign recipients, keyed by (campaignId, normalized email): the same person can only be added once. */
export class DynamoRecipientStore implements RecipientRepository {
  constructor(private readonly tableName: string) {}

  async addNew(recipients: CampaignRecipient[], options: AddRecipientsOptions = {}): Promise<AddOutcome> {
    const added = new Set<string>();
    const adopted = new Map<string, number>();
    const queue = [...recipients];
    const now = options.now ?? Date.now;
    const adopt = inList((options.adoptFrom ?? []).slice(-ADOPT_MAX), 'dead');
    // A row a dead upload wrote and never counted is still pending: taking it over (a conditional
    // put naming the dead upload) counts it exactly once, however many retries race for it.
    const condition =
      adopt.list === ''
        ? 'attribute_not_exists(email)'
        : `attribute_not_exists(email) OR (#status = :pending AND uploadId IN (${adopt.list}))`;
    let error: unknown;
    const worker = async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        if (error !== undefined || (options.writeUntil !== undefined && now() > options.writeUntil)) {
          queue.unshift(next);
          return;
        }
        const recipient = next;
        try {
          const put = await dynamo.send(
            new PutCommand({
              TableName: this.tableName,
              Item: recipient,
              ConditionExpression: condition,
              // The row it replaced, if any: whose rows we adopted, so the release counts them right.
              ReturnValues: 'ALL_OLD',
              ...(adopt.list === ''
                ? {}
                : {
                    ExpressionAttributeNames: { '#status': 'status' },
                    ExpressionAttributeValues: { ...adopt.values, ':pending': 'pending' },
                  }),
            }),
          );
          added.add(recipient.email);
          const previous = (put.Attributes as CampaignRecipient | undefined)?.uploadId;
          if (previous !== undefined) adopted.set(previous, (adopted.get(previous) ?? 0) + 1);
        } catch (failure) {
          if (failure instanceof ConditionalCheckFailedException) continue;
          // Not this row's fault (rows are checked before writing): stop, and report what was written.
          error ??= failure;
          queue.unshift(recipient);
          return;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(ADD_CONCURRENCY, recipients.length) }, worker));
    return { added, adopted, unwritten: queue.length, ...(error === undefined ? {} : { error }) };
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
