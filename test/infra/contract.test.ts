import { Template } from 'aws-cdk-lib/assertions';
import { FUNCTIONS, type FunctionName } from '../../contract/functions';
import {
  type EventSourceContract,
  maxConcurrencyOf,
  QUEUE_NAMES,
  QUEUES,
  type QueueName,
  visibilityTimeoutSeconds,
} from '../../contract/queues';
import { projectionOf, TABLE_NAMES, TABLES, type TableContract, type TableName } from '../../contract/tables';
import type { MailroomFunction } from '../../lib/constructs/mailroom-function';
import type { MailroomStack } from '../../lib/mailroom-stack';
import { exampleConfig, type SynthesizedApp, synthesizeMailroom, writeConfigs } from './support/app';
import { type Resources, templateOf } from './support/template';

/**
 * The stack against the deployment contract (contract/tables.ts, contract/queues.ts): every table,
 * index, TTL, queue, receive limit and event source mapping is the one the contract declares, and
 * there is nothing the contract does not declare. Local mode builds from the same contract
 * (test/integration/local-mode-contract.test.ts), so the two cannot drift apart.
 */

// Two different sender concurrencies, so a source that read the wrong setting fails.
const SETTINGS = { senderConcurrency: 4, bulkSenderConcurrency: 3, eventsConcurrency: 5 };

let synthesized: SynthesizedApp;
let stack: MailroomStack;
let template: Template;
let helpers: ReturnType<typeof templateOf>;

beforeAll(() => {
  const written = writeConfigs({ example: { ...exampleConfig(), ...SETTINGS } });
  try {
    synthesized = synthesizeMailroom(written.paths, { bundle: false });
  } finally {
    written.cleanup();
  }
  const [first] = synthesized.stacks;
  if (first === undefined) throw new Error('the example app produced no stack');
  stack = first;
  template = Template.fromStack(stack);
  helpers = templateOf(stack, template);
});

afterAll(() => synthesized.cleanup());

const keySchema = (partitionKey: string, sortKey?: string) => [
  { AttributeName: partitionKey, KeyType: 'HASH' },
  ...(sortKey === undefined ? [] : [{ AttributeName: sortKey, KeyType: 'RANGE' }]),
];

/** The longest timeout of the functions that drain the queues, as the template has it. */
function longestConsumerTimeout(): number {
  return Math.max(
    ...QUEUE_NAMES.map((name) => helpers.resourceOf(consumer(name).lambda).Properties?.Timeout as number),
  );
}

/** Each function of the contract as the stack builds it. */
function functionsByName(): Record<FunctionName, MailroomFunction> {
  return {
    api: stack.api.function,
    sender: stack.sender.function,
    fanout: stack.campaigns.fanout,
    scheduler: stack.campaigns.scheduler,
    events: stack.feedback.function,
    webhooks: stack.webhooks.function,
  };
}

/** The function each queue's consumer (a key of contract/functions.ts) is in the stack. */
function consumer(name: QueueName): MailroomFunction {
  return functionsByName()[QUEUES[name].consumerFunction];
}

describe('tables', () => {
  it.each(TABLE_NAMES)('builds the %s table with the keys, indexes and TTL the contract declares', (name) => {
    const contract: TableContract = TABLES[name];
    const properties = helpers.resourceOf(stack.storage.tables[name]).Properties ?? {};

    expect(properties.KeySchema).toEqual(keySchema(contract.partitionKey, contract.sortKey));
    expect(properties.GlobalSecondaryIndexes ?? []).toEqual(
      (contract.indexes ?? []).map((index) => ({
        IndexName: index.name,
        KeySchema: keySchema(index.partitionKey, index.sortKey),
        Projection: projectionOf(index),
      })),
    );
    expect(properties.TimeToLiveSpecification).toEqual(
      contract.timeToLiveAttribute === undefined
        ? undefined
        : { AttributeName: contract.timeToLiveAttribute, Enabled: true },
    );
    const keyAttributes = [
      contract.partitionKey,
      contract.sortKey,
      ...(contract.indexes ?? []).flatMap((index) => [index.partitionKey, index.sortKey]),
    ].filter((attribute): attribute is string => attribute !== undefined);
    expect(
      (properties.AttributeDefinitions as Array<{ AttributeName: string }>)
        .map(({ AttributeName }) => AttributeName)
        .sort(),
    ).toEqual([...new Set(keyAttributes)].sort());
  });

  it('has exactly the tables of the contract', () => {
    expect(Object.keys(stack.storage.tables).sort()).toEqual([...TABLE_NAMES].sort());
    const tables = Object.keys(template.findResources('AWS::DynamoDB::Table')).sort();
    expect(tables).toEqual(
      (Object.keys(TABLES) as TableName[])
        .map((name) => helpers.logicalId(stack.storage.tables[name]))
        .sort(),
    );
  });
});

describe('queues', () => {
  it.each(QUEUE_NAMES)(
    'redrives the %s queue after the contract’s receives, visible again after six times the longest consumer timeout',
    (name) => {
      const { queue, deadLetterQueue, maxReceiveCount, consumer: text } = stack.queues[name];
      expect({ maxReceiveCount, consumer: text }).toEqual({
        maxReceiveCount: QUEUES[name].maxReceiveCount,
        consumer: QUEUES[name].consumer,
      });
      expect(helpers.resourceOf(queue).Properties).toMatchObject({
        RedrivePolicy: {
          deadLetterTargetArn: helpers.arnOf(deadLetterQueue),
          maxReceiveCount: QUEUES[name].maxReceiveCount,
        },
        VisibilityTimeout: visibilityTimeoutSeconds(longestConsumerTimeout()),
      });
    },
  );

  it.each(QUEUE_NAMES)(
    'drains the %s queue by its consumer function with the contract’s event source settings',
    (name) => {
      const contract: EventSourceContract = QUEUES[name].eventSource;
      const mappings = Object.values(
        template.findResources('AWS::Lambda::EventSourceMapping', {
          Properties: { EventSourceArn: helpers.arnOf(stack.queues[name].queue) },
        }) as Resources,
      ).map((mapping) => mapping.Properties);

      expect(mappings).toEqual([
        {
          FunctionName: helpers.ref(consumer(name).lambda),
          EventSourceArn: helpers.arnOf(stack.queues[name].queue),
          BatchSize: contract.batchSize,
          ...(contract.maxBatchingWindowSeconds === undefined
            ? {}
            : { MaximumBatchingWindowInSeconds: contract.maxBatchingWindowSeconds }),
          FunctionResponseTypes: contract.reportBatchItemFailures ? ['ReportBatchItemFailures'] : undefined,
          ScalingConfig: { MaximumConcurrency: maxConcurrencyOf(name, SETTINGS) },
          Tags: expect.anything(),
        },
      ]);
    },
  );

  it('gives each function the timeout of its contract', () => {
    for (const [name, fn] of Object.entries(functionsByName()) as [FunctionName, MailroomFunction][]) {
      expect({ name, timeout: helpers.resourceOf(fn.lambda).Properties?.Timeout }).toEqual({
        name,
        timeout: FUNCTIONS[name].timeoutSeconds,
      });
    }
  });

  it('has exactly the queues of the contract, each with its DLQ, and no other event source', () => {
    expect(stack.queues.all.map(({ name }) => name)).toEqual(QUEUE_NAMES);
    template.resourceCountIs('AWS::SQS::Queue', 2 * QUEUE_NAMES.length);
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', QUEUE_NAMES.length);
  });
});
