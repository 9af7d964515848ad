import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { z } from 'zod';
import * as environmentSchemas from '../../lambdas/platform/environment';
import { type MailroomFunction, REPO_ROOT } from '../../lib/constructs/mailroom-function';
import { exampleStack } from './support/example-stack';
import type { Resources } from './support/template';

/**
 * The stack against the handlers: each function's environment holds what its handler reads at
 * cold start (`readEnvironment({...})` in the handler and in every module it imports), and nothing
 * the handler does not read. Read from the handler sources, so a variable added to a handler and
 * forgotten in the stack fails here, not at the first invocation in AWS.
 */

/** Set by the house construct on every function; not read through readEnvironment. */
const HOUSE_VARIABLES = ['NODE_OPTIONS', 'POWERTOOLS_SERVICE_NAME', 'POWERTOOLS_METRICS_NAMESPACE'];

interface EnvironmentKey {
  readonly name: string;
  readonly required: boolean;
  /** Where it is read, for the failure message. */
  readonly file: string;
}

/** The top-level `KEY: schema` entries of every `readEnvironment({ ... })` call in a source text. */
function readEnvironmentEntries(source: string): Array<{ name: string; schema: string }> {
  const entries: Array<{ name: string; schema: string }> = [];
  for (
    let at = source.indexOf('readEnvironment({');
    at !== -1;
    at = source.indexOf('readEnvironment({', at + 1)
  ) {
    const body = balanced(source, at + 'readEnvironment('.length);
    for (const part of splitTopLevel(body.slice(1, -1))) {
      const match = /^\s*([A-Z][A-Z0-9_]*)\s*:\s*([\s\S]+?)\s*$/.exec(part);
      if (match?.[1] !== undefined && match[2] !== undefined)
        entries.push({ name: match[1], schema: match[2] });
    }
  }
  return entries;
}

/**
 * Walks `text` from `start`, skipping strings, with the bracket depth at each character; stops
 * when `visit` returns true.
 */
function scan(
  text: string,
  start: number,
  visit: (char: string, depth: number, at: number) => boolean,
): void {
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const char = text[i] ?? '';
    if (char === '"' || char === "'" || char === '`') {
      i = text.indexOf(char, i + 1);
      continue;
    }
    if (char === '(' || char === '[' || char === '{') depth++;
    if (char === ')' || char === ']' || char === '}') depth--;
    if (visit(char, depth, i)) return;
  }
}

/** The bracketed text starting at `start` (an opening bracket), brackets included. */
function balanced(source: string, start: number): string {
  let end = -1;
  scan(source, start, (_char, depth, at) => {
    if (depth === 0) end = at;
    return depth === 0;
  });
  if (end === -1) throw new Error('unbalanced readEnvironment call');
  return source.slice(start, end + 1);
}

/** Splits at commas outside brackets and strings. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let from = 0;
  scan(text, 0, (char, depth, at) => {
    if (char === ',' && depth === 0) {
      parts.push(text.slice(from, at));
      from = at + 1;
    }
    return false;
  });
  parts.push(text.slice(from));
  return parts.filter((part) => part.trim() !== '');
}

/** Whether a schema, as written, accepts a missing variable. */
function acceptsMissing(schema: string): boolean {
  // A shared schema from lambdas/platform/environment.ts: ask it.
  const shared = (environmentSchemas as Record<string, unknown>)[schema];
  if (shared !== undefined) return (shared as z.ZodType).safeParse(undefined).success;
  return /\.optional\(\)|\.default\(/.test(schema);
}

/** The lambdas/ modules a module imports, transitively, itself included. */
function modulesReachedFrom(entry: string, seen = new Set<string>()): Set<string> {
  if (seen.has(entry)) return seen;
  seen.add(entry);
  const source = readFileSync(entry, 'utf8');
  for (const match of source.matchAll(/from '(\.{1,2}\/[^']+)'/g)) {
    const target = path.resolve(path.dirname(entry), (match[1] ?? '').replace(/\.js$/, ''));
    modulesReachedFrom(`${target}.ts`, seen);
  }
  return seen;
}

/** Every variable a handler reads through readEnvironment, directly or through its imports. */
function keysReadBy(entry: string): EnvironmentKey[] {
  return [...modulesReachedFrom(path.join(REPO_ROOT, entry))].flatMap((file) =>
    readEnvironmentEntries(readFileSync(file, 'utf8')).map(({ name, schema }) => ({
      name,
      required: !acceptsMissing(schema),
      file: path.relative(REPO_ROOT, file),
    })),
  );
}

const { stack, template, helpers } = exampleStack();

const functions = (): Array<[string, MailroomFunction]> => [
  ['api', stack.api.function],
  ['sender', stack.sender.function],
  ['fanout', stack.campaigns.fanout],
  ['scheduler', stack.campaigns.scheduler],
  ['events', stack.feedback.function],
];

function environmentOf(fn: MailroomFunction): Record<string, unknown> {
  const environment = helpers.resourceOf(fn.lambda).Properties?.Environment as
    | { Variables: Record<string, unknown> }
    | undefined;
  return environment?.Variables ?? {};
}

describe('function environments against the handlers', () => {
  it('finds the keys of a readEnvironment call, and which of them may be missing', () => {
    const entries = readEnvironmentEntries(
      "const env = readEnvironment({\n  A_TABLE: tableName,\n  B: z.enum(['x', 'y']).default('x'),\n  C: z.coerce.number().min(0, 'a, b').optional(),\n  D: z.string().url(),\n});",
    );

    expect(entries.map(({ name, schema }) => [name, acceptsMissing(schema)])).toEqual([
      ['A_TABLE', false],
      ['B', true],
      ['C', true],
      ['D', false],
    ]);
    expect(acceptsMissing('maxSendRateOverride')).toBe(true);
    expect(acceptsMissing('queueUrl')).toBe(false);
  });

  it.each(['api', 'sender', 'fanout', 'scheduler', 'events'])(
    '%s: sets every variable its handler requires at cold start',
    (name) => {
      const fn = functions().find(([candidate]) => candidate === name)?.[1];
      if (fn === undefined) throw new Error(`no function ${name}`);
      const keys = keysReadBy(fn.entry);
      expect(keys.length).toBeGreaterThan(0);
      const missing = keys
        .filter((key) => key.required && !(key.name in environmentOf(fn)))
        .map((key) => `${key.name} (read in ${key.file})`);

      expect(missing).toEqual([]);
    },
  );

  it.each(['api', 'sender', 'fanout', 'scheduler', 'events'])(
    '%s: sets no variable its handler does not read',
    (name) => {
      const fn = functions().find(([candidate]) => candidate === name)?.[1];
      if (fn === undefined) throw new Error(`no function ${name}`);
      const read = new Set([...HOUSE_VARIABLES, ...keysReadBy(fn.entry).map((key) => key.name)]);

      expect(Object.keys(environmentOf(fn)).filter((variable) => !read.has(variable))).toEqual([]);
    },
  );

  it('gives every function that signs or checks unsubscribe links the secret ARN, never the secret', () => {
    const readers = functions().filter(([, fn]) =>
      keysReadBy(fn.entry).some((key) => key.name === 'UNSUBSCRIBE_SECRET_ARN'),
    );

    expect(readers.map(([name]) => name)).toEqual(['api', 'sender']);
    for (const [, fn] of readers) {
      expect(environmentOf(fn)).toHaveProperty('UNSUBSCRIBE_SECRET_ARN');
      expect(environmentOf(fn)).not.toHaveProperty('UNSUBSCRIBE_SECRET');
    }
  });

  it.each(['api', 'sender', 'fanout', 'scheduler', 'events'])(
    '%s: its handler module loads with exactly this environment (the zod check at cold start passes)',
    (name) => {
      const fn = functions().find(([candidate]) => candidate === name)?.[1];
      if (fn === undefined) throw new Error(`no function ${name}`);
      const resources = synthesizedResources();
      const variables = Object.fromEntries(
        Object.entries(environmentOf(fn)).map(([key, value]) => [key, plausible(value, resources)]),
      );
      const saved = process.env;
      process.env = { ...variables, AWS_REGION: 'eu-west-1' };
      try {
        let loaded: unknown;
        jest.isolateModules(() => {
          loaded = require(path.join(REPO_ROOT, fn.entry));
        });

        expect(loaded).toHaveProperty('handler');
      } finally {
        process.env = saved;
      }
    },
  );
});

function synthesizedResources(): Resources {
  return template.toJSON().Resources as Resources;
}

/**
 * A CloudFormation value as the function would see it in AWS, close enough for its schema: a
 * queue's Ref is its URL, a topic's or a secret's Ref its ARN, GetAtt Arn an ARN.
 */
function plausible(value: unknown, resources: Resources): string {
  if (typeof value === 'string') return value;
  const fn = value as Record<string, unknown>;
  const join = fn['Fn::Join'];
  if (Array.isArray(join)) {
    const [delimiter, items] = join as [string, unknown[]];
    return items.map((item) => plausible(item, resources)).join(delimiter);
  }
  const arn = (service: string, id: string) => `arn:aws:${service}:eu-west-1:123456789012:${id}`;
  const getAtt = fn['Fn::GetAtt'];
  if (Array.isArray(getAtt)) {
    const [id = '', attribute] = getAtt as string[];
    const type = resources[id]?.Type ?? '';
    if (attribute !== 'Arn') throw new Error(`unexpected GetAtt ${id}.${attribute}`);
    return arn(type.split('::')[1]?.toLowerCase() ?? 'unknown', id);
  }
  const ref = fn.Ref;
  if (typeof ref === 'string') {
    if (ref === 'AWS::URLSuffix') return 'amazonaws.com';
    const type = resources[ref]?.Type;
    if (type === 'AWS::SQS::Queue') return `https://sqs.eu-west-1.amazonaws.com/123456789012/${ref}`;
    if (type === 'AWS::SNS::Topic') return arn('sns', ref);
    if (type === 'AWS::SecretsManager::Secret') return arn('secretsmanager', `secret:${ref}`);
    // Table and configuration set names, the API id (a host name label).
    return ref.toLowerCase();
  }
  throw new Error(`cannot render ${JSON.stringify(value)}`);
}
