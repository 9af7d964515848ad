import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import type { Stream } from '../domain/message';
import type { SuppressionList } from '../domain/ports';
import { dynamo } from './aws-clients';

const BATCH_GET_LIMIT = 100;
const MAX_ROUNDS = 5;

/**
 * The suppression list in DynamoDB, keyed by normalized address. An entry with `scope: "bulk"`
 * (an unsubscribe) still lets transactional mail through; any other entry blocks both streams.
 */
export class DynamoSuppressionList implements SuppressionList {
  constructor(private readonly tableName: string) {}

  async suppressedAmong(addresses: string[], stream: Stream): Promise<Set<string>> {
    const suppressed = new Set<string>();
    const unique = [...new Set(addresses)];
    for (let i = 0; i < unique.length; i += BATCH_GET_LIMIT) {
      let keys: Record<string, unknown>[] = unique.slice(i, i + BATCH_GET_LIMIT).map((email) => ({ email }));
      for (let round = 0; keys.length > 0; round++) {
        if (round === MAX_ROUNDS) throw new Error('suppression lookup kept coming back unprocessed');
        const result = await dynamo.send(
          new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys, ConsistentRead: true } } }),
        );
        for (const item of result.Responses?.[this.tableName] ?? []) {
          const blocks = item.scope !== 'bulk' || stream === 'bulk';
          if (blocks && typeof item.email === 'string') suppressed.add(item.email);
        }
        keys = result.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
      }
    }
    return suppressed;
  }
}
