import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';

export interface LocalMode {
  apiUrl: string;
  inboxUrl: string;
  sqsEndpoint: string;
  dynamoEndpoint: string;
  dataDir: string;
  output: () => string;
  /** Ctrl-C, as a developer would; resolves with the exit code. */
  stop: () => Promise<number | null>;
  child: ChildProcess;
}

const ROOT = resolve(__dirname, '../../..');

/**
 * Runs `npm start`'s entry point in a child process on free ports with a throwaway data folder,
 * and waits for it to say it is ready. Fails loudly, with its output, when it does not.
 */
export async function startLocalMode(
  env: Record<string, string> = {},
  timeoutMs = 60_000,
): Promise<LocalMode> {
  const dataDir = env.MAILROOM_DATA_DIR ?? mkdtempSync(join(tmpdir(), 'mailroom-it-'));
  const ownDataDir = env.MAILROOM_DATA_DIR === undefined;
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: '0',
      MAILROOM_DYNAMODB_PORT: '0',
      MAILROOM_SQS_PORT: '0',
      MAILROOM_SES_PORT: '0',
      MAILROOM_DATA_DIR: dataDir,
      ...env,
    },
    // The IPC channel lets the child notice when this test process goes away, and stop with it.
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));

  await new Promise<void>((ready, fail) => {
    const timer = setTimeout(
      () => fail(new Error(`local mode not ready after ${timeoutMs} ms:\n${output}`)),
      timeoutMs,
    );
    const check = () => {
      if (output.includes('Ready.')) {
        clearTimeout(timer);
        ready();
      }
    };
    child.stdout?.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      fail(new Error(`local mode exited with ${code} before it was ready:\n${output}`));
    });
  });

  const field = (label: string) => {
    const match = new RegExp(`${label}\\s+(http://\\S+)`).exec(output);
    if (!match?.[1]) throw new Error(`no ${label} URL in:\n${output}`);
    return match[1];
  };
  return {
    apiUrl: field('API'),
    inboxUrl: field('Inbox'),
    sqsEndpoint: field('SQS'),
    dynamoEndpoint: field('DynamoDB'),
    dataDir,
    output: () => output,
    child,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGINT');
      const code = await exited;
      if (ownDataDir) rmSync(dataDir, { recursive: true, force: true });
      return code;
    },
  };
}

/** Polls `probe` until it returns a value (not undefined) or the time is up. */
export async function eventually<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs = 20_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

export interface ApiResponse {
  status: number;
  body: { error?: { code: string; message: string; details?: unknown } } & Record<string, unknown>;
}

export async function api(
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<ApiResponse> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : {} };
}

/** SDK clients pointed at a local mode's emulators, as a test inspects them. */
export function localClients(local: Pick<LocalMode, 'sqsEndpoint' | 'dynamoEndpoint'>) {
  const common = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
  return {
    sqs: new SQSClient({ ...common, endpoint: local.sqsEndpoint, useQueueUrlAsEndpoint: false }),
    // fauxqs serves SNS on the SQS endpoint.
    sns: new SNSClient({ ...common, endpoint: local.sqsEndpoint }),
    dynamo: new DynamoDBClient({ ...common, endpoint: local.dynamoEndpoint }),
  };
}
