import { MailroomClient } from '@mailroom/client';
import { flagHelp, GLOBAL_FLAGS, parseCommandLine, splitCommand } from './args';
import type { Command, Context, Io } from './command';
import { ACCOUNT_COMMANDS } from './commands/account';
import { CAMPAIGN_COMMANDS } from './commands/campaigns';
import { EMAIL_COMMANDS } from './commands/emails';
import { SUPPRESSION_COMMANDS } from './commands/suppressions';
import { TEMPLATE_COMMANDS } from './commands/templates';
import { asFailure, EXIT, EXIT_CODES_HELP, type ExitCode, UsageError } from './exit-codes';
import { Output } from './output';

/** Every command, in the order the help lists them. */
export const COMMANDS: readonly Command[] = [
  ...EMAIL_COMMANDS,
  ...TEMPLATE_COMMANDS,
  ...CAMPAIGN_COMMANDS,
  ...SUPPRESSION_COMMANDS,
  ...ACCOUNT_COMMANDS,
];

/** Words that take a second word: `campaigns status`. */
const GROUPS: ReadonlySet<string> = new Set(
  COMMANDS.filter((c) => c.name.includes(' ')).map((c) => c.name.split(' ')[0] ?? ''),
);

const GLOBAL_HELP = Object.entries(GLOBAL_FLAGS)
  .map(([name, spec]) => flagHelp(name, spec))
  .join('\n');

/** `mailroom --help`. */
export function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => `${c.name} ${(c.args ?? []).join(' ')}`.length)) + 2;
  return `Usage: mailroom <command> [arguments] [flags]

The command line of a Mailroom API: send mail, manage templates, campaigns and suppressions.

Commands:
${COMMANDS.map((c) => `  ${`${c.name} ${(c.args ?? []).join(' ')}`.padEnd(width)} ${c.summary}`).join('\n')}

Flags of every command:
${GLOBAL_HELP}

Requests to local mode (a loopback URL) are not signed; any other URL is signed with SigV4 using
the standard AWS credential chain (environment, AWS_PROFILE or --profile, SSO, role).
"mailroom <command> --help" shows a command's own flags.

${EXIT_CODES_HELP}`;
}

/** `mailroom <command> --help`. */
export function commandUsage(command: Command): string {
  const flags = Object.entries(command.flags ?? {}).map(([name, spec]) => flagHelp(name, spec));
  return [
    `Usage: mailroom ${command.name}${(command.args ?? []).map((a) => ` ${a}`).join('')} [flags]`,
    '',
    command.summary,
    ...(flags.length > 0 ? ['', 'Flags:', ...flags] : []),
    '',
    'Flags of every command:',
    GLOBAL_HELP,
    ...(command.examples ? ['', 'Examples:', ...command.examples.map((e) => `  ${e}`)] : []),
    '',
    EXIT_CODES_HELP,
  ].join('\n');
}

/**
 * Runs one command line; resolves its exit code (see EXIT). Never throws: every failure is
 * reported on stderr (as JSON with --json) and mapped to its code.
 */
export async function run(argv: readonly string[], io: Io): Promise<ExitCode> {
  const json = argv.includes('--json');
  let output = new Output(io.stdout, io.stderr, json);
  try {
    const { words, rest } = splitCommand(argv, GROUPS);
    const name = words.join(' ');
    if (words.length === 0) {
      if (rest.includes('--help') || rest.includes('-h')) {
        io.stdout.write(`${usage()}\n`);
        return EXIT.ok;
      }
      throw new UsageError('no command given: "mailroom --help" lists them');
    }
    const command = COMMANDS.find((c) => c.name === name);
    if (command === undefined) {
      const group = GROUPS.has(words[0] ?? '')
        ? `; ${words[0]} has: ${COMMANDS.filter((c) => c.name.startsWith(`${words[0]} `))
            .map((c) => c.name.split(' ')[1])
            .join(', ')}`
        : '';
      throw new UsageError(`unknown command "${name}"${group} ("mailroom --help" lists them)`);
    }
    const { input, global } = parseCommandLine(command.name, rest, command.flags ?? {}, command.args ?? []);
    output = new Output(io.stdout, io.stderr, global.json);
    if (global.help) {
      io.stdout.write(`${commandUsage(command)}\n`);
      return EXIT.ok;
    }
    const api = global.api ?? (io.env.MAILROOM_API_URL || undefined);
    let client: MailroomClient | undefined;
    const ctx: Context = {
      output,
      io,
      global: { ...global, ...(api === undefined ? {} : { api }) },
      client: () => {
        client ??= makeClient(api, global.profile, global.region, io);
        return client;
      },
    };
    // Made before the command runs: a malformed URL or a missing region is reported before the
    // command reads any file (the smoke check makes its own).
    if (command.name !== 'smoke') ctx.client();
    return (await command.run(ctx, input)) ?? EXIT.ok;
  } catch (error) {
    const failure = asFailure(error);
    output.error(failure);
    if (failure.exitCode === EXIT.usage && !json && error instanceof UsageError) {
      io.stderr.write('Run "mailroom --help" for the commands and flags.\n');
    }
    return failure.exitCode;
  }
}

function makeClient(
  api: string | undefined,
  profile: string | undefined,
  region: string | undefined,
  io: Io,
): MailroomClient {
  if (api === undefined) {
    throw new UsageError(
      "no API URL: pass --api (the stack's ApiUrl output, or local mode's http://127.0.0.1:3000) or set MAILROOM_API_URL",
    );
  }
  return new MailroomClient({
    apiUrl: api,
    ...(region === undefined ? {} : { region }),
    // --profile names where credentials come from; tests hand them in instead.
    ...(io.credentials !== undefined
      ? { credentials: io.credentials }
      : profile === undefined
        ? {}
        : { profile }),
    ...(io.fetch === undefined ? {} : { fetch: io.fetch }),
  });
}

/** The bin's entry point: process.argv in, process.exitCode out. */
export function runAsProcess(): void {
  void run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env }).then(
    (code) => {
      process.exitCode = code;
    },
  );
}
