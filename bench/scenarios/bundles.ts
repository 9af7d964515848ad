/**
 * (e) Each function's bundle, built the way the CDK's NodejsFunction builds it (esbuild: bundle,
 * platform node, target node24 for the Node.js 24 runtime, CommonJS, minify, keep names, linked
 * source map without sources, the AWS SDK bundled), and its module init time: a cold `require` of
 * the bundle in a fresh Node process with the environment local mode gives the handlers and
 * NODE_OPTIONS=--enable-source-maps as in Lambda. Median of --runs processes.
 *
 *   node --import tsx bench/scenarios/bundles.ts --runs 7
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { startStack } from '../support/environment';
import { REPO_ROOT } from '../support/services';
import { median, round, runScenario, scenarioArgs, writeResult } from '../support/stats';

export interface BundleResult {
  name: string;
  bytes: number;
  sourceMapBytes: number;
  initMsMedian: number;
  initMsAll: number[];
  /** The largest contributors to the bundle, by package, in bytes of output. */
  largest: { name: string; bytes: number }[];
}

/** `node_modules/@aws-sdk/client-sqs/dist-cjs/…` → `@aws-sdk/client-sqs`; our own code → `(mailroom)`. */
function packageOf(path: string): string {
  const at = path.lastIndexOf('node_modules/');
  if (at < 0) return '(mailroom)';
  const parts = path.slice(at + 'node_modules/'.length).split('/');
  return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] ?? path);
}

const FUNCTIONS = ['api', 'sender', 'fanout', 'scheduler', 'events'];

async function main(): Promise<void> {
  const args = scenarioArgs();
  const runs = Number(args.runs ?? 7);
  const out = mkdtempSync(join(tmpdir(), 'mailroom-bundles-'));

  // The environment each handler checks at cold start, exactly as local mode sets it.
  const stack = await startStack({ maxSendRate: 14 });
  const env = { ...stack.local.env, NODE_OPTIONS: '--enable-source-maps' };

  const results: BundleResult[] = [];
  for (const name of FUNCTIONS) {
    const entry = join(REPO_ROOT, 'lambdas', 'functions', name, 'handler.ts');
    if (!existsSync(entry)) continue;
    const outfile = join(out, name, 'index.js');
    const built = await build({
      entryPoints: [entry],
      bundle: true,
      platform: 'node',
      target: 'node24',
      format: 'cjs',
      minify: true,
      keepNames: true,
      sourcemap: true,
      sourcesContent: false,
      outfile,
      logLevel: 'warning',
      metafile: true,
    });
    const byPackage = new Map<string, number>();
    for (const output of Object.values(built.metafile.outputs)) {
      for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
        const name = packageOf(input);
        byPackage.set(name, (byPackage.get(name) ?? 0) + bytesInOutput);
      }
    }
    const largest = [...byPackage.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 8)
      .map(([packageName, bytes]) => ({ name: packageName, bytes }));
    const initMsAll: number[] = [];
    for (let i = 0; i < runs; i++) {
      const script = `const t=performance.now();require(${JSON.stringify(outfile)});process.stdout.write(String(performance.now()-t))`;
      const ms = Number(execFileSync(process.execPath, ['-e', script], { env, encoding: 'utf8' }));
      initMsAll.push(round(ms, 1));
    }
    results.push({
      name,
      bytes: statSync(outfile).size,
      sourceMapBytes: statSync(`${outfile}.map`).size,
      initMsMedian: round(median(initMsAll), 1),
      initMsAll,
      largest,
    });
  }

  await stack.stop();
  rmSync(out, { recursive: true, force: true });
  writeResult(args.out, results);
}

runScenario(main);
