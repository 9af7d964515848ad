import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from './clients/dynamo';

/** DynamoDB's most keys in one BatchGetItem. */
const BATCH_GET_LIMIT = 100;
/** Rounds of UnprocessedKeys before giving up: the SDK has already retried each call's throttles. */
const MAX_ROUNDS = 5;
/**
 * The wait before the first repeat of unprocessed keys, doubled each round (25, 50, 100, 200 ms,
 * with full jitter): keys come back unprocessed when the table or partition is throttled, and
 * AWS "strongly recommend[s]" exponential backoff before repeating them (BatchGetItem, API
 * reference, docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchGetItem.html);
 * repeated at once, all five rounds can land in the same throttled second.
 */
const FIRST_BACKOFF_MS = 25;

/**
 * The items of `tableName` whose single key attribute `keyName` is one of `values`, read with
 * strongly consistent reads (unless `consistent` is false: half the read units) in BatchGetItem
 * calls of up to 100 keys, each repeated for the keys that come back unprocessed. Missing items are
 * simply absent from the answer.
 */
export async function batchGetAll(
  tableName: string,
  keyName: string,
  values: readonly string[],
  options: { consistent?: boolean } = {},
): Promise<Record<string, unknown>[]> {
  const found: Record<string, unknown>[] = [];
  const unique = [...new Set(values)];
  for (let i = 0; i < unique.length; i += BATCH_GET_LIMIT) {
    let keys: Record<string, unknown>[] = unique
      .slice(i, i + BATCH_GET_LIMIT)
      .map((value) => ({ [keyName]: value }));
    for (let round = 0; keys.length > 0; round++) {
      if (round === MAX_ROUNDS) throw new Error(`${tableName}: keys kept coming back unprocessed`);
      if (round > 0) await sleep(Math.random() * FIRST_BACKOFF_MS * 2 ** (round - 1));
      const result = await dynamo.send(
        new BatchGetCommand({
          RequestItems: { [tableName]: { Keys: keys, ConsistentRead: options.consistent ?? true } },
        }),
      );
      found.push(...(result.Responses?.[tableName] ?? []));
      keys = result.UnprocessedKeys?.[tableName]?.Keys ?? [];
    }
  }
  return found;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
