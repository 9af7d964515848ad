import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { type ClientConfig, InvalidConfigError, loadClientConfig, stackNameOf } from './config';
import { MailroomStack } from './mailroom-stack';

/** The config file used when `-c config=...` is not given. */
export const DEFAULT_CONFIG_PATH = 'clients/example.json';

/**
 * The config files named by the `config` context value: one path or a comma-separated list,
 * relative to the working directory (where `cdk` runs).
 */
export function configPathsFrom(app: App): string[] {
  const value: unknown = app.node.tryGetContext('config');
  if (value === undefined) return [DEFAULT_CONFIG_PATH];
  if (typeof value !== 'string' || value.trim() === '') {
    throw new InvalidConfigError('-c config=... must name one or more config files, separated by commas');
  }
  return value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}

/**
 * Adds one {@link MailroomStack} per config file and the cdk-nag AwsSolutions gate: any finding
 * not acknowledged next to its resource makes `app.synth()` throw.
 */
export function buildMailroomApp(app: App, configPaths: readonly string[]): MailroomStack[] {
  const configs = loadAll(configPaths);
  const stacks = configs.map(({ config }) => new MailroomStack(app, stackNameOf(config), { config }));
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return stacks;
}

/**
 * Validates every config before any stack is built, so one synth reports every bad file at once
 * instead of bundling the first client's functions and then failing on the second's config.
 */
function loadAll(configPaths: readonly string[]): Array<{ path: string; config: ClientConfig }> {
  const loaded: Array<{ path: string; config: ClientConfig }> = [];
  const problems: string[] = [];
  for (const configPath of configPaths) {
    try {
      loaded.push({ path: configPath, config: loadClientConfig(configPath) });
    } catch (error) {
      if (!(error instanceof InvalidConfigError)) throw error;
      problems.push(error.message);
    }
  }
  const byStackName = new Map<string, string>();
  for (const { path: configPath, config } of loaded) {
    const stackName = stackNameOf(config);
    const clash = byStackName.get(stackName);
    if (clash !== undefined) {
      problems.push(
        `${configPath} and ${clash} both produce stack ${stackName}: set a distinct stackName in one of them`,
      );
    }
    byStackName.set(stackName, configPath);
  }
  problems.push(...rateShareProblems(loaded));
  if (problems.length > 0) throw new InvalidConfigError(problems.join('\n'));
  return loaded;
}

/**
 * Stacks in one account and region draw on one SES MaxSendRate: their `sendRateShare`s must add up
 * to at most 1, or together they pace faster than SES allows and are throttled. This sees the
 * configs of one synth; `npm run preflight` adds the stacks already deployed there.
 */
function rateShareProblems(loaded: ReadonlyArray<{ path: string; config: ClientConfig }>): string[] {
  const byPlace = new Map<string, Array<{ path: string; share: number }>>();
  for (const { path: configPath, config } of loaded) {
    const place = `${config.account}/${config.region}`;
    byPlace.set(place, [...(byPlace.get(place) ?? []), { path: configPath, share: config.sendRateShare }]);
  }
  const problems: string[] = [];
  for (const [place, stacks] of byPlace) {
    const total = stacks.reduce((sum, { share }) => sum + share, 0);
    // A little slack for decimal fractions such as 0.7 + 0.2 + 0.1.
    if (stacks.length > 1 && total > 1 + 1e-9) {
      problems.push(
        `${stacks.map(({ path: p, share }) => `${p} (sendRateShare ${share})`).join(', ')} all send from ` +
          `${place} and share its one SES MaxSendRate, but their shares add up to ${Number(total.toPrecision(12))} (over 1): ` +
          `set sendRateShare in each so they add up to at most 1, e.g. ${Math.floor(1e4 / stacks.length) / 1e4} each`,
      );
    }
  }
  return problems;
}
