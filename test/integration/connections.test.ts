import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetAccountCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { IDLE_CONNECTION_MS, shortCallConnections } from '../../lambdas/platform/clients/connections';

/**
 * The sending client never writes a request onto a kept-alive connection the server may be closing
 * (connections.ts): it closes an idle connection itself, after IDLE_CONNECTION_MS or 1 s before the
 * server's announced `Keep-Alive: timeout`, whichever is sooner. Counted by the connections a
 * server on 127.0.0.1 accepts.
 */
const HOOK_TIMEOUT_MS = 10_000;

interface CountingServer {
  endpoint: string;
  connections: () => number;
  close: () => Promise<void>;
}

/** Answers GetAccount; `keepAliveTimeoutMs` is what it announces and enforces. */
async function countingServer(keepAliveTimeoutMs: number): Promise<CountingServer> {
  let connections = 0;
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ SendQuota: { Max24HourSend: 200, MaxSendRate: 1, SentLast24Hours: 0 } }));
  });
  server.keepAliveTimeout = keepAliveTimeoutMs;
  server.on('connection', () => {
    connections++;
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', () => ready()));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections: () => connections,
    close: () =>
      new Promise((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

function client(endpoint: string, handler?: ReturnType<typeof shortCallConnections>): SESv2Client {
  return new SESv2Client({
    endpoint,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
    ...(handler ? { requestHandler: handler } : {}),
  });
}

const pause = (ms: number) => new Promise((done) => setTimeout(done, ms));

let servers: CountingServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
}, HOOK_TIMEOUT_MS);

async function serve(keepAliveTimeoutMs: number): Promise<CountingServer> {
  const server = await countingServer(keepAliveTimeoutMs);
  servers.push(server);
  return server;
}

it('reuses a connection used again within the idle limit', async () => {
  const server = await serve(60_000);
  const ses = client(
    server.endpoint,
    shortCallConnections({ connectionTimeoutMs: 1_000, silenceTimeoutMs: 3_000 }),
  );
  await ses.send(new GetAccountCommand({}));
  await pause(200);
  await ses.send(new GetAccountCommand({}));
  expect(server.connections()).toBe(1);
  ses.destroy();
});

it('closes a connection idle for longer than IDLE_CONNECTION_MS before the server would', async () => {
  // The server would keep it a minute, and says nothing about it: the client's own limit decides.
  const server = await serve(60_000);
  const ses = client(
    server.endpoint,
    shortCallConnections({ connectionTimeoutMs: 1_000, silenceTimeoutMs: 3_000 }),
  );
  await ses.send(new GetAccountCommand({}));
  await pause(IDLE_CONNECTION_MS + 500);
  await ses.send(new GetAccountCommand({}));
  expect(server.connections()).toBe(2);
  ses.destroy();
}, 15_000);

it("honours a server's shorter Keep-Alive timeout, which the SDK's default agent ignores", async () => {
  // A Node server announces `Keep-Alive: timeout=2` and closes at 2 s: a request sent at 1.5 s
  // idle is within a second of that close. This agent has let the connection go at 1 s.
  const ours = await serve(2_000);
  const sdkDefault = await serve(2_000);
  const withOurs = client(
    ours.endpoint,
    shortCallConnections({ connectionTimeoutMs: 1_000, silenceTimeoutMs: 3_000 }),
  );
  const withDefault = client(sdkDefault.endpoint);
  await Promise.all([withOurs.send(new GetAccountCommand({})), withDefault.send(new GetAccountCommand({}))]);
  await pause(1_500);
  await Promise.all([withOurs.send(new GetAccountCommand({})), withDefault.send(new GetAccountCommand({}))]);
  expect(ours.connections()).toBe(2);
  // The SDK's own agent has no idle timeout, so Node ignores the hint and reuses the connection
  // the server is about to close: the race this module exists to avoid.
  expect(sdkDefault.connections()).toBe(1);
  withOurs.destroy();
  withDefault.destroy();
}, 15_000);
