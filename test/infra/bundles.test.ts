import type { Metafile } from 'esbuild';
import { FUNCTIONS, type FunctionName } from '../../contract/functions';
import { stackBundler } from './support/bundle';

/**
 * Each function's bundle as the stack builds it (esbuild with the house construct's BUNDLING
 * options): the AWS SDK is left to the Lambda runtime, and each function imports the SDK clients
 * its adapters call and no other (one client module per service, lambdas/platform/clients/), so a
 * function's cold start does not load, say, SES to run the campaign tick. What weighed most is kept
 * out: zod's 40-odd locales (`import * as z`, which esbuild can tree-shake) and the X-Ray SDK (bench
 * (e)). test/infra/environment.test.ts loads each bundle with the stack's environment.
 */
const CLIENTS: Record<FunctionName, string[]> = {
  api: ['client-dynamodb', 'client-secrets-manager', 'client-sesv2', 'client-sns', 'client-sqs'],
  sender: ['client-dynamodb', 'client-secrets-manager', 'client-sesv2', 'client-sqs'],
  fanout: ['client-dynamodb', 'client-sesv2', 'client-sqs'],
  scheduler: ['client-dynamodb', 'client-sqs'],
  events: ['client-dynamodb', 'client-sns'],
  webhooks: ['client-dynamodb', 'client-sns', 'client-sqs'],
};

const bundler = stackBundler();
afterAll(() => bundler.remove());

/** The `@aws-sdk/client-*` packages the bundle imports from outside itself. */
function clientsImported(metafile: Metafile): string[] {
  const clients = Object.values(metafile.inputs).flatMap((input) =>
    input.imports.flatMap(
      (imported) => (imported.external && /^@aws-sdk\/(client-[^/]+)$/.exec(imported.path)?.[1]) || [],
    ),
  );
  return [...new Set(clients)].sort();
}

/** Every file from node_modules with code in the bundle (not tree-shaken away), as `package/path`. */
const packagedInputs = (metafile: Metafile) =>
  Object.values(metafile.outputs).flatMap((output) =>
    Object.entries(output.inputs).flatMap(([input, { bytesInOutput }]) => {
      const at = input.lastIndexOf('node_modules/');
      return at < 0 || bytesInOutput === 0 ? [] : [input.slice(at + 'node_modules/'.length)];
    }),
  );

describe('function bundles', () => {
  it.each(Object.keys(FUNCTIONS) as FunctionName[])(
    '%s imports the SDK clients it calls, and only those, from the runtime',
    (name) => {
      const { metafile } = bundler.bundleOf(name);

      expect(clientsImported(metafile)).toEqual(CLIENTS[name]);
      expect(packagedInputs(metafile).filter((input) => /^@(aws-sdk|smithy)\//.test(input))).toEqual([]);
    },
  );

  it.each(Object.keys(FUNCTIONS) as FunctionName[])(
    '%s carries neither zod locales nor the X-Ray SDK',
    (name) => {
      const inputs = packagedInputs(bundler.bundleOf(name).metafile);

      expect(inputs.filter((input) => /^zod\/.*\/locales\/(?!en\.js$)/.test(input))).toEqual([]);
      expect(inputs.filter((input) => /^(aws-xray-sdk|cls-hooked)/.test(input))).toEqual([]);
    },
  );
});
