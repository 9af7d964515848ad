/**
 * A child process hosting one stand-in AWS service, so the process under test does not share its
 * event loop (or its CPU) with the emulators, as in AWS. Started by `startService` (services.ts);
 * speaks over the IPC channel: it sends `{ready, endpoint}`, answers `{type: 'sends'}` with the
 * fake SES's records, and exits on `{type: 'stop'}` or when the parent goes away.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setPriority } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import dynalite from 'dynalite';
import { FakeSes, type FakeSesOptions } from './fake-ses';

type Kind = 'dynamodb' | 'sqs' | 'ses';

async function start(kind: Kind): Promise<{ endpoint: string; ses?: FakeSes; stop: () => Promise<void> }> {
  if (kind === 'dynamodb') {
    // In memory (no path): the bench measures Mailroom, not dynalite's disk.
    const server: Server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    await new Promise<void>((ready) => server.listen(0, '127.0.0.1', () => ready()));
    return {
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      stop: () => new Promise((done) => server.close(() => done())),
    };
  }
  if (kind === 'sqs') {
    const { startFauxqs } = await import('fauxqs');
    const server = await startFauxqs({ port: 0, logger: false });
    return { endpoint: `http://127.0.0.1:${server.port}`, stop: () => server.stop() };
  }
  // SES's clock does not wait for our CPU: on a machine busy with other work, the fake SES stamping
  // arrivals late (it waits for a core like everything else) would smear them by tens of ms and
  // count throttles no sender caused. Ahead of everything else, if the OS lets it (root or
  // CAP_SYS_NICE); the event-loop delay it still sees is reported beside the figures.
  try {
    setPriority(-10);
  } catch {
    // Not allowed: the figures say so through the delay below.
  }
  const options = JSON.parse(process.env.FAKE_SES_OPTIONS ?? '{}') as FakeSesOptions;
  const ses = new FakeSes({ ...options, maxSendRate: options.maxSendRate ?? Number.POSITIVE_INFINITY });
  return { endpoint: await ses.start(), ses, stop: () => ses.stop() };
}

async function main(): Promise<void> {
  const kind = process.argv[2] as Kind;
  const service = await start(kind);
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  process.on('message', (message: { type: string; maxSendRate?: number }) => {
    if (message.type === 'sends') process.send?.({ type: 'sends', sends: service.ses?.sends ?? [] });
    if (message.type === 'summary') process.send?.({ type: 'summary', ...service.ses?.summary() });
    // How late this process's event loop ran (ms): how far its arrival stamps may trail the truth.
    if (message.type === 'loopDelay') {
      // The histogram holds each 5 ms timer's whole wait: the lag is what exceeds the 5 ms.
      const lag = (ns: number) => Math.max(0, ns / 1e6 - 5);
      process.send?.({
        type: 'loopDelay',
        p50: lag(delay.percentile(50)),
        p99: lag(delay.percentile(99)),
        max: lag(delay.max),
      });
    }
    if (message.type === 'stop') void service.stop().finally(() => process.exit(0));
  });
  process.on('disconnect', () => process.exit(0));
  process.send?.({ type: 'ready', endpoint: service.endpoint });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
