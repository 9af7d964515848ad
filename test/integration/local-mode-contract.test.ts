import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse } from 'aws-lambda';
import { type Service, startService } from '../../bench/support/services';
import { FUNCTIONS } from '../../contract/functions';
import {
  DEFAULT_EVENTS_CONCURRENCY,
  type EventSourceContract,
  longestConsumerTimeoutSeconds,
  maxConcurrencyOf,
  QUEUE_NAMES,
  QUEUES,
  visibilityTimeoutSeconds,
} from '../../contract/queues';
import { projectionOf, TABLE_NAMES, TABLES, type TableContract } from '../../contract/tables';
import {
  type ConsumerHandlers,
  createEventSources,
  createQueues,
  createTables,
  LOCAL_TABLES,
  type LocalQueue,
  localName,
} from '../../local/resources';

/**
 * Local mode against the deployment contract, on the emulators `npm start` runs (dynalite and
 * fauxqs, each in a process of its own): its tables (as
 * dynalite describes them), its queues' redrive policies and its pollers are the ones the contract
 * declares, as the stack's are (test/infra/contract.test.ts). dynalite has no TTL, so TTLs are
 * the stack's alone.
 */

const services: Service[] = [];
let dynamo: DynamoDBClient;
let sqs: SQSClient;
let queues: Record<(typeof QUEUE_NAMES)[number], LocalQueue>;

beforeAll(async () => {
  const dynamoDb = await startService('dynamodb');
  services.push(dynamoDb);
  const sqsEmulator = await startService('sqs');
  services.push(sqsEmulator);
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  dynamo = new DynamoDBClient({ endpoint: dynamoDb.endpoint, region: 'us-east-1', credentials });
  sqs = new SQSClient({
    endpoint: sqsEmulator.endpoint,
    region: 'us-east-1',
    credentials,
    useQueueUrlAsEndpoint: false,
  });
  await createTables(dynamo);
  queues = await createQueues(sqs);
  // Starting two emulators can take longer than jest's 5 s hook default on a busy 2-core machine.
}, 60_000);

afterAll(async () => {
  for (const service of services.reverse()) await service.stop();
}, 30_000);

const keySchema = (partitionKey: string, sortKey?: string) => [
  { AttributeName: partitionKey, KeyType: 'HASH' },
  ...(sortKey === undefined ? [] : [{ AttributeName: sortKey, KeyType: 'RANGE' }]),
];

describe('local mode’s tables', () => {
  it.each(TABLE_NAMES)(
    'creates the %s table with the keys and indexes the contract declares',
    async (name) => {
      const contract: TableContract = TABLES[name];
      const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: LOCAL_TABLES[name].name }));

      expect(Table?.TableName).toBe(localName(name));
      expect(Table?.KeySchema).toEqual(keySchema(contract.partitionKey, contract.sortKey));
      expect(
        (Table?.GlobalSecondaryIndexes ?? []).map(({ IndexName, KeySchema, Projection }) => ({
          IndexName,
          KeySchema,
          Projection,
        })),
      ).toEqual(
        (contract.indexes ?? []).map((index) => ({
          IndexName: index.name,
          KeySchema: keySchema(index.partitionKey, index.sortKey),
          Projection: projectionOf(index),
        })),
      );
    },
  );

  it('names each table after its contract name, e.g. rateLedger as mailroom-rate-ledger', () => {
    expect(LOCAL_TABLES.rateLedger.name).toBe('mailroom-rate-ledger');
    expect(Object.keys(LOCAL_TABLES)).toEqual(TABLE_NAMES);
  });
});

describe('local mode’s queues', () => {
  it.each(QUEUE_NAMES)(
    'creates the %s queue with a DLQ after the contract’s receives, visible again as in the stack',
    async (name) => {
      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: queues[name].url, AttributeNames: ['All'] }),
      );
      const { QueueUrl: dlqUrl } = await sqs.send(
        new GetQueueUrlCommand({ QueueName: `${localName(name)}-dlq` }),
      );
      const { Attributes: dlq } = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }),
      );

      expect(JSON.parse(Attributes?.RedrivePolicy ?? '{}')).toEqual({
        deadLetterTargetArn: dlq?.QueueArn,
        maxReceiveCount: QUEUES[name].maxReceiveCount,
      });
      expect(Number(Attributes?.VisibilityTimeout)).toBe(
        visibilityTimeoutSeconds(longestConsumerTimeoutSeconds()),
      );
      expect(queues[name].dlqUrl).toBe(dlqUrl);
    },
  );
});

describe('local mode’s pollers (its event sources)', () => {
  const handler = (consumer: string) => {
    const handle = async (): Promise<SQSBatchResponse> => ({ batchItemFailures: [] });
    return Object.assign(handle, { consumer });
  };
  const handlers: ConsumerHandlers = {
    sender: handler('sender'),
    fanout: handler('fanout'),
    events: handler('events'),
    webhooks: handler('webhooks'),
  };
  // Local mode's one sender concurrency stands for both of the stack's sender settings.
  const senderConcurrency = 3;

  it.each(QUEUE_NAMES)(
    'polls the %s queue for its consumer with the contract’s batch size and concurrency',
    (name) => {
      const contract: EventSourceContract = QUEUES[name].eventSource;
      const sources = createEventSources({
        sqs,
        queues,
        handlers,
        senderConcurrency,
        region: 'us-east-1',
        onError: () => () => {},
      });
      const { options } = sources[name];

      expect(Object.keys(sources)).toEqual(QUEUE_NAMES);
      expect(options).toMatchObject({
        queueUrl: queues[name].url,
        queueArn: queues[name].arn,
        batchSize: contract.batchSize,
        maxConcurrency: maxConcurrencyOf(name, {
          senderConcurrency,
          bulkSenderConcurrency: senderConcurrency,
          eventsConcurrency: DEFAULT_EVENTS_CONCURRENCY,
        }),
        timeoutMs: FUNCTIONS[QUEUES[name].consumerFunction].timeoutSeconds * 1000,
      });
      expect(options.handler).toBe(handlers[QUEUES[name].consumerFunction]);
      // The poller always honours batchItemFailures, as every source of the contract asks.
      expect(contract.reportBatchItemFailures).toBe(true);
      expect(contract.maxBatchingWindowSeconds).toBeUndefined();
    },
  );
});
