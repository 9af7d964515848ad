/**
 * A child process hosting one stand-in AWS service, so the process under test does not share its
 * event loop (or its CPU) with the emulators, as in AWS. Started by `startService` (services.ts);
 * speaks over the IPC channel: it sends `{ready, endpoint}`, answers `{type: 'sends'}` with the
 * fake SES's records, and exits on `{type: 'stop'}` or when the parent goes away.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
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
  const options = JSON.parse(process.env.FAKE_SES_OPTIONS ?? '{}') as FakeSesOptions;
  const ses = new FakeSes({ ...options, maxSendRate: options.maxSendRate ?? Number.POSITIVE_INFINITY });
  return { endpoint: await ses.start(), ses, stop: () => ses.stop() };
}

async function main(): Promise<void> {
  const kind = process.argv[2] as Kind;
  const service = await start(kind);
  process.on('message', (message: { type: string; maxSendRate?: number }) => {
    if (message.type === 'sends') process.send?.({ type: 'sends', sends: service.ses?.sends ?? [] });
    if (message.type === 'summary') process.send?.({ type: 'summary', ...service.ses?.summary() });
    if (message.type === 'stop') void service.stop().finally(() => process.exit(0));
  });
  process.on('disconnect', () => process.exit(0));
  process.send?.({ type: 'ready', endpoint: service.endpoint });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
