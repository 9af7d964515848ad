import {
  type Credentials,
  MailroomClient,
  MailroomConfigError,
  MailroomNetworkError,
} from '@mailroom/client';
import {
  accountStep,
  campaignStep,
  cleanupStep,
  Deadline,
  feedbackStep,
  type SmokeContext,
  StepFailure,
  transactionalStep,
} from './steps';

export interface SmokeIo {
  out: (line: string) => void;
  err: (line: string) => void;
  /** For tests: the HTTP client and the credentials (default: global fetch, the standard chain). */
  fetch?: typeof fetch;
  credentials?: Credentials;
}

export class UsageError extends Error {}

export const USAGE = `Usage: npm run smoke -- --api <ApiUrl> [--region <region>] [--timeout-seconds <n>] [--json]

Proves a Mailroom stack end to end through its public API, with SES's mailbox simulator (which
works in the SES sandbox and reaches nobody):
  1. account        GET /v1/account answers: sandbox or production, the rate in use
  2. transactional  a mail to success@simulator.amazonses.com is sent and its Delivery event recorded
  3. bounce, complaint  bounce@ and complaint@simulator.amazonses.com end suppressed, with reasons
  4. campaign unsubscribe  a one-recipient campaign's mail carried List-Unsubscribe and
                    List-Unsubscribe-Post (as SES reported them), its unsubscribe page answers
                    and a one-click POST (RFC 8058) suppresses the address
  5. cleanup        removes every suppression the run added, also after a failure (the campaign
                    stays: campaigns cannot be deleted through the API)

  --api <url>            the stack's ApiUrl output (https://{id}.execute-api.{region}.amazonaws.com/live)
                         or local mode's API line (http://127.0.0.1:3000)
  --region <region>      the region to sign for; default: from the execute-api host name
  --timeout-seconds <n>  each step's time limit; default 30/120/120/180/60 s (10/30/30/60/15 s on loopback)
  --json                 one JSON document instead of report lines
  --help                 this text

Requests to a non-loopback URL are signed with SigV4 (service execute-api) using the standard AWS
credential chain (environment, AWS_PROFILE, SSO, role); loopback URLs (local mode) are not signed.
Exit codes: 0 every step passed, 1 a step failed, 2 usage error.`;

interface Options {
  api: URL;
  region?: string;
  timeoutSeconds?: number;
  json: boolean;
}

function parseArgs(argv: string[]): Options | 'help' {
  const values = new Map<string, string>();
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--help' || arg === '-h') return 'help';
    if (arg === '--json') {
      json = true;
      continue;
    }
    const [name, inline] = arg.split(/=(.*)/s, 2);
    if (name !== '--api' && name !== '--region' && name !== '--timeout-seconds') {
      throw new UsageError(`unknown argument "${arg}"`);
    }
    const value = inline ?? argv[++i];
    if (value === undefined || value === '') throw new UsageError(`${name} needs a value`);
    values.set(name, value);
  }
  const raw = values.get('--api');
  if (!raw) throw new UsageError('--api <ApiUrl> is required');
  let api: URL;
  try {
    api = new URL(raw);
  } catch {
    throw new UsageError(`--api "${raw}" is not a URL`);
  }
  if (api.protocol !== 'https:' && api.protocol !== 'http:') throw new UsageError('--api must be http(s)');
  if (api.search || api.hash) throw new UsageError('--api is the base URL, without ?query or #fragment');
  const timeout = values.get('--timeout-seconds');
  const timeoutSeconds = timeout === undefined ? undefined : Number(timeout);
  if (timeoutSeconds !== undefined && !(Number.isFinite(timeoutSeconds) && timeoutSeconds > 0)) {
    throw new UsageError(`--timeout-seconds must be a positive number, got "${timeout}"`);
  }
  const region = values.get('--region');
  return {
    api,
    json,
    ...(region ? { region } : {}),
    ...(timeoutSeconds ? { timeoutSeconds } : {}),
  };
}

interface StepDef {
  name: string;
  /** Default seconds in AWS, and against local mode. */
  aws: number;
  local: number;
  run: (ctx: SmokeContext, deadline: Deadline) => Promise<string>;
}

const STEPS: StepDef[] = [
  { name: 'account', aws: 30, local: 10, run: accountStep },
  { name: 'transactional', aws: 120, local: 30, run: transactionalStep },
  { name: 'bounce, complaint', aws: 120, local: 30, run: feedbackStep },
  { name: 'campaign unsubscribe', aws: 180, local: 60, run: campaignStep },
];
const CLEANUP: StepDef = { name: 'cleanup', aws: 60, local: 15, run: cleanupStep };

export interface StepReport {
  step: number;
  name: string;
  result: 'ok' | 'fail' | 'skip';
  seconds: number;
  detail: string;
}

/** A failure that is not the API's answer, in words: where it could not connect, not a stack trace. */
function describeThrown(error: unknown, client: MailroomClient): string {
  if (error instanceof StepFailure) return error.message;
  const origin = client.apiUrl.origin;
  if (error instanceof MailroomConfigError) {
    return `${error.message}: set AWS_PROFILE, run aws sso login, or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY`;
  }
  // Checked by name, not instanceof: fetch's errors come from another realm under some runners.
  const { name = '', message = String(error) } = (error ?? {}) as { name?: string; message?: string };
  // The step's own time limit ran out during a request (the caller's abort, never retried).
  if (name === 'TimeoutError' || name === 'AbortError') {
    return `${origin} did not answer in time: check --api and your network`;
  }
  if (error instanceof MailroomNetworkError) {
    const cause = error.cause as { name?: string; cause?: { code?: string; message?: string } } | undefined;
    if (cause?.name === 'TimeoutError')
      return `${origin} did not answer in time: check --api and your network`;
    return `cannot reach ${origin} (${cause?.cause?.code ?? cause?.cause?.message ?? error.message}): check --api (the stack's ApiUrl output, or the API line npm start prints)`;
  }
  return `unexpected error: ${name ? `${name}: ` : ''}${message}`;
}

function line(report: StepReport): string {
  const label = { ok: 'ok  ', fail: 'FAIL', skip: 'skip' }[report.result];
  const name = `${report.step}. ${report.name}`.padEnd(24);
  return `  ${label}  ${name} ${report.seconds.toFixed(1).padStart(6)} s  ${report.detail}`;
}

/**
 * `npm run smoke`: resolves the exit code (0 all passed, 1 a step failed, 2 usage). Report lines go
 * to `io.out` as each step ends; usage errors to `io.err`.
 */
export async function main(argv: string[], io: SmokeIo): Promise<number> {
  let options: Options;
  let client: MailroomClient;
  try {
    const parsed = parseArgs(argv);
    if (parsed === 'help') {
      io.out(USAGE);
      return 0;
    }
    options = parsed;
    // The client refuses what it could not call (no region to sign for, plain http to a remote
    // host) before any request; credentials are looked for at the first request (step 1).
    client = new MailroomClient({
      apiUrl: options.api,
      ...(options.region ? { region: options.region } : {}),
      ...(io.fetch ? { fetch: io.fetch } : {}),
      ...(io.credentials ? { credentials: io.credentials } : {}),
    });
  } catch (error) {
    if (!(error instanceof UsageError) && !(error instanceof MailroomConfigError)) throw error;
    const hint = error instanceof MailroomConfigError && /region/.test(error.message) ? ' (--region)' : '';
    io.err(`smoke: ${error.message}${hint}\n\n${USAGE}`);
    return 2;
  }
  const signing = client.signing;
  const local = !signing.signed;
  const started = Date.now();
  const ctx: SmokeContext = {
    client,
    runId: new Date().toISOString(),
    pollMs: local ? 200 : 2000,
    added: new Set(),
    notes: [],
  };
  const print = (text: string) => {
    if (!options.json) io.out(text);
  };
  print(
    `Mailroom smoke check of ${options.api.href} (${signing.signed ? `SigV4, execute-api, ${signing.region}` : 'loopback: local mode, unsigned'})`,
  );

  const reports: StepReport[] = [];
  const run = async (def: StepDef, step: number, skip?: string) => {
    const seconds = options.timeoutSeconds ?? (local ? def.local : def.aws);
    const deadline = new Deadline(seconds);
    const begin = Date.now();
    let report: StepReport;
    if (skip) {
      report = { step, name: def.name, result: 'skip', seconds: 0, detail: skip };
    } else {
      try {
        const detail = await def.run(ctx, deadline);
        report = { step, name: def.name, result: 'ok', seconds: (Date.now() - begin) / 1000, detail };
      } catch (error) {
        const detail = describeThrown(error, client);
        report = { step, name: def.name, result: 'fail', seconds: (Date.now() - begin) / 1000, detail };
      }
    }
    reports.push(report);
    print(line(report));
  };

  for (const [i, def] of STEPS.entries()) {
    // Without a working API the other steps can only repeat the first one's failure.
    const apiDown = i > 0 && reports[0]?.result === 'fail' ? 'the API did not answer step 1' : undefined;
    await run(def, i + 1, apiDown);
  }
  await run(CLEANUP, STEPS.length + 1);

  const failed = reports.filter((r) => r.result !== 'ok');
  const total = (Date.now() - started) / 1000;
  const notes = [...ctx.notes];
  if (
    reports.some((r) => r.result === 'fail' && /after \d+(\.\d+)? s/.test(r.detail)) &&
    ctx.added.size > 0
  ) {
    notes.push(
      `a step timed out: SES events that arrive after the cleanup can still suppress ${[...ctx.added].join(', ')} (DELETE /v1/suppressions/{email} removes them)`,
    );
  }
  if (options.json) {
    io.out(
      JSON.stringify(
        {
          api: options.api.href,
          signed: signing.signed,
          ...(signing.signed ? { region: signing.region } : {}),
          passed: failed.length === 0,
          seconds: total,
          steps: reports,
          campaign: ctx.campaign ?? null,
          notes,
        },
        null,
        2,
      ),
    );
  } else {
    for (const note of notes) io.out(`  note: ${note}`);
    io.out(
      failed.length === 0
        ? `All ${reports.length} steps passed in ${total.toFixed(1)} s.`
        : `${failed.length} of ${reports.length} steps did not pass (${total.toFixed(1)} s).`,
    );
  }
  return failed.length === 0 ? 0 : 1;
}
