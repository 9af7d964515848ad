import { type ClientConfig, InvalidConfigError, loadClientConfig, stackNameOf } from '../../lib/config';
import { type AwsClients, createClients, credentialsProblem, gatherFacts, whoAmI } from './account-facts';
import { type CheckResult, checkCredentials, LOGGING_ROLE_FIX, runChecks, type Status } from './checks';
import { FixError, fixApiGatewayLoggingRole, LOGGING_ROLE_NAME } from './fix';

/**
 * `npm run preflight -- -c config=clients/<client>.json [--fix api-gateway-logging-role]`: checks a
 * client's account before the first deploy, one line per check, and exits 1 on any blocker.
 */

/** Where the report goes; tests pass their own. */
export interface PreflightIo {
  /** One line of the report. */
  readonly out: (line: string) => void;
  /** One line of a problem that stopped the run. */
  readonly err: (line: string) => void;
  /** @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Waits between fix retries. @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Builds the SDK clients for a region. @default createClients */
  readonly clients?: (region: string) => AwsClients;
}

/** Exit codes. */
export const EXIT = { ok: 0, blocked: 1, usage: 2 } as const;

export const HELP = `Usage: npm run preflight -- -c config=clients/<client>.json [--fix ${LOGGING_ROLE_FIX}]

Checks a client's AWS account before \`cdk deploy\`, with read-only calls made with your own
credentials (the standard AWS chain: AWS_PROFILE, SSO, environment keys, ...) in the account and
region of the config (AWS_REGION is not used). One line per check: ok, warning or blocker, each
blocker with the exact fix.

Checks:
  credentials               the credentials belong to the config's "account"
  CDK bootstrap             /cdk-bootstrap/hnb659fds/version exists and is at least 6
  Lambda concurrency        the quota leaves 100 unreserved after the sender's reservation
                            (senderReservedConcurrency), with a ready quota-increase request
  API Gateway logging role  the account's CloudWatch Logs role for API Gateway is set in the region
  SES production access     sandbox or production, MaxSendRate and the 24-hour quota
  SES sending               sending enabled, enforcement status HEALTHY
  SES identity              an identity for sendingDomain already exists (verified? DKIM? MAIL
                            FROM? created by this stack, read from its resources?) against
                            "adoptExistingIdentity": adopting the identity this stack created
                            would make the next deploy delete it
  MAIL FROM                 with adoptExistingIdentity: the identity's MAIL FROM domain is
                            <mailFromSubdomain>.<sendingDomain>, whose MX and SPF the stack writes
  tracking domain           with tracking.customDomain: the sending domain is verified
  configuration sets        <stackName>-transactional and -bulk are free (or the stack's own)
  Route 53 records          with hostedZone: the zone exists and no record the stack writes
                            (_dmarc TXT, MAIL FROM MX and SPF TXT, tracking CNAME) is there already,
                            unless "skipDnsRecords" names it or the deployed stack wrote it
  other Mailroom stacks     the Mailroom stacks of the region together pace within the account's
                            MaxSendRate: each its maxSendRate, or its sendRateShare of MaxSendRate
                            (only the shares, adding up to <= 1, when MaxSendRate cannot be read)

Options:
  -c, --context config=<file>[,<file>...]
                            the client config(s), as for cdk; several files are checked in turn,
                            and each error line then starts with its file
  --fix ${LOGGING_ROLE_FIX}
                            the one write: when API Gateway has no CloudWatch Logs role in the
                            config's region, create (or reuse) the IAM role ${LOGGING_ROLE_NAME}
                            with AmazonAPIGatewayPushToCloudWatchLogs and set it; a role already
                            set is never changed. Then runs the checks.
  -h, --help                this text

Exit codes: 0 no blocker (warnings allowed), 1 a blocker, no credentials, or a failed fix,
2 a usage error or an invalid config (nothing checked). With several configs: 1 if any config had
a blocker (an invalid config never hides another's blocker), else 2 if any config was invalid,
else 0.`;

interface Options {
  readonly configPaths: readonly string[];
  readonly fix: boolean;
}

type Parsed = { kind: 'help' } | { kind: 'run'; options: Options } | { kind: 'usage'; message: string };

/** Reads the command line; anything it does not know is a usage error, not ignored. */
export function parseArgs(argv: readonly string[]): Parsed {
  const configPaths: string[] = [];
  let fix = false;
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index] ?? '';
    if (arg === '-h' || arg === '--help') return { kind: 'help' };
    const [flag, inline] =
      arg.startsWith('--') && arg.includes('=')
        ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
        : [arg, undefined];
    if (flag === '-c' || flag === '--context') {
      const value = inline ?? argv[++index];
      if (value === undefined || !value.startsWith('config=')) {
        return { kind: 'usage', message: `${flag} takes config=<file>, e.g. -c config=clients/acme.json` };
      }
      const paths = value
        .slice('config='.length)
        .split(',')
        .map((path) => path.trim())
        .filter((path) => path !== '');
      if (paths.length === 0) return { kind: 'usage', message: '-c config= names no file' };
      configPaths.push(...paths);
    } else if (flag === '--fix') {
      const value = inline ?? argv[++index];
      if (value !== LOGGING_ROLE_FIX) {
        return { kind: 'usage', message: `--fix takes ${LOGGING_ROLE_FIX} (got ${value ?? 'nothing'})` };
      }
      fix = true;
    } else {
      return { kind: 'usage', message: `unknown argument ${arg}` };
    }
  }
  if (configPaths.length === 0) {
    return { kind: 'usage', message: 'name the client config: -c config=clients/<client>.json' };
  }
  return { kind: 'run', options: { configPaths, fix } };
}

const STATUS_WIDTH = 9;
const NAME_WIDTH = 26;

/** The report lines of one check: the status and message, then its fix and details indented. */
export function formatResult(result: CheckResult): string[] {
  const indent = ' '.repeat(STATUS_WIDTH + 2);
  return [
    `${result.status.padEnd(STATUS_WIDTH)}${result.name.padEnd(NAME_WIDTH)}${result.message}`,
    ...(result.details ?? []).map((line) => `${indent}${line}`),
  ];
}

function count(results: readonly CheckResult[], status: Status): number {
  return results.filter((result) => result.status === status).length;
}

function summary(results: readonly CheckResult[], configPath: string): string {
  const blockers = count(results, 'blocker');
  const warnings = count(results, 'warning');
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (blockers > 0) {
    return `${plural(blockers, 'blocker')}, ${plural(warnings, 'warning')}: fix the blockers, then run the preflight again`;
  }
  return `no blockers, ${plural(warnings, 'warning')}: next, npx cdk deploy -c config=${configPath}`;
}

/** Checks one config's account; answers the exit code (EXIT.usage: the config is invalid). */
async function preflight(configPath: string, fix: boolean, io: PreflightIo): Promise<number> {
  let config: ClientConfig;
  try {
    config = loadClientConfig(configPath);
  } catch (error) {
    if (!(error instanceof InvalidConfigError)) throw error;
    for (const line of error.message.split('\n')) io.err(line);
    return EXIT.usage;
  }
  const clients = (io.clients ?? createClients)(config.region);
  let caller: Awaited<ReturnType<typeof whoAmI>>;
  try {
    caller = await whoAmI(clients.sts);
  } catch (error) {
    const problem = credentialsProblem(error, config.region);
    io.err(problem ?? `Cannot reach AWS STS in ${config.region}: ${(error as Error).message}`);
    return EXIT.blocked;
  }

  const env = io.env ?? process.env;
  const ambient = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  io.out(`Mailroom preflight for ${stackNameOf(config)} (${configPath})`);
  io.out(
    `account ${config.account}, region ${config.region} (from the config${ambient !== undefined && ambient !== config.region ? `; AWS_REGION ${ambient} is not used` : ''})`,
  );
  io.out('');

  const credentials = checkCredentials(config, caller);
  if (credentials.status === 'blocker') {
    for (const line of formatResult(credentials)) io.out(line);
    return EXIT.blocked;
  }

  if (fix) {
    try {
      await fixApiGatewayLoggingRole({
        apiGateway: clients.apiGateway,
        iam: clients.iam,
        region: config.region,
        partition: caller.partition,
        log: (line) => io.out(`fix: ${line}`),
        sleep: io.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
      });
    } catch (error) {
      if (!(error instanceof FixError)) throw error;
      io.err(`fix ${LOGGING_ROLE_FIX} failed: ${error.message}`);
      return EXIT.blocked;
    }
    io.out('');
  }

  const facts = await gatherFacts(config, clients, caller);
  const results = runChecks({ config, configPath }, facts);
  for (const result of results) {
    for (const line of formatResult(result)) io.out(line);
  }
  io.out('');
  io.out(summary(results, configPath));
  return count(results, 'blocker') > 0 ? EXIT.blocked : EXIT.ok;
}

/**
 * Runs the preflight for the command line `argv` (without node and the script) and answers the
 * exit code. Never throws: an unexpected failure is one line, not a stack trace.
 */
export async function main(argv: readonly string[], io: PreflightIo): Promise<number> {
  const parsed = parseArgs(argv);
  if (parsed.kind === 'help') {
    for (const line of HELP.split('\n')) io.out(line);
    return EXIT.ok;
  }
  if (parsed.kind === 'usage') {
    io.err(`${parsed.message} (see --help)`);
    return EXIT.usage;
  }
  const { configPaths } = parsed.options;
  const codes: number[] = [];
  for (const [index, configPath] of configPaths.entries()) {
    if (index > 0) io.out('');
    // With several configs on stderr, every error line says which config it is about.
    const configIo: PreflightIo =
      configPaths.length > 1 ? { ...io, err: (line) => io.err(`${configPath}: ${line}`) } : io;
    try {
      codes.push(await preflight(configPath, parsed.options.fix, configIo));
    } catch (error) {
      const env = io.env ?? process.env;
      io.err(`preflight failed for ${configPath}: ${(error as Error).name}: ${(error as Error).message}`);
      if (env.PREFLIGHT_DEBUG) io.err(String((error as Error).stack));
      codes.push(EXIT.blocked);
    }
  }
  return combinedExitCode(codes);
}

/**
 * One exit code for several configs: a blocker anywhere (1) wins over an invalid config (2), which
 * would otherwise read as "nothing checked" and hide it; 0 only when every config passed.
 */
export function combinedExitCode(codes: readonly number[]): number {
  if (codes.includes(EXIT.blocked)) return EXIT.blocked;
  if (codes.includes(EXIT.usage)) return EXIT.usage;
  return EXIT.ok;
}

if (require.main === module) {
  // The SDK's notice that Node 20 support ends in 2027 is not about the account being checked.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  // `npm run preflight | head` closes the pipe early; that is not a failure worth a stack trace.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
  void main(process.argv.slice(2), {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  }).then((code) => {
    process.exitCode = code;
  });
}
