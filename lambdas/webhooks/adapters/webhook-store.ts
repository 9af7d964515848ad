import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../platform/clients/dynamo';
import { decodeCursor, encodeCursor } from '../../platform/page-cursor';
import { DELIVERY_RETENTION_DAYS } from '../deliver';
import type { DeliveryLog, WebhookRegistry } from '../ports';
import type { DeliveryAttempt, StoredWebhook } from '../webhook-schemas';

/**
 * The registry item: every webhook is a map attribute `w_<id>` of one item, with a `count` beside
 * them. Create adds one and increments the count in one conditional UpdateItem (`count < max`), so
 * 25 concurrent creates make exactly 20 (dynalite has no transactions, and a counter apart from
 * the webhooks could drift from them on a crash between two writes). 20 webhooks are a few KB of
 * the item's 400 KB, and each event reads them all with one GetItem.
 */
const REGISTRY = { pk: 'webhooks', sk: 'registry' } as const;
const PREFIX = 'w_';

const isConditionFailure = (error: unknown) => error instanceof ConditionalCheckFailedException;

export class DynamoWebhookStore implements WebhookRegistry, DeliveryLog {
  constructor(private readonly tableName: string) {}

  async create(webhook: StoredWebhook, max: number): Promise<boolean> {
    try {
      await dynamo.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: REGISTRY,
          UpdateExpression: 'SET #w = :webhook ADD #count :one',
          ConditionExpression: '(attribute_not_exists(#count) OR #count < :max) AND attribute_not_exists(#w)',
          ExpressionAttributeNames: { '#w': PREFIX + webhook.id, '#count': 'count' },
          ExpressionAttributeValues: { ':webhook': webhook, ':one': 1, ':max': max },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async get(id: string): Promise<StoredWebhook | undefined> {
    const result = await dynamo.send(
      new GetCommand({
        TableName: this.tableName,
        Key: REGISTRY,
        ProjectionExpression: '#w',
        ExpressionAttributeNames: { '#w': PREFIX + id },
        ConsistentRead: true,
      }),
    );
    return result.Item?.[PREFIX + id] as StoredWebhook | undefined;
  }

  async list(): Promise<StoredWebhook[]> {
    const result = await dynamo.send(
      new GetCommand({ TableName: this.tableName, Key: REGISTRY, ConsistentRead: true }),
    );
    return Object.entries(result.Item ?? {})
      .filter(([name]) => name.startsWith(PREFIX))
      .map(([, webhook]) => webhook as StoredWebhook)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }

  async delete(id: string): Promise<boolean> {
    try {
      await dynamo.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: REGISTRY,
          UpdateExpression: 'REMOVE #w ADD #count :minusOne',
          ConditionExpression: 'attribute_exists(#w)',
          ExpressionAttributeNames: { '#w': PREFIX + id, '#count': 'count' },
          ExpressionAttributeValues: { ':minusOne': -1 },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async disable(
    id: string,
    reason: string,
    at: Date,
    failingSince: Date,
  ): Promise<StoredWebhook | undefined> {
    return this.update(id, {
      UpdateExpression: 'SET #w.#status = :disabled, #w.#at = :at, #w.#reason = :reason',
      // Not when it answered 2xx since this delivery began: a flaky endpoint is not a dead one.
      ConditionExpression:
        'attribute_exists(#w) AND #w.#status = :enabled AND (attribute_not_exists(#w.#ok) OR #w.#ok < :since)',
      ExpressionAttributeNames: {
        '#status': 'status',
        '#at': 'disabledAt',
        '#reason': 'disabledReason',
        '#ok': 'lastSuccessAt',
      },
      ExpressionAttributeValues: {
        ':disabled': 'disabled',
        ':enabled': 'enabled',
        ':at': at.toISOString(),
        ':reason': reason,
        ':since': failingSince.toISOString(),
      },
    });
  }

  async enable(id: string): Promise<StoredWebhook | undefined> {
    return this.update(id, {
      UpdateExpression: 'SET #w.#status = :enabled REMOVE #w.#at, #w.#reason',
      ConditionExpression: 'attribute_exists(#w)',
      ExpressionAttributeNames: { '#status': 'status', '#at': 'disabledAt', '#reason': 'disabledReason' },
      ExpressionAttributeValues: { ':enabled': 'enabled' },
    });
  }

  async succeeded(id: string, at: Date): Promise<void> {
    await this.update(id, {
      UpdateExpression: 'SET #w.#ok = :at',
      ConditionExpression: 'attribute_exists(#w)',
      ExpressionAttributeNames: { '#ok': 'lastSuccessAt' },
      ExpressionAttributeValues: { ':at': at.toISOString() },
    });
  }

  /** A conditional update of webhook `id`'s map; resolves to it afterwards, or undefined if the condition failed. */
  private async update(
    id: string,
    expression: {
      UpdateExpression: string;
      ConditionExpression: string;
      ExpressionAttributeNames: Record<string, string>;
      ExpressionAttributeValues: Record<string, unknown>;
    },
  ): Promise<StoredWebhook | undefined> {
    try {
      const result = await dynamo.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: REGISTRY,
          ...expression,
          ExpressionAttributeNames: { ...expression.ExpressionAttributeNames, '#w': PREFIX + id },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return result.Attributes?.[PREFIX + id] as StoredWebhook | undefined;
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }

  async record(webhookId: string, attempt: DeliveryAttempt): Promise<void> {
    await dynamo.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: deliveriesKey(webhookId),
          // Newest first when read backwards; the message and attempt keep two attempts in one ms apart.
          sk: `${attempt.attemptedAt}#${attempt.messageId}#${String(attempt.attempt).padStart(3, '0')}`,
          ...attempt,
          expiresAt: Math.floor(Date.parse(attempt.attemptedAt) / 1000) + DELIVERY_RETENTION_DAYS * 86_400,
        },
      }),
    );
  }

  async listDeliveries(
    webhookId: string,
    limit: number,
    cursor?: string,
  ): Promise<{ items: DeliveryAttempt[]; nextCursor?: string }> {
    const start = decodeCursor(cursor, ['sk']);
    const result = await dynamo.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': deliveriesKey(webhookId) },
        ScanIndexForward: false,
        Limit: limit,
        ...(start ? { ExclusiveStartKey: { pk: deliveriesKey(webhookId), ...start } } : {}),
      }),
    );
    const items = (result.Items ?? []).map(
      ({ pk: _pk, sk: _sk, expiresAt: _expiresAt, ...attempt }) => attempt as DeliveryAttempt,
    );
    const last = result.LastEvaluatedKey;
    const nextCursor = last ? encodeCursor({ sk: last.sk }) : undefined;
    return { items, ...(nextCursor ? { nextCursor } : {}) };
  }
}

const deliveriesKey = (webhookId: string) => `deliveries#${webhookId}`;
