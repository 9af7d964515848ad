import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../platform/clients/dynamo';
import { decodeCursor, encodeCursor } from '../../platform/page-cursor';
import type { StoredTemplate, TemplateRepository } from '../ports';

export class DynamoTemplateStore implements TemplateRepository {
  constructor(private readonly tableName: string) {}

  async get(name: string): Promise<StoredTemplate | undefined> {
    const result = await dynamo.send(
      new GetCommand({ TableName: this.tableName, Key: { name }, ConsistentRead: true }),
    );
    return result.Item as StoredTemplate | undefined;
  }

  async put(template: StoredTemplate): Promise<void> {
    await dynamo.send(new PutCommand({ TableName: this.tableName, Item: template }));
  }

  async delete(name: string): Promise<boolean> {
    try {
      await dynamo.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { name },
          ConditionExpression: 'attribute_exists(#n)',
          ExpressionAttributeNames: { '#n': 'name' },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async list(limit: number, cursor?: string): Promise<{ items: StoredTemplate[]; nextCursor?: string }> {
    const result = await dynamo.send(
      new ScanCommand({
        TableName: this.tableName,
        Limit: limit,
        ExclusiveStartKey: decodeCursor(cursor, ['name']),
      }),
    );
    const nextCursor = encodeCursor(result.LastEvaluatedKey);
    return { items: (result.Items ?? []) as StoredTemplate[], ...(nextCursor ? { nextCursor } : {}) };
  }
}
