/**
 * (e) Each function's bundle, built the way the CDK's NodejsFunction builds it (esbuild with the
 * house construct's BUNDLING options, lib/constructs/mailroom-function.ts: the AWS SDK left to the
 * runtime),
 * and its module init time: a cold `require` of the bundle in a fresh Node process with the
 * environment local mode gives the handlers and NODE_OPTIONS=--enable-source-maps as in Lambda. The
 * left-out SDK is loaded from node_modules through NODE_PATH, as Lambda loads it from
 * /var/runtime/node_modules. Median of --runs processes, as wall time and as CPU time of the
 * process (user + system), which the other work on a shared machine disturbs less.
 *
 * Each function is also built with the SDK inside (what the stack did before), so the trade-off of
 * BUNDLING.external stays measured.
 *
 *   node --import tsx bench/scenarios/bundles.ts --runs 7
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { FUNCTIONS, type FunctionName } from '../../contract/functions';
import { BUNDLING } from '../../lib/constructs/mailroom-function';
import { startStack } from '../support/environment';
import { REPO_ROOT } from '../support/services';
import { median, round, runScenario, scenarioArgs, writeResult } from '../support/stats';

/** One way of building a function: its size, init time and what weighs most in it. */
export interface BundleBuild {
  bytes: number;
  sourceMapBytes: number;
  initMsMedian: number;
  initMsAll: number[];
  /** CPU time (user + system) of the require, median. */
  initCpuMsMedian: number;
  /** The largest contributors to the bundle, by package, in bytes of output. */
  largest: { name: string; bytes: number }[];
}

export interface BundleResult extends BundleBuild {
  name: string;
  /** The same function with the AWS SDK bundled (the alternative to BUNDLING.external). */
  sdkBundled: BundleBuild;
  /** The 1-minute load average when this function's init was timed (2 cores here: above 2 is contended). */
  loadAverage: number;
}

/** `node_modules/@aws-sdk/client-sqs/dist-cjs/…` → `@aws-sdk/client-sqs`; our own code → `(mailroom)`. */
function packageOf(path: string): string {
  const at = path.lastIndexOf('node_modules/');
  if (at < 0) return '(mailroom)';
  const parts = path.slice(at + 'node_modules/'.length).split('/');
  return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] ?? path);
}

async function buildOne(
  name: FunctionName,
  outfile: string,
  external: readonly string[],
  env: NodeJS.ProcessEnv,
  runs: number,
): Promise<BundleBuild> {
  const built = await build({
    ...BUNDLING,
    entryPoints: [join(REPO_ROOT, FUNCTIONS[name].entry)],
    bundle: true,
    external: [...external],
    outfile,
    logLevel: 'warning',
    metafile: true,
  });
  const byPackage = new Map<string, number>();
  for (const output of Object.values(built.metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const packageName = packageOf(input);
      byPackage.set(packageName, (byPackage.get(packageName) ?? 0) + bytesInOutput);
    }
  }
  const largest = [...byPackage.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 8)
    .map(([packageName, bytes]) => ({ name: packageName, bytes }));
  const initMsAll: number[] = [];
  const initCpuMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const script = `const t=performance.now(),c=process.cpuUsage();require(${JSON.stringify(outfile)});const u=process.cpuUsage(c);process.stdout.write(JSON.stringify([performance.now()-t,(u.user+u.system)/1000]))`;
    const [ms = Number.NaN, cpuMs = Number.NaN] = JSON.parse(
      execFileSync(process.execPath, ['-e', script], { env, encoding: 'utf8' }),
    ) as number[];
    initMsAll.push(round(ms, 1));
    initCpuMs.push(round(cpuMs, 1));
  }
  return {
    bytes: statSync(outfile).size,
    sourceMapBytes: statSync(`${outfile}.map`).size,
    initMsMedian: round(median(initMsAll), 1),
    initMsAll,
    initCpuMsMedian: round(median(initCpuMs), 1),
    largest,
  };
}

async function main(): Promise<void> {
  const args = scenarioArgs();
  const runs = Number(args.runs ?? 7);
  const out = mkdtempSync(join(tmpdir(), 'mailroom-bundles-'));

  // The environment each handler checks at cold start, exactly as local mode sets it.
  const stack = await startStack({ maxSendRate: 14 });
  const env = {
    ...stack.local.env,
    NODE_OPTIONS: '--enable-source-maps',
    NODE_PATH: join(REPO_ROOT, 'node_modules'),
  };

  const results: BundleResult[] = [];
  for (const name of Object.keys(FUNCTIONS) as FunctionName[]) {
    const stackBuild = await buildOne(name, join(out, name, 'index.js'), BUNDLING.external, env, runs);
    const sdkBundled = await buildOne(name, join(out, `${name}-sdk`, 'index.js'), [], env, runs);
    results.push({ name, ...stackBuild, sdkBundled, loadAverage: round(loadavg()[0] ?? 0, 2) });
  }

  await stack.stop();
  rmSync(out, { recursive: true, force: true });
  writeResult(args.out, results);
}

runScenario(main);
