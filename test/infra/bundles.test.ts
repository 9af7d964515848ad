import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { FUNCTIONS, type FunctionName } from '../../contract/functions';
import { REPO_ROOT } from '../../lib/constructs/mailroom-function';

/**
 * Each function bundles the AWS SDK clients its adapters call and no other (one client module per
 * service, lambdas/platform/clients/), so a function's cold start does not load, say, SES to run
 * the campaign tick. Bundled as the stack bundles them (esbuild, SDK included).
 */
const CLIENTS: Record<FunctionName, string[]> = {
  api: ['client-dynamodb', 'client-secrets-manager', 'client-sesv2', 'client-sns', 'client-sqs'],
  sender: ['client-dynamodb', 'client-secrets-manager', 'client-sesv2', 'client-sqs'],
  fanout: ['client-dynamodb', 'client-sesv2', 'client-sqs'],
  scheduler: ['client-dynamodb', 'client-sqs'],
  events: ['client-dynamodb', 'client-sns'],
  webhooks: ['client-dynamodb', 'client-sns', 'client-sqs'],
};

function clientsIn(name: FunctionName): string[] {
  const { metafile } = buildSync({
    entryPoints: [path.join(REPO_ROOT, FUNCTIONS[name].entry)],
    bundle: true,
    platform: 'node',
    metafile: true,
    write: false,
    outfile: 'handler.js',
    logLevel: 'silent',
  });
  const clients = Object.keys(metafile.inputs).flatMap(
    (input) => /node_modules\/@aws-sdk\/(client-[^/]+)\//.exec(input)?.[1] ?? [],
  );
  return [...new Set(clients)].sort();
}

describe('function bundles', () => {
  it.each(Object.keys(FUNCTIONS) as FunctionName[])('%s bundles only the SDK clients it calls', (name) => {
    expect(clientsIn(name)).toEqual(CLIENTS[name]);
  });
});
