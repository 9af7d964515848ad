import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../lambdas/shared/adapters/aws-clients';
import { DynamoRateLedger, REPORT_FRESH_MS } from '../../lambdas/shared/adapters/rate-ledger';
import type { Stream } from '../../lambdas/shared/domain/message';

/**
 * BENCH-ONLY SHIM for finding 1 (README "Performance"): `DynamoRateLedger.current` queries with
 * `KeyConditionExpression: 'stream = :stream'`, and `stream` is a DynamoDB reserved word, so every
 * call fails (dynalite refuses it as DynamoDB does). The fan-out chain then dies after each link of
 * 1,000 recipients and the tick restarts it minutes later, which makes a fan-out figure meaningless.
 * Runs that say "ledger fixed" replace the method in their own process with the same query using an
 * attribute-name alias — the one-line fix proposed in the report. Production code is unchanged.
 */
export function fixRateLedgerQuery(): void {
  DynamoRateLedger.prototype.current = async function current(stream: Stream, now: Date) {
    const tableName = (this as unknown as { tableName: string }).tableName;
    const result = await dynamo.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: '#stream = :stream',
        FilterExpression: '#at > :fresh',
        ExpressionAttributeNames: { '#at': 'at', '#stream': 'stream' },
        ExpressionAttributeValues: { ':stream': stream, ':fresh': now.getTime() - REPORT_FRESH_MS },
      }),
    );
    return (result.Items ?? []).reduce((sum, item) => sum + Number(item.perSecond ?? 0), 0);
  };
}
