import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { RateLedger } from '../../campaigns/ports';
import { dynamo } from '../../platform/clients/dynamo';
import type { Stream } from '../outgoing-mail';

/** A sender that has not reported for this long has stopped sending. */
const REPORT_FRESH_MS = 10_000;

/**
 * Each sender container writes how fast it is sending (one item per container, at most every few
 * seconds); the API shows a campaign's current rate from it and the fan-out times its
 * continuations by it. A few writes a second at most, whatever the mail volume. (Pacing itself is
 * the shared send schedule, `send-schedule.ts`, kept in the same table.)
 */
export class DynamoRateLedger implements RateLedger {
  constructor(private readonly tableName: string) {}

  async report(stream: Stream, worker: string, perSecond: number, now: Date): Promise<void> {
    await dynamo.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          stream,
          worker,
          perSecond,
          at: now.getTime(),
          expiresAt: Math.floor(now.getTime() / 1000) + 3600,
        },
      }),
    );
  }

  async current(stream: Stream, now: Date): Promise<number> {
    const result = await dynamo.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: '#stream = :stream',
        FilterExpression: '#at > :fresh',
        // Both are DynamoDB reserved words.
        ExpressionAttributeNames: { '#stream': 'stream', '#at': 'at' },
        ExpressionAttributeValues: { ':stream': stream, ':fresh': now.getTime() - REPORT_FRESH_MS },
      }),
    );
    return (result.Items ?? []).reduce((sum, item) => sum + Number(item.perSecond ?? 0), 0);
  }
}
