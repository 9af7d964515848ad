import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { createTables } from '../../../local/resources';

/**
 * An in-process dynalite with local mode's tables. The adapters' shared SDK client resolves its
 * endpoint from the standard environment on its first request, so pointing
 * AWS_ENDPOINT_URL_DYNAMODB here before any call is enough (jest gives each test file its own
 * module registry, hence its own client).
 */
export async function startDynalite(): Promise<{ stop: () => Promise<void> }> {
  const server = dynalite({ createTableMs: 0 });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', () => ready()));
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
  });
  await createTables(new DynamoDBClient({}));
  return { stop: () => new Promise<void>((done) => server.close(() => done())) };
}
