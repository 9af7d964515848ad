import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  UpdateTableCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { CreateTopicCommand, type SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';

interface LocalTable {
  name: string;
  key: string;
  sortKey?: string;
  /** Global secondary indexes, projecting everything. */
  indexes?: { name: string; key: string; sortKey?: string }[];
}

/** The tables and queues the stack creates in AWS, made the same way in local mode. */
export const LOCAL_TABLES = {
  messages: { name: 'mailroom-messages', key: 'id' },
  templates: { name: 'mailroom-templates', key: 'name' },
  suppressions: {
    name: 'mailroom-suppressions',
    key: 'email',
    indexes: [{ name: 'byReason', key: 'reason', sortKey: 'email' }],
  },
  idempotency: { name: 'mailroom-idempotency', key: 'key' },
  campaigns: { name: 'mailroom-campaigns', key: 'id', indexes: [{ name: 'byStatus', key: 'status' }] },
  recipients: { name: 'mailroom-recipients', key: 'campaignId', sortKey: 'email' },
  rateLedger: { name: 'mailroom-rate-ledger', key: 'stream', sortKey: 'worker' },
  deliverability: { name: 'mailroom-deliverability', key: 'pk' },
} as const satisfies Record<string, LocalTable>;

/** As in the stack: a message received this often without success goes to the DLQ. */
export const MAX_RECEIVE_COUNT = 5;
/** As in the stack: six times the sender's 60 s timeout (tests shorten it to see redrives quickly). */
export const VISIBILITY_TIMEOUT_SECONDS = Number(process.env.MAILROOM_VISIBILITY_TIMEOUT_SECONDS ?? 360);

type KeyElement = { AttributeName: string; KeyType: 'HASH' | 'RANGE' };
type IndexDefinition = { IndexName: string; KeySchema: KeyElement[]; Projection: { ProjectionType: 'ALL' } };

const keySchema = (key: string, sortKey?: string): KeyElement[] => [
  { AttributeName: key, KeyType: 'HASH' },
  ...(sortKey ? [{ AttributeName: sortKey, KeyType: 'RANGE' as const }] : []),
];

export async function createTables(dynamo: DynamoDBClient): Promise<void> {
  for (const table of Object.values(LOCAL_TABLES) as LocalTable[]) {
    const indexes: IndexDefinition[] = (table.indexes ?? []).map((index) => ({
      IndexName: index.name,
      KeySchema: keySchema(index.key, index.sortKey),
      Projection: { ProjectionType: 'ALL' },
    }));
    const names = [table.key, table.sortKey, ...(table.indexes ?? []).flatMap((i) => [i.key, i.sortKey])];
    const definitions = [...new Set(names.filter((n): n is string => n !== undefined))].map((name) => ({
      AttributeName: name,
      AttributeType: 'S' as const,
    }));
    try {
      await dynamo.send(
        new CreateTableCommand({
          TableName: table.name,
          AttributeDefinitions: definitions,
          KeySchema: keySchema(table.key, table.sortKey),
          ...(indexes.length > 0 ? { GlobalSecondaryIndexes: indexes } : {}),
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
    } catch (error) {
      // Kept from an earlier run (dynalite stores its data on disk): add any index it predates.
      if (!(error instanceof ResourceInUseException)) throw error;
      await addMissingIndexes(dynamo, table.name, definitions, indexes);
    }
    await waitUntilTableExists({ client: dynamo, maxWaitTime: 30, minDelay: 1 }, { TableName: table.name });
  }
}

async function addMissingIndexes(
  dynamo: DynamoDBClient,
  tableName: string,
  definitions: { AttributeName: string; AttributeType: 'S' }[],
  indexes: IndexDefinition[],
): Promise<void> {
  const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: tableName }));
  const existing = new Set((Table?.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName));
  for (const index of indexes.filter((i) => !existing.has(i.IndexName))) {
    await dynamo.send(
      new UpdateTableCommand({
        TableName: tableName,
        AttributeDefinitions: definitions,
        GlobalSecondaryIndexUpdates: [{ Create: index }],
      }),
    );
  }
}

export interface LocalQueue {
  url: string;
  arn: string;
  dlqUrl: string;
}

/** A queue with its DLQ and redrive policy, like the stack's. */
export async function createQueueWithDlq(
  sqs: SQSClient,
  name: string,
  maxReceiveCount = MAX_RECEIVE_COUNT,
): Promise<LocalQueue> {
  const dlq = await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }));
  const dlqUrl = dlq.QueueUrl ?? '';
  const dlqArn = await queueArn(sqs, dlqUrl);
  const queue = await sqs.send(
    new CreateQueueCommand({
      QueueName: name,
      Attributes: {
        VisibilityTimeout: String(VISIBILITY_TIMEOUT_SECONDS),
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount }),
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

export async function createTopic(sns: SNSClient, name: string): Promise<string> {
  const topic = await sns.send(new CreateTopicCommand({ Name: name }));
  return topic.TopicArn ?? '';
}

/** An SQS queue subscribed to a topic, as the stack wires the SES events topic to the events queue. */
export async function subscribeQueue(sns: SNSClient, topicArn: string, queueArn: string): Promise<void> {
  await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: queueArn }));
}
