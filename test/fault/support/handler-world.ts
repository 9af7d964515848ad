import { randomBytes } from 'node:crypto';
import { SNSClient } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand, ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { FakeSes } from '../../../bench/support/fake-ses';
import { startService } from '../../../bench/support/services';
import { applyEnvironment, localEnvironment } from '../../../local/environment';
import { createQueues, createTopic, LOCAL_TABLES, type LocalQueue } from '../../../local/resources';
import { snapshotTables, startDynamo } from './dynamo';

export interface HandlerWorld {
  queues: { transactional: LocalQueue; bulk: LocalQueue; fanout: LocalQueue; events: LocalQueue };
  ses: FakeSes;
  secret: string;
  /** Every table's items (the rate ledger left out: senders write their rate to it on every run) and every queue's depth. */
  snapshot(): Promise<unknown>;
  stop(): Promise<void>;
}

type Roots = {
  api: typeof import('../../../lambdas/functions/api/api');
  sender: typeof import('../../../lambdas/functions/sender/sender');
  fanout: typeof import('../../../lambdas/functions/fanout/fanout');
  scheduler: typeof import('../../../lambdas/functions/scheduler/scheduler');
  events: typeof import('../../../lambdas/functions/events/events');
  environment: typeof import('../../../lambdas/platform/environment');
};

/**
 * The five handlers, each built by its function's composition root from the environment the world
 * set, as each handler module builds it in AWS. Call it after `startHandlerWorld` resolves: the
 * roots' modules are required only then, so their SDK clients are created with the world's endpoints.
 */
export function createHandlers() {
  const roots: Roots = {
    api: require('../../../lambdas/functions/api/api'),
    sender: require('../../../lambdas/functions/sender/sender'),
    fanout: require('../../../lambdas/functions/fanout/fanout'),
    scheduler: require('../../../lambdas/functions/scheduler/scheduler'),
    events: require('../../../lambdas/functions/events/events'),
    environment: require('../../../lambdas/platform/environment'),
  };
  const { functionEnvironment } = roots.environment;
  return {
    api: roots.api.createApi(functionEnvironment('api')),
    sender: roots.sender.createSender(functionEnvironment('sender')),
    fanout: roots.fanout.createFanout(functionEnvironment('fanout')),
    scheduler: roots.scheduler.createScheduler(functionEnvironment('scheduler')),
    events: roots.events.createEventsProcessor(functionEnvironment('events')),
  };
}

/** Telemetry, not state: a sender reports how fast it sends after every batch, hostile or not. */
const TELEMETRY_TABLES = new Set<string>([LOCAL_TABLES.rateLedger.name]);

/**
 * The real handlers' world, built the way local mode builds it: dynalite and fauxqs (each in a
 * process of its own), a fake SES in this process, local mode's tables, queues and topics, and the
 * environment the handlers read. Build the handlers (createHandlers) only after this resolves.
 */
export async function startHandlerWorld(): Promise<HandlerWorld> {
  const dynamo = await startDynamo();
  const sqsService = await startService('sqs');
  const ses = new FakeSes({ maxSendRate: Number.POSITIVE_INFINITY });
  const secret = randomBytes(32).toString('base64url');
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_SQS: sqsService.endpoint,
    AWS_ENDPOINT_URL_SNS: sqsService.endpoint,
    AWS_ENDPOINT_URL_SESV2: await ses.start(),
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'CRITICAL',
  });
  const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });
  const queues = await createQueues(sqs);
  const sns = new SNSClient({});
  applyEnvironment(
    localEnvironment(
      {
        tableName: (table) => LOCAL_TABLES[table].name,
        queues,
        topics: { productEvents: await createTopic(sns, 'mailroom-product-events') },
      },
      {
        PUBLIC_BASE_URL: 'https://mail.example.test',
        UNSUBSCRIBE_SECRET: secret,
        SENDING_DOMAIN: 'example.test',
        DEFAULT_FROM: 'Mailroom <hello@example.test>',
        // No pacing to wait for: these tests are about what is refused, not how fast.
        MAX_SEND_RATE: '1000',
      },
    ),
  );

  const snapshot = async () => {
    const tables = await snapshotTables();
    for (const name of TELEMETRY_TABLES) delete tables[name];
    const listed = await sqs.send(new ListQueuesCommand({}));
    const depths: Record<string, string> = {};
    for (const url of listed.QueueUrls ?? []) {
      const attributes = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: url,
          AttributeNames: [
            'ApproximateNumberOfMessages',
            'ApproximateNumberOfMessagesNotVisible',
            'ApproximateNumberOfMessagesDelayed',
          ],
        }),
      );
      depths[url.slice(url.lastIndexOf('/') + 1)] = JSON.stringify(attributes.Attributes);
    }
    return { tables, queues: depths, sesSends: ses.sends.length };
  };

  return {
    queues,
    ses,
    secret,
    snapshot,
    stop: async () => {
      await ses.stop();
      await sqsService.stop();
      await dynamo.stop();
    },
  };
}
