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
  if (problems.length > 0) throw new InvalidConfigError(problems.join('\n'));
  return loaded;
}
