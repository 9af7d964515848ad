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
import { FUNCTIONS } from '../contract/functions';
import {
  DEFAULT_EVENTS_CONCURRENCY,
  longestConsumerTimeoutSeconds,
  maxConcurrencyOf,
  QUEUE_NAMES,
  QUEUES,
  type QueueName,
  visibilityTimeoutSeconds,
} from '../contract/queues';
import { projectionOf, TABLE_NAMES, TABLES, type TableContract, type TableName } from '../contract/tables';
import { SqsEventSource, type SqsHandler } from './sqs-event-source';

/**
 * A contract name as local mode names the resource: `rateLedger` → `mailroom-rate-ledger`,
 * `transactional` → `mailroom-transactional`.
 */
export function localName(name: TableName | QueueName): string {
  return `mailroom-${name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
}

/**
 * Every table of the contract (contract/tables.ts) with its local name, e.g.
 * `LOCAL_TABLES.rateLedger.name` is `mailroom-rate-ledger`.
 */
export const LOCAL_TABLES = Object.fromEntries(
  TABLE_NAMES.map((table) => [table, { name: localName(table), ...(TABLES[table] as TableContract) }]),
) as { readonly [T in TableName]: TableContract & { readonly name: string } };

/** As in the stack (contract/queues.ts), unless tests shorten it to see redrives quickly. */
export const VISIBILITY_TIMEOUT_SECONDS = Number(
  process.env.MAILROOM_VISIBILITY_TIMEOUT_SECONDS ??
    visibilityTimeoutSeconds(longestConsumerTimeoutSeconds()),
);

type KeyElement = { AttributeName: string; KeyType: 'HASH' | 'RANGE' };
type IndexDefinition = {
  IndexName: string;
  KeySchema: KeyElement[];
  Projection: ReturnType<typeof projectionOf>;
};

const keySchema = (key: string, sortKey?: string): KeyElement[] => [
  { AttributeName: key, KeyType: 'HASH' },
  ...(sortKey ? [{ AttributeName: sortKey, KeyType: 'RANGE' as const }] : []),
];

/**
 * Every table of the contract, keyed and indexed as the stack keys it. (dynalite has no TTL: items
 * past `expiresAt` stay until the code that reads them ignores or replaces them.)
 */
export async function createTables(dynamo: DynamoDBClient): Promise<void> {
  for (const table of Object.values(LOCAL_TABLES)) {
    const indexes: IndexDefinition[] = (table.indexes ?? []).map((index) => ({
      IndexName: index.name,
      KeySchema: keySchema(index.partitionKey, index.sortKey),
      Projection: projectionOf(index),
    }));
    const names = [
      table.partitionKey,
      table.sortKey,
      ...(table.indexes ?? []).flatMap((i) => [i.partitionKey, i.sortKey]),
    ];
    const definitions = [...new Set(names.filter((n): n is string => n !== undefined))].map((name) => ({
      AttributeName: name,
      AttributeType: 'S' as const,
    }));
    try {
      await dynamo.send(
        new CreateTableCommand({
          TableName: table.name,
          AttributeDefinitions: definitions,
          KeySchema: keySchema(table.partitionKey, table.sortKey),
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

/** Every queue of the contract (contract/queues.ts), each with its DLQ and redrive policy. */
export async function createQueues(sqs: SQSClient): Promise<Record<QueueName, LocalQueue>> {
  const queues: Partial<Record<QueueName, LocalQueue>> = {};
  for (const name of QUEUE_NAMES) {
    queues[name] = await createQueueWithDlq(sqs, localName(name), QUEUES[name].maxReceiveCount);
  }
  return queues as Record<QueueName, LocalQueue>;
}

/**
 * The settings of the poller that stands in for a queue's event source: the contract's batch size
 * and maximum concurrency, local mode's one sender concurrency standing for both sender settings
 * (senderConcurrency and bulkSenderConcurrency).
 */
export function localEventSource(
  name: QueueName,
  senderConcurrency: number,
): { batchSize: number; maxConcurrency: number } {
  return {
    batchSize: QUEUES[name].eventSource.batchSize,
    maxConcurrency: maxConcurrencyOf(name, {
      senderConcurrency,
      bulkSenderConcurrency: senderConcurrency,
      eventsConcurrency: DEFAULT_EVENTS_CONCURRENCY,
    }),
  };
}

/** The functions that drain the queues, as local mode hosts them. */
export type ConsumerHandlers = Record<(typeof QUEUES)[QueueName]['consumerFunction'], SqsHandler>;

export interface LocalEventSourceOptions {
  sqs: SQSClient;
  queues: Record<QueueName, LocalQueue>;
  handlers: ConsumerHandlers;
  /** Local mode's sender concurrency: it stands for both senderConcurrency and bulkSenderConcurrency. */
  senderConcurrency: number;
  region: string;
  onError: (name: string) => (error: unknown) => void;
}

/**
 * One poller per queue in place of Lambda's event source mapping (not started), each with the
 * contract's batch size and maximum concurrency (see {@link localEventSource}) and invoking the
 * queue's consumer function.
 */
export function createEventSources(options: LocalEventSourceOptions): Record<QueueName, SqsEventSource> {
  const sources: Partial<Record<QueueName, SqsEventSource>> = {};
  for (const name of QUEUE_NAMES) {
    const { consumerFunction } = QUEUES[name];
    // `sender (transactional)`, `sender (bulk)`, `fanout`, `events`.
    const label = consumerFunction === name ? name : `${consumerFunction} (${name})`;
    sources[name] = new SqsEventSource({
      sqs: options.sqs,
      queueUrl: options.queues[name].url,
      queueArn: options.queues[name].arn,
      handler: options.handlers[consumerFunction],
      functionName: `mailroom-${label}`,
      ...localEventSource(name, options.senderConcurrency),
      // What getRemainingTimeInMillis counts down from: the consumer's timeout in AWS.
      timeoutMs: FUNCTIONS[consumerFunction].timeoutSeconds * 1000,
      region: options.region,
      onError: options.onError(label),
    });
  }
  return sources as Record<QueueName, SqsEventSource>;
}

/** A queue with its DLQ and a redrive policy after `maxReceiveCount` receives, like the stack's. */
export async function createQueueWithDlq(
  sqs: SQSClient,
  name: string,
  maxReceiveCount: number,
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
