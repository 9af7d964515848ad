import { FUNCTIONS, type FunctionName, VARIABLES, type VariableName } from '../contract/functions';
import type { QueueName } from '../contract/queues';
import type { TableName } from '../contract/tables';
import {
  REPUTATION_GUARD_DEFAULTS,
  TRANSIENT_BOUNCE_DEFAULTS,
  WEBHOOK_RETRY_SCHEDULE_SECONDS,
} from '../contract/thresholds';

/** The contract's variables whose value is a setting (or local mode's own), not a resource. */
export type SettingName = {
  [K in VariableName]: (typeof VARIABLES)[K] extends { setting: string } | { localOnly: string } ? K : never;
}[VariableName];

/** What local mode (and the suites and bench that host the handlers) created in place of the stack's resources. */
export interface LocalResources {
  tableName(table: TableName): string;
  queues: Record<QueueName, { url: string; arn: string }>;
  topics: { productEvents: string; ops?: string };
}

/** The settings every local host must give: they name its domain and where it answers. */
type GivenSettings = 'SENDING_DOMAIN' | 'DEFAULT_FROM' | 'PUBLIC_BASE_URL' | 'UNSUBSCRIBE_SECRET';

/** The other settings as a deploy with an empty config gets them (the thresholds from the contract). */
export const LOCAL_SETTING_DEFAULTS: Record<Exclude<SettingName, GivenSettings>, string | undefined> = {
  DEFAULT_REPLY_TO: undefined,
  // Local mode serves the console on the API's own origin: no CORS.
  CONSOLE_ORIGIN: undefined,
  MAX_SEND_RATE: undefined,
  SEND_RATE_SHARE: '1',
  TRANSACTIONAL_CONFIGURATION_SET: 'transactional',
  BULK_CONFIGURATION_SET: 'bulk',
  TRANSIENT_BOUNCE_LIMIT: String(TRANSIENT_BOUNCE_DEFAULTS.limit),
  TRANSIENT_BOUNCE_WINDOW_DAYS: String(TRANSIENT_BOUNCE_DEFAULTS.windowDays),
  BOUNCE_RATE_THRESHOLD: String(REPUTATION_GUARD_DEFAULTS.bounceRate),
  COMPLAINT_RATE_THRESHOLD: String(REPUTATION_GUARD_DEFAULTS.complaintRate),
  GUARD_MINIMUM_SAMPLE: String(REPUTATION_GUARD_DEFAULTS.minimumSample),
  WEBHOOK_RETRY_SCHEDULE: WEBHOOK_RETRY_SCHEDULE_SECONDS.join(','),
  // Local mode runs on one machine: its receivers are on loopback, often plain http.
  WEBHOOK_ALLOW_LOOPBACK: 'true',
};

export type LocalSettings = Record<GivenSettings, string> &
  Partial<Record<Exclude<SettingName, GivenSettings>, string | undefined>>;

/**
 * Every variable of the deployment contract, valued from local resources, for one process that
 * hosts all the handlers (so the union of the functions' variables). Built from the contract like
 * the stack's, so a variable added there reaches local mode without anyone remembering to. A
 * variable with no value here (an optional setting not given, the secret's ARN) is left out.
 */
export function localEnvironment(resources: LocalResources, settings: LocalSettings): Record<string, string> {
  const values: Partial<Record<SettingName, string | undefined>> = { ...LOCAL_SETTING_DEFAULTS, ...settings };
  const needed = new Set<VariableName>(
    (Object.keys(FUNCTIONS) as FunctionName[]).flatMap((fn) => [...FUNCTIONS[fn].environment]),
  );
  const environment: Record<string, string> = {};
  for (const name of needed) {
    const value = sourcedValue(VARIABLES[name], name as SettingName, resources, values);
    if (value !== undefined) environment[name] = value;
  }
  return environment;
}

function sourcedValue(
  source: (typeof VARIABLES)[VariableName],
  name: SettingName,
  resources: LocalResources,
  settings: Partial<Record<SettingName, string | undefined>>,
): string | undefined {
  if ('table' in source) return resources.tableName(source.table);
  if ('queueUrl' in source) return resources.queues[source.queueUrl].url;
  if ('queueArn' in source) return resources.queues[source.queueArn].arn;
  if ('topic' in source) return resources.topics[source.topic];
  // The secret lives in Secrets Manager in AWS only; local hosts give UNSUBSCRIBE_SECRET itself.
  if ('secret' in source) return undefined;
  return settings[name];
}

/** The settings already in `env` (a test's or the bench's choice, e.g. SEND_RATE_SHARE): they win. */
export function settingsIn(env: NodeJS.ProcessEnv): Partial<Record<SettingName, string>> {
  const given: Partial<Record<SettingName, string>> = {};
  for (const [name, source] of Object.entries(VARIABLES)) {
    const value = env[name];
    if (value !== undefined && ('setting' in source || 'localOnly' in source))
      given[name as SettingName] = value;
  }
  return given;
}

/**
 * Sets `environment` on `env`, and removes the contract's variables it has no value for, so one
 * left over from the shell or an earlier host (a stray MAX_SEND_RATE) cannot change what runs.
 */
export function applyEnvironment(
  environment: Record<string, string>,
  env: NodeJS.ProcessEnv = process.env,
): void {
  for (const name of Object.keys(VARIABLES)) {
    if (environment[name] === undefined) delete env[name];
  }
  Object.assign(env, environment);
}
