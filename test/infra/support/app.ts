import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { buildMailroomApp } from '../../../lib/app';
import { REPO_ROOT } from '../../../lib/constructs/mailroom-function';
import type { MailroomStack } from '../../../lib/mailroom-stack';

export const EXAMPLE_CONFIG = path.join(REPO_ROOT, 'clients', 'example.json');

/** The feature flags in cdk.json, so tests synthesize what `cdk synth` does. */
function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(path.join(REPO_ROOT, 'cdk.json'), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  return cdkJson.context ?? {};
}

export interface SynthesizedApp {
  readonly app: App;
  readonly stacks: MailroomStack[];
  readonly assembly: CloudAssembly;
  /** Removes the temporary cloud assembly and config files. */
  cleanup(): void;
}

export interface SynthOptions {
  /**
   * Run esbuild for the Lambda code. Off where a test looks only at resources, since bundling is
   * most of a synth's time; on wherever the bundling itself is under test.
   * @default true
   */
  readonly bundle?: boolean;
}

/**
 * Synthesizes the Mailroom app exactly as bin/mailroom.ts builds it (cdk-nag gate included) into a
 * temporary directory: from `configPaths`, or by default the example config with the console on.
 */
export function synthesizeMailroom(
  configPaths?: readonly string[],
  options: SynthOptions = {},
): SynthesizedApp {
  const outdir = mkdtempSync(path.join(tmpdir(), 'mailroom-cdk-'));
  const example = configPaths === undefined ? exampleWithConsole() : undefined;
  const context: Record<string, unknown> = { ...cdkJsonContext() };
  // An empty list tells the asset staging to bundle no stack.
  if (options.bundle === false) context['aws:cdk:bundling-stacks'] = [];
  const app = new App({ outdir, context });
  const stacks = buildMailroomApp(app, configPaths ?? example?.paths ?? []);
  const assembly = app.synth();
  return {
    app,
    stacks,
    assembly,
    cleanup: () => {
      rmSync(outdir, { recursive: true, force: true });
      example?.cleanup();
    },
  };
}

/**
 * The example config with every optional part of the stack on (the console is off by default, see
 * lib/config.ts), so the tests that read "the example stack" see all of it.
 */
function exampleWithConsole(): { paths: string[]; cleanup(): void } {
  const example = JSON.parse(readFileSync(EXAMPLE_CONFIG, 'utf8')) as Record<string, unknown>;
  return writeConfigs({ example: { ...example, console: { enabled: true } } });
}

/** Writes configs to a temporary directory and returns their paths, for tests of other clients. */
export function writeConfigs(configs: Record<string, unknown>): { paths: string[]; cleanup(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'mailroom-config-'));
  const paths = Object.entries(configs).map(([name, config]) => {
    const file = path.join(dir, `${name}.json`);
    writeFileSync(file, JSON.stringify(config));
    return file;
  });
  return { paths, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** clients/example-route53.json: a hosted zone, open and click tracking, no custom tracking domain. */
export const ROUTE53_EXAMPLE_CONFIG = path.join(REPO_ROOT, 'clients', 'example-route53.json');

/**
 * The Route 53 example as it is at its second deploy: once the sending domain is verified, with
 * a custom tracking domain (SES refuses one before).
 */
export function route53ExampleWithTrackingDomain(): Record<string, unknown> {
  const config = JSON.parse(readFileSync(ROUTE53_EXAMPLE_CONFIG, 'utf8')) as Record<string, unknown>;
  return {
    ...config,
    tracking: {
      ...(config.tracking as Record<string, unknown>),
      customDomain: 'track.mail.example.org',
      sendingDomainVerified: true,
    },
  };
}

/** The example config's content, as a base for variants. */
export function exampleConfig(): Record<string, unknown> {
  return JSON.parse(readFileSync(EXAMPLE_CONFIG, 'utf8')) as Record<string, unknown>;
}
