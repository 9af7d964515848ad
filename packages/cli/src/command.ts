import { readFileSync } from 'node:fs';
import type { Credentials, MailroomClient } from '@mailroom/client';
import type { FlagSpec, GlobalValues, Input } from './args';
import { type ExitCode, UsageError } from './exit-codes';
import type { Output, Sink } from './output';

/** What the process gives the CLI; tests give their own. */
export interface Io {
  stdout: Sink;
  stderr: Sink;
  env: Readonly<Record<string, string | undefined>>;
  /** For tests: the HTTP client and the credentials (default: global fetch, the standard chain). */
  fetch?: typeof fetch;
  credentials?: Credentials;
  /** For tests: how `status --watch` waits between reads. */
  sleep?: (ms: number) => Promise<void>;
}

/** What a command runs with. */
export interface Context {
  /** The API client, made on first use from --api/--profile/--region (config errors are thrown here). */
  client: () => MailroomClient;
  output: Output;
  global: GlobalValues & { api?: string };
  io: Io;
}

/** One command: `campaigns status <id> [--watch]`. */
export interface Command {
  /** `campaigns status` */
  name: string;
  /** Positional arguments, each required: `<id>`. */
  args?: readonly string[];
  summary: string;
  flags?: Readonly<Record<string, FlagSpec>>;
  /** Lines shown after the flags in the command's help. */
  examples?: readonly string[];
  /** Prints its result with `ctx.output.result` (once); the exit code, 0 unless it says otherwise. */
  run: (ctx: Context, input: Input) => Promise<ExitCode | undefined>;
}

/** The body flags `send`, `templates put` and `campaigns create` share. */
export const CONTENT_FLAGS = {
  subject: { type: 'string', value: '<text>', help: 'the subject (Handlebars)' },
  text: { type: 'string', value: '<text>', help: 'the plain-text body (Handlebars)' },
  html: { type: 'string', value: '<html>', help: 'the HTML body (Handlebars)' },
  'text-file': { type: 'string', value: '<file>', help: 'the plain-text body, from a file' },
  'html-file': { type: 'string', value: '<file>', help: 'the HTML body, from a file' },
} as const satisfies Record<string, FlagSpec>;

/** `{subject, text, html}` from --subject, --text/--text-file and --html/--html-file (files read now). */
export function contentOf(input: Input): { subject?: string; text?: string; html?: string } {
  const body = (kind: 'text' | 'html'): string | undefined => {
    const inline = input.string(kind);
    const file = input.string(`${kind}-file`);
    if (inline !== undefined && file !== undefined) {
      throw new UsageError(`${input.command}: give --${kind} or --${kind}-file, not both`);
    }
    return file === undefined ? inline : readText(file);
  };
  const subject = input.string('subject');
  const text = body('text');
  const html = body('html');
  return {
    ...(subject === undefined ? {} : { subject }),
    ...(text === undefined ? {} : { text }),
    ...(html === undefined ? {} : { html }),
  };
}

/** A file's text, or a UsageError saying why it cannot be read. */
export function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(
      `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
}

/** `--data '{"code":"482913"}'` merged with `--var code=482913`: a send's or a test's merge data. */
export function mergeData(input: Input): Record<string, unknown> | undefined {
  const raw = input.string('data');
  let data: Record<string, unknown> = {};
  if (raw !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw new UsageError(
        `${input.command}: --data must be a JSON object, got ${JSON.stringify(raw.slice(0, 60))}`,
      );
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new UsageError(`${input.command}: --data must be a JSON object`);
    }
    data = parsed as Record<string, unknown>;
  }
  const merged = { ...data, ...input.pairs('var') };
  return Object.keys(merged).length === 0 ? undefined : merged;
}

/** The merge-data flags, for the commands that render. */
export const DATA_FLAGS = {
  data: { type: 'string', value: '<json>', help: 'merge variables as a JSON object' },
  var: { type: 'string', multiple: true, value: '<name=value>', help: 'one merge variable' },
} as const satisfies Record<string, FlagSpec>;

/** What `send` and `campaigns create` share: who it is from, the content or a template, tags. */
export const MESSAGE_FLAGS = {
  from: { type: 'string', value: '<mailbox>', help: "the sender (default: the stack's)" },
  'reply-to': { type: 'string', multiple: true, value: '<email>', help: 'a Reply-To address' },
  ...CONTENT_FLAGS,
  template: {
    type: 'string',
    value: '<name>',
    help: 'a stored template (its content is used) instead of --subject/--text/--html',
  },
  tag: { type: 'string', multiple: true, value: '<name=value>', help: 'an SES message tag' },
} as const satisfies Record<string, FlagSpec>;

/** The MESSAGE_FLAGS given, as request fields; a UsageError when neither content nor a template is. */
export function messageOf(input: Input): {
  from?: string;
  replyTo?: string[];
  subject?: string;
  text?: string;
  html?: string;
  template?: string;
  tags?: Record<string, string>;
} {
  const content = contentOf(input);
  const template = input.string('template');
  if (
    template === undefined &&
    (content.subject === undefined || (content.text ?? content.html) === undefined)
  ) {
    throw new UsageError(
      `${input.command}: give --subject and --text or --html (or --html-file), or --template`,
    );
  }
  const from = input.string('from');
  const replyTo = input.list('reply-to');
  const tags = input.pairs('tag');
  return {
    ...(from === undefined ? {} : { from }),
    ...(replyTo.length > 0 ? { replyTo } : {}),
    ...content,
    ...(template === undefined ? {} : { template }),
    ...(Object.keys(tags).length > 0 ? { tags } : {}),
  };
}

/** Every item of a paged list (the client's `all()`), for one document. */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}
