import { type ChildProcess, fork } from 'node:child_process';
import { resolve } from 'node:path';
import type { Tally } from './aws-calls';
import type { FakeSes, FakeSesOptions, SendRecord } from './fake-ses';
import type { ContainerSource } from './lambda-container';
import type { RuntimeHostOptions } from './runtime-host';

export const REPO_ROOT = resolve(__dirname, '..', '..');

/** A TypeScript child process with an IPC channel (node --import tsx). */
export function forkTs(
  file: string,
  args: string[] = [],
  env: NodeJS.ProcessEnv = process.env,
): ChildProcess {
  return fork(resolve(REPO_ROOT, file), args, {
    cwd: REPO_ROOT,
    env,
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

/** The next IPC message of `type` from `child` (or its exit, which is an error). */
export function nextMessage<T>(child: ChildProcess, type: string, timeoutMs = 600_000): Promise<T> {
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "${type}" message in ${timeoutMs} ms`)), timeoutMs);
    const onMessage = (message: { type?: string }) => {
      if (message?.type !== type) return;
      cleanup();
      resolvePromise(message as T);
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`child exited with ${code} before sending "${type}"`));
    };
    const cleanup = () => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

export interface Service {
  endpoint: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts dynalite, fauxqs or the fake SES in a process of its own. */
export async function startService(
  kind: 'dynamodb' | 'sqs' | 'ses',
  sesOptions?: FakeSesOptions,
): Promise<Service> {
  const child = forkTs('bench/support/service-host.ts', [kind], {
    ...process.env,
    ...(sesOptions ? { FAKE_SES_OPTIONS: JSON.stringify(sesOptions) } : {}),
  });
  const { endpoint } = await nextMessage<{ endpoint: string }>(child, 'ready', 30_000);
  return {
    endpoint,
    child,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((done) => child.once('exit', done));
      child.send({ type: 'stop' });
      await exited;
    },
  };
}

/** What the fake SES in `service` has seen so far. */
export async function sesSends(service: Service): Promise<SendRecord[]> {
  const answer = nextMessage<{ sends: SendRecord[] }>(service.child, 'sends');
  service.child.send({ type: 'sends' });
  return (await answer).sends;
}

export interface Container {
  child: ChildProcess;
  /** Stops polling, lets running invocations finish, and returns what the container counted. */
  stop(): Promise<Tally>;
}

/** A Lambda container (see lambda-container.ts) polling `sources`, in a process of its own. */
export async function startContainer(
  sources: ContainerSource[],
  env: Record<string, string>,
): Promise<Container> {
  const child = forkTs('bench/support/lambda-container.ts', [JSON.stringify(sources)], {
    ...process.env,
    ...env,
  });
  await nextMessage(child, 'ready', 60_000);
  return {
    child,
    stop: async () => {
      const answer = nextMessage<{ tally: Tally }>(child, 'tally');
      child.send({ type: 'stop' });
      return (await answer).tally;
    },
  };
}

/** How late the service's event loop ran (ms): for the fake SES, how far its arrival stamps may trail. */
export async function loopDelay(service: Service): Promise<{ p50: number; p99: number; max: number }> {
  const answer = nextMessage<{ p50: number; p99: number; max: number }>(service.child, 'loopDelay');
  service.child.send({ type: 'loopDelay' });
  return answer;
}

export type SesSummary = ReturnType<FakeSes['summary']>;

/** The fake SES's running counts. */
export async function sesSummary(service: Service): Promise<SesSummary> {
  const answer = nextMessage<SesSummary>(service.child, 'summary');
  service.child.send({ type: 'summary' });
  return answer;
}

export interface RuntimeHost {
  /** Local mode's API of this runtime. */
  apiUrl: string;
  /** The environment its Lambda containers start with (its tables, queues, SEND_RATE_SHARE). */
  env: Record<string, string>;
  stop(): Promise<void>;
}

/**
 * A whole Mailroom runtime (its own DynamoDB, SQS and local mode: one stack) in a process of its
 * own, sending to `ses` with `share` of the account's MaxSendRate (see runtime-host.ts).
 */
export async function startRuntimeHost(options: RuntimeHostOptions): Promise<RuntimeHost> {
  const child = forkTs('bench/support/runtime-host.ts', [JSON.stringify(options)]);
  const { apiUrl, env } = await nextMessage<{ apiUrl: string; env: Record<string, string> }>(
    child,
    'ready',
    90_000,
  );
  return {
    apiUrl,
    env,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((done) => child.once('exit', done));
      child.send({ type: 'stop' });
      await exited;
    },
  };
}
