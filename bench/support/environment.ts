import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LocalRuntime, startLocal } from '../../local/runtime';
import type { FakeSesOptions } from './fake-ses';
import { type Service, startService } from './services';

export interface Endpoints {
  dynamodb: string;
  sqs: string;
  ses: string;
}

export interface BenchLocal {
  runtime: LocalRuntime;
  /** The environment the handlers read at cold start, as local mode set it; containers start with it. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

/**
 * Local mode (local/runtime.ts, what `npm start` runs) on the given endpoints, with its own pollers
 * turned off (maximum concurrency 0): it creates the tables, queues and topics, sets the handlers'
 * environment and serves the API; the sender and fan-out run in Lambda containers of their own
 * (lambda-container.ts), which poll with local mode's event source. Using local mode itself keeps
 * the bench in step with whatever environment and resources the handlers need next.
 */
export async function startBenchLocal(endpoints: Endpoints): Promise<BenchLocal> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mailroom-bench-'));
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_SQS: endpoints.sqs,
    AWS_ENDPOINT_URL_SESV2: endpoints.ses,
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
    // The SDK's Node 20 end-of-support notice, once per process, is noise in a table of figures.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });
  const runtime = await startLocal({
    port: 0,
    dynamoDbPort: 0,
    sqsPort: 0,
    sesPort: 0,
    dataDir,
    sendingDomain: 'example.test',
    defaultFrom: 'Bench <hello@example.test>',
    senderConcurrency: 0,
    tickSeconds: 3600,
  });
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value;
  // Straight to the strict fake SES: local mode's mailbox-simulator proxy would add a hop in this
  // process (and SES events this bench does not measure).
  env.AWS_ENDPOINT_URL_SESV2 = endpoints.ses;
  env.TRANSACTIONAL_QUEUE_ARN = runtime.transactionalQueue.arn;
  return {
    runtime,
    env,
    stop: async () => {
      await runtime.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface BenchStack {
  ses: Service;
  local: BenchLocal;
  stop(): Promise<void>;
}

/** dynalite, fauxqs and the fake SES, each in a process of its own, and local mode on top of them. */
export async function startStack(sesOptions: FakeSesOptions): Promise<BenchStack> {
  const [dynamodb, sqs, ses] = await Promise.all([
    startService('dynamodb'),
    startService('sqs'),
    startService('ses', sesOptions),
  ]);
  const local = await startBenchLocal({ dynamodb: dynamodb.endpoint, sqs: sqs.endpoint, ses: ses.endpoint });
  return {
    ses,
    local,
    stop: async () => {
      await local.stop();
      await Promise.all([dynamodb.stop(), sqs.stop(), ses.stop()]);
    },
  };
}
