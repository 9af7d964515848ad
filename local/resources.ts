import {
  CreateTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';

interface LocalTable {
  name: string;
  key: string;
  sortKey?: string;
  /** Global secondary indexes keyed by one attribute, projecting everything. */
  indexes?: { name: string; key: string }[];
}

/** The tables and queues the stack creates in AWS, made the same way in local mode. */
export const LOCAL_TABLES = {
  messages: { name: 'mailroom-messages', key: 'id' },
  templates: { name: 'mailroom-templates', key: 'name' },
  suppressions: { name: 'mailroom-suppressions', key: 'email' },
  idempotency: { name: 'mailroom-idempotency', key: 'key' },
  campaigns: { name: 'mailroom-campaigns', key: 'id', indexes: [{ name: 'byStatus', key: 'status' }] },
  recipients: { name: 'mailroom-recipients', key: 'campaignId', sortKey: 'email' },
  rateLedger: { name: 'mailroom-rate-ledger', key: 'stream', sortKey: 'worker' },
} as const satisfies Record<string, LocalTable>;

/** As in the stack: a message received this often without success goes to the DLQ. */
export const MAX_RECEIVE_COUNT = 5;
/** As in the stack: six times the sender's 60 s timeout. */
export const VISIBILITY_TIMEOUT_SECONDS = 360;

export async function createTables(dynamo: DynamoDBClient): Promise<void> {
  for (const table of Object.values(LOCAL_TABLES) as LocalTable[]) {
    const attributes = [
      table.key,
      ...(table.sortKey ? [table.sortKey] : []),
      ...(table.indexes ?? []).map((i) => i.key),
    ];
    try {
      await dynamo.send(
        new CreateTableCommand({
          TableName: table.name,
          AttributeDefinitions: [...new Set(attributes)].map((name) => ({
            AttributeName: name,
            AttributeType: 'S',
          })),
          KeySchema: [
            { AttributeName: table.key, KeyType: 'HASH' },
            ...(table.sortKey ? [{ AttributeName: table.sortKey, KeyType: 'RANGE' as const }] : []),
          ],
          ...(table.indexes
            ? {
                GlobalSecondaryIndexes: table.indexes.map((index) => ({
                  IndexName: index.name,
                  KeySchema: [{ AttributeName: index.key, KeyType: 'HASH' as const }],
                  Projection: { ProjectionType: 'ALL' as const },
                })),
              }
            : {}),
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
    } catch (error) {
      // Kept from an earlier run (dynalite stores its data on disk).
      if (!(error instanceof ResourceInUseException)) throw error;
    }
    await waitUntilTableExists({ client: dynamo, maxWaitTime: 30, minDelay: 1 }, { TableName: table.name });
  }
}

export interface LocalQueue {
  url: string;
  arn: string;
  dlqUrl: string;
}

/** A queue with its DLQ and redrive policy, like the stack's. */
export async function createQueueWithDlq(sqs: SQSClient, name: string): Promise<LocalQueue> {
  const dlq = await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }));
  const dlqUrl = dlq.QueueUrl ?? '';
  const dlqArn = await queueArn(sqs, dlqUrl);
  const queue = await sqs.send(
    new CreateQueueCommand({
      QueueName: name,
      Attributes: {
        VisibilityTimeout: String(VISIBILITY_TIMEOUT_SECONDS),
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: MAX_RECEIVE_COUNT }),
      },
    }),
  );
  const url = queue.QueueUrl ?? '';
  return { url, arn: await queueArn(sqs, url), dlqUrl };
}

async function queueArn(sqs: SQSClient, url: string): Promise<string> {
  const attributes = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
  );
  return attributes.Attributes?.QueueArn ?? '';
}
