import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { startService } from '../../../bench/support/services';
import { createTables, LOCAL_TABLES } from '../../../local/resources';

/**
 * dynalite with local mode's tables, in a child process so it runs on the other core while the
 * test drives it. The adapters' shared SDK client resolves its endpoint from
 * AWS_ENDPOINT_URL_DYNAMODB on its first request, so setting it before any call is enough (jest
 * gives each test file its own module registry, hence its own client).
 */
export async function startDynamo(): Promise<{ endpoint: string; stop: () => Promise<void> }> {
  const service = await startService('dynamodb');
  const endpoint = service.endpoint;
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'fault',
    AWS_SECRET_ACCESS_KEY: 'fault',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });
  await createTables(new DynamoDBClient({}));
  return { endpoint, stop: service.stop };
}

/** Every item of every local table, for before/after comparisons. */
export async function snapshotTables(): Promise<Record<string, unknown[]>> {
  const client = new DynamoDBClient({});
  const snapshot: Record<string, unknown[]> = {};
  for (const table of Object.values(LOCAL_TABLES)) {
    const items: unknown[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await client.send(
        new ScanCommand({ TableName: table.name, ExclusiveStartKey: start as never, ConsistentRead: true }),
      );
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    snapshot[table.name] = items.sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
  }
  return snapshot;
}
