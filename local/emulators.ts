import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import startSesServer from 'aws-ses-v2-local';
import dynalite from 'dynalite';

/** A running emulator: where it listens and how to stop it. */
export interface Emulator {
  name: string;
  endpoint: string;
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections?.();
    server.close(() => resolve());
  });
}

function endpointOf(server: Server): string {
  return `http://${HOST}:${(server.address() as AddressInfo).port}`;
}

/** dynalite (DynamoDB), keeping its data in `dataDir` so local state survives a restart. */
export async function startDynamoDb(port: number, dataDir: string): Promise<Emulator> {
  mkdirSync(dataDir, { recursive: true });
  const server: Server = dynalite({ path: dataDir, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, () => resolve());
  });
  return { name: 'DynamoDB (dynalite)', endpoint: endpointOf(server), stop: () => closeServer(server) };
}

/**
 * fauxqs (SQS and SNS), in memory. Its `startFauxqs` listens on 0.0.0.0 whatever it is given (1.9:
 * `host` only names the host in queue URLs), so the app is built here and listens on 127.0.0.1.
 */
export async function startSqs(port: number): Promise<Emulator> {
  // fauxqs is published as ES modules only, so it is loaded with import().
  const { buildApp } = await import('fauxqs');
  const app = buildApp({ logger: false });
  await app.listen({ port, host: HOST });
  const address = app.server.address() as AddressInfo;
  return { name: 'SQS/SNS (fauxqs)', endpoint: `http://${HOST}:${address.port}`, stop: () => app.close() };
}

/** aws-ses-v2-local: the SESv2 API plus a web inbox at its root URL. */
export async function startSes(port: number): Promise<Emulator> {
  const server = (await startSesServer({ host: HOST, port })) as Server;
  return { name: 'SES v2 (aws-ses-v2-local)', endpoint: endpointOf(server), stop: () => closeServer(server) };
}
