import { parseArgs } from 'node:util';
import { UsageError } from './exit-codes';

/** A flag of a command, as util.parseArgs takes it, with its help. */
export interface FlagSpec {
  type: 'string' | 'boolean';
  multiple?: boolean;
  short?: string;
  /** The value's placeholder in the help: `<email>`. */
  value?: string;
  help: string;
}

/** The flags every command takes: where the API is, who calls it, how to print. */
export const GLOBAL_FLAGS = {
  api: {
    type: 'string',
    value: '<url>',
    help: "the API's base URL: the stack's ApiUrl output, or local mode's http://127.0.0.1:3000 (default: $MAILROOM_API_URL)",
  },
  profile: {
    type: 'string',
    value: '<name>',
    help: 'the AWS profile to sign with (default: $AWS_PROFILE, else the standard credential chain)',
  },
  region: {
    type: 'string',
    value: '<region>',
    help: 'the region to sign for (default: from an execute-api host name; needed behind a custom domain)',
  },
  json: { type: 'boolean', help: 'print exactly one JSON document on stdout; errors as JSON on stderr' },
  help: { type: 'boolean', short: 'h', help: 'this help' },
} as const satisfies Record<string, FlagSpec>;

/** What a command got on the command line, checked against its spec. */
export class Input {
  constructor(
    /** `campaigns status`: for messages. */
    readonly command: string,
    private readonly values: Readonly<Record<string, unknown>>,
    readonly args: readonly string[],
  ) {}

  string(name: string): string | undefined {
    const value = this.values[name];
    return typeof value === 'string' ? value : undefined;
  }

  required(name: string): string {
    const value = this.string(name);
    if (value === undefined || value === '') throw new UsageError(`${this.command}: --${name} is required`);
    return value;
  }

  list(name: string): string[] {
    const value = this.values[name];
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  }

  flag(name: string): boolean {
    return this.values[name] === true;
  }

  /** The positional argument at `index` (the spec made sure it is there). */
  arg(index: number): string {
    return this.args[index] ?? '';
  }

  /** `--name value` pairs given as `key=value`, as an object (`--var first_name=Jane`). */
  pairs(name: string): Record<string, string> {
    const pairs: Record<string, string> = {};
    for (const item of this.list(name)) {
      const at = item.indexOf('=');
      if (at < 1) throw new UsageError(`${this.command}: --${name} takes name=value, got "${item}"`);
      pairs[item.slice(0, at)] = item.slice(at + 1);
    }
    return pairs;
  }
}

/** The words naming a command (`campaigns status`), and the rest of the line. */
export function splitCommand(
  argv: readonly string[],
  groups: ReadonlySet<string>,
): { words: string[]; rest: string[] } {
  const words: string[] = [];
  const rest: string[] = [];
  const valued = new Set(
    Object.entries(GLOBAL_FLAGS)
      .filter(([, spec]) => spec.type === 'string')
      .map(([name]) => `--${name}`),
  );
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] ?? '';
    const wanted = words.length === 0 || (words.length === 1 && groups.has(words[0] ?? ''));
    if (!token.startsWith('-') && wanted) {
      words.push(token);
      continue;
    }
    rest.push(token);
    // A global flag's value before the command words is not a command word.
    if (words.length === 0 && valued.has(token) && i + 1 < argv.length) rest.push(argv[++i] ?? '');
  }
  return { words, rest };
}

/**
 * Parses a command's flags and arguments strictly: an unknown flag, a missing value or a wrong
 * number of arguments is a UsageError.
 */
export function parseCommandLine(
  command: string,
  argv: readonly string[],
  flags: Readonly<Record<string, FlagSpec>>,
  argNames: readonly string[],
): { input: Input; global: GlobalValues } {
  const options = Object.fromEntries(
    Object.entries<FlagSpec>({ ...GLOBAL_FLAGS, ...flags }).map(([name, spec]) => [
      name,
      {
        type: spec.type,
        ...(spec.multiple ? { multiple: true } : {}),
        ...(spec.short ? { short: spec.short } : {}),
      },
    ]),
  );
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (error) {
    // util.parseArgs explains well but long ("To specify a positional argument starting with a '-', …").
    throw new UsageError(`${command}: ${(error as Error).message.split('. ')[0]}`);
  }
  const { values, positionals } = parsed;
  if (values.help !== true && positionals.length !== argNames.length) {
    throw new UsageError(
      positionals.length < argNames.length
        ? `${command}: ${argNames.slice(positionals.length).join(' ')} is required`
        : `${command}: unexpected argument "${positionals[argNames.length]}"`,
    );
  }
  for (const [name, value] of Object.entries(values)) {
    if (value === '') throw new UsageError(`${command}: --${name} needs a value`);
  }
  const global: GlobalValues = {
    json: values.json === true,
    help: values.help === true,
    ...(typeof values.api === 'string' ? { api: values.api } : {}),
    ...(typeof values.profile === 'string' ? { profile: values.profile } : {}),
    ...(typeof values.region === 'string' ? { region: values.region } : {}),
  };
  return { input: new Input(command, values, positionals), global };
}

export interface GlobalValues {
  api?: string;
  profile?: string;
  region?: string;
  json: boolean;
  help: boolean;
}

/** A flag's line in a help text: `  --to <email>   the recipient (repeatable)`. */
export function flagHelp(name: string, spec: FlagSpec): string {
  const left = `  ${spec.short ? `-${spec.short}, ` : ''}--${name}${spec.value ? ` ${spec.value}` : ''}`;
  return `${left.padEnd(30)} ${spec.help}${spec.multiple ? ' (repeatable)' : ''}`;
}
