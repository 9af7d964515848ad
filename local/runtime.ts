import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { handlerWhenReady, startApiGatewayServer } from './api-gateway-server';
import { CONSOLE_PATH, consoleSite } from './console-site';
import { type Emulator, startDynamoDb, startSes, startSqs } from './emulators';
import { applyEnvironment, localEnvironment, settingsIn } from './environment';
import {
  createEventSources,
  createQueues,
  createQueueWithDlq,
  createTables,
  createTopic,
  LOCAL_TABLES,
  type LocalQueue,
  subscribeQueue,
} from './resources';
import { LOCAL_SES_ACCOUNT } from './ses-account';
import { startSesEventSimulator } from './ses-event-simulator';

export interface LocalOptions {
  /** API port; 0 picks a free one. */
  port: number;
  dynamoDbPort: number;
  sqsPort: number;
  sesPort: number;
  dataDir: string;
  sendingDomain: string;
  defaultFrom: string;
  /**
   * Invocations of the sender at once per stream: the deployed senderConcurrency and
   * bulkSenderConcurrency. The fan-out's and the events function's come from the contract.
   */
  senderConcurrency: number;
  /** How often the campaign tick runs (60 in AWS). */
  tickSeconds: number;
}

export interface LocalRuntime {
  apiUrl: string;
  /** The campaign console, served by the API's server (no sign-in, like the API). */
  consoleUrl: string;
  inboxUrl: string;
  endpoints: { dynamodb: string; sqs: string; sesv2: string };
  /** Which endpoints came from AWS_ENDPOINT_URL_* rather than an emulator started here. */
  external: string[];
  transactionalQueue: LocalQueue;
  /** Publish any SES event notification here and it reaches the events handler, as in AWS. */
  sesEventsTopic: string;
  productEventsTopic: string;
  /** A queue subscribed to the product events topic, to read what product backends would get. */
  productEventsInbox: string;
  stop(): Promise<void>;
}

/**
 * Mailroom on one machine: emulators for DynamoDB, SQS and SES, an HTTP server in place of API
 * Gateway and a poller in place of the SQS event source mapping, hosting the very same handlers.
 * An AWS_ENDPOINT_URL_<SERVICE> already set wins over the matching emulator.
 */
export async function startLocal(options: LocalOptions): Promise<LocalRuntime> {
  const env = process.env;
  env.AWS_REGION ??= 'us-east-1';
  env.AWS_ACCESS_KEY_ID ??= 'local';
  env.AWS_SECRET_ACCESS_KEY ??= 'local';
  env.AWS_SES_ACCOUNT ??= JSON.stringify(LOCAL_SES_ACCOUNT);
  env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  env.POWERTOOLS_LOG_LEVEL ??= 'WARN';

  const started: Emulator[] = [];
  const external: string[] = [];
  const stops: (() => Promise<void>)[] = [];
  const endpoint = async (variable: string, start: () => Promise<Emulator>) => {
    const given = env[variable];
    if (given) {
      external.push(variable);
      return given;
    }
    const emulator = await start();
    started.push(emulator);
    stops.unshift(emulator.stop);
    env[variable] = emulator.endpoint;
    return emulator.endpoint;
  };

  try {
    // dynalite's store (LevelDB) takes one process; a second one on the same folder would fail on
    // its first request with "Database is closed". Say so before starting anything.
    stops.unshift(lockDataDir(options.dataDir));
    const dynamodb = await endpoint('AWS_ENDPOINT_URL_DYNAMODB', () =>
      startDynamoDb(options.dynamoDbPort, join(options.dataDir, 'dynamodb')),
    );
    const sqsEndpoint = await endpoint('AWS_ENDPOINT_URL_SQS', () => startSqs(options.sqsPort));
    const sesv2 = await endpoint('AWS_ENDPOINT_URL_SESV2', () => startSes(options.sesPort));
    // fauxqs serves SNS on the same endpoint as SQS.
    if (!env.AWS_ENDPOINT_URL_SNS) env.AWS_ENDPOINT_URL_SNS = sqsEndpoint;
    else external.push('AWS_ENDPOINT_URL_SNS');

    const dynamoClient = new DynamoDBClient({});
    const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });
    await createTables(dynamoClient);
    // The contract's queues (contract/queues.ts), each with its DLQ and receive limit.
    const queues = await createQueues(sqs);
    const {
      transactional: transactionalQueue,
      bulk: bulkQueue,
      fanout: fanoutQueue,
      events: eventsQueue,
      webhooks: webhooksQueue,
    } = queues;

    // SES events: the topic SES publishes to, the events queue subscribed to it (unparseable events
    // end in its DLQ), and the topic product backends subscribe to, with a local inbox.
    const sns = new SNSClient({});
    const sesEventsTopic = await createTopic(sns, 'mailroom-ses-events');
    const productEventsTopic = await createTopic(sns, 'mailroom-product-events');
    await subscribeQueue(sns, sesEventsTopic, eventsQueue.arn);
    const productEventsInbox = await createQueueWithDlq(sqs, 'mailroom-product-events-inbox', 5);
    await subscribeQueue(sns, productEventsTopic, productEventsInbox.arn);
    // Webhooks: the product events reach the webhooks queue as in the stack.
    await subscribeQueue(sns, productEventsTopic, webhooksQueue.arn);
    const simulator = await startSesEventSimulator({
      upstream: sesv2,
      sns,
      topicArn: sesEventsTopic,
      onError: (error) => console.error('local SES event simulator:', error),
    });
    stops.unshift(simulator.stop);
    // The handlers talk to SES through the simulator, which publishes what SES would afterwards.
    env.AWS_ENDPOINT_URL_SESV2 = simulator.endpoint;

    // The API server starts first (answering 503 until the handler is loaded) so its URL, which
    // the unsubscribe links need, is known before the handlers read their environment.
    const api = handlerWhenReady();
    const server: Server = await startApiGatewayServer(api.handler, options.port, '127.0.0.1', consoleSite());
    stops.unshift(
      () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    );
    const apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const given = settingsIn(env);
    applyEnvironment(
      localEnvironment(
        {
          tableName: (table) => LOCAL_TABLES[table].name,
          queues: {
            transactional: transactionalQueue,
            bulk: bulkQueue,
            fanout: fanoutQueue,
            events: eventsQueue,
            webhooks: webhooksQueue,
          },
          topics: { productEvents: productEventsTopic },
        },
        {
          ...given,
          PUBLIC_BASE_URL: given.PUBLIC_BASE_URL ?? apiUrl,
          UNSUBSCRIBE_SECRET: given.UNSUBSCRIBE_SECRET ?? localSecret(options.dataDir),
          SENDING_DOMAIN: options.sendingDomain,
          DEFAULT_FROM: options.defaultFrom,
        },
      ),
      env,
    );
    // Imported only now: the SDK clients are created on import, with the endpoints set above. Each
    // function's composition root is built once, as one Lambda container, from its environment.
    const { functionEnvironment } = await import('../lambdas/platform/environment.js');
    const { createApi } = await import('../lambdas/functions/api/api.js');
    const { createSender } = await import('../lambdas/functions/sender/sender.js');
    const { createFanout } = await import('../lambdas/functions/fanout/fanout.js');
    const { createScheduler } = await import('../lambdas/functions/scheduler/scheduler.js');
    const { createEventsProcessor } = await import('../lambdas/functions/events/events.js');
    const { createWebhooks } = await import('../lambdas/functions/webhooks/webhooks.js');
    const sender = { handler: createSender(functionEnvironment('sender')) };
    const fanout = { handler: createFanout(functionEnvironment('fanout')) };
    const scheduler = { handler: createScheduler(functionEnvironment('scheduler')) };
    const events = { handler: createEventsProcessor(functionEnvironment('events')) };
    const webhooks = { handler: createWebhooks(functionEnvironment('webhooks')) };
    api.ready(createApi(functionEnvironment('api')));

    const region = env.AWS_REGION ?? 'us-east-1';
    const onError = (name: string) => (error: unknown) => console.error(`local ${name}:`, error);
    // Batch size and concurrency per queue from the contract, as the stack's event sources.
    const sources = createEventSources({
      sqs,
      queues,
      handlers: {
        sender: sender.handler,
        fanout: fanout.handler,
        events: events.handler,
        webhooks: webhooks.handler,
      },
      senderConcurrency: options.senderConcurrency,
      region,
      onError,
    });
    for (const source of Object.values(sources)) {
      source.start();
      stops.unshift(() => source.stop());
    }

    // The one-minute tick EventBridge runs in AWS: starts scheduled campaigns, restarts dead chains.
    const runTick = () => scheduler.handler().catch(onError('campaign tick'));
    void runTick();
    const ticker = setInterval(runTick, options.tickSeconds * 1000);
    stops.unshift(async () => clearInterval(ticker));

    return {
      apiUrl,
      consoleUrl: `${apiUrl}${CONSOLE_PATH}/`,
      inboxUrl: sesv2,
      endpoints: { dynamodb, sqs: sqsEndpoint, sesv2 },
      external,
      transactionalQueue,
      sesEventsTopic,
      productEventsTopic,
      productEventsInbox: productEventsInbox.url,
      stop: () => runAll(stops),
    };
  } catch (error) {
    await runAll(stops);
    throw error;
  }
}

async function runAll(stops: (() => Promise<void>)[]): Promise<void> {
  for (const stop of stops) {
    try {
      await stop();
    } catch (error) {
      console.error('while stopping local mode:', error);
    }
  }
}

/** Another local mode (still running) keeps its data in this folder. */
export class DataDirInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(`The data folder ${dataDir} is in use by another Mailroom local mode (process ${pid})`);
  }
}

/**
 * Claims `dataDir` for this process with a lock file holding its pid; resolves to the release. A
 * lock whose process is gone (a crash, kill -9) is taken over.
 */
function lockDataDir(dataDir: string): () => Promise<void> {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'local-mode.pid');
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw error;
      const holder = Number(readFileSync(file, 'utf8').trim());
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isRunning(holder)) {
        throw new DataDirInUseError(dataDir, holder);
      }
      rmSync(file, { force: true });
    }
  }
  return async () => {
    if (existsSync(file) && readFileSync(file, 'utf8').trim() === String(process.pid)) rmSync(file);
  };
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A random unsubscribe key kept with the local data, so links in the inbox keep working across restarts. */
function localSecret(dataDir: string): string {
  const file = join(dataDir, 'unsubscribe-secret');
  mkdirSync(dataDir, { recursive: true });
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}
