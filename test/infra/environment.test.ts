import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { FUNCTIONS, type FunctionName, VARIABLES, type VariableName } from '../../contract/functions';
import { VARIABLE_SCHEMAS } from '../../lambdas/platform/environment';
import {
  MailroomFunction as HouseFunction,
  type MailroomFunction,
  REPO_ROOT,
} from '../../lib/constructs/mailroom-function';
import { stackBundler } from './support/bundle';
import { exampleStack } from './support/example-stack';
import type { Resources } from './support/template';

/**
 * The stack, the handlers and the deployment contract (contract/functions.ts) agree: each function
 * is given exactly the variables its contract lists (synth refuses anything else), and each
 * handler reads them at cold start through the contract, so it starts with them and refuses to
 * start without any required one.
 */

/** Set by the house construct on every function; not part of the contract. */
const HOUSE_VARIABLES = ['NODE_OPTIONS', 'POWERTOOLS_SERVICE_NAME', 'POWERTOOLS_METRICS_NAMESPACE'];
const FUNCTION_NAMES = Object.keys(FUNCTIONS) as FunctionName[];

const { stack, template, helpers } = exampleStack();
const bundler = stackBundler();
afterAll(() => bundler.remove());

const functionsOfStack = (): Record<FunctionName, MailroomFunction> => ({
  api: stack.api.function,
  sender: stack.sender.function,
  fanout: stack.campaigns.fanout,
  scheduler: stack.campaigns.scheduler,
  events: stack.feedback.function,
  webhooks: stack.webhooks.function,
});

function environmentOf(fn: MailroomFunction): Record<string, unknown> {
  const environment = helpers.resourceOf(fn.lambda).Properties?.Environment as
    | { Variables: Record<string, unknown> }
    | undefined;
  return environment?.Variables ?? {};
}

const isOptional = (name: VariableName) => {
  const source = VARIABLES[name];
  return 'optional' in source && source.optional === true;
};

/** The handler module loaded with `variables` as its whole environment (plus a region). */
function loadHandler(name: FunctionName, variables: Record<string, string>): unknown {
  const saved = process.env;
  process.env = { ...variables, AWS_REGION: 'eu-west-1' };
  try {
    let loaded: unknown;
    jest.isolateModules(() => {
      loaded = require(path.join(REPO_ROOT, FUNCTIONS[name].entry));
    });
    return loaded;
  } finally {
    process.env = saved;
  }
}

/** The stack's environment for `name`, as the function would see it in AWS. */
function deployedEnvironment(name: FunctionName): Record<string, string> {
  const resources = template.toJSON().Resources as Resources;
  return Object.fromEntries(
    Object.entries(environmentOf(functionsOfStack()[name])).map(([key, value]) => [
      key,
      plausible(value, resources),
    ]),
  );
}

describe('function environments: stack, contract and handlers', () => {
  it('is the contract that names each function: its construct builds the handler the contract gives', () => {
    for (const name of FUNCTION_NAMES) {
      expect({ name, entry: functionsOfStack()[name].entry }).toEqual({ name, entry: FUNCTIONS[name].entry });
    }
  });

  it.each(FUNCTION_NAMES)(
    '%s: the stack sets every required variable of its contract and nothing else',
    (name) => {
      const set = Object.keys(environmentOf(functionsOfStack()[name])).filter(
        (v) => !HOUSE_VARIABLES.includes(v),
      );
      const listed: readonly string[] = FUNCTIONS[name].environment;
      const required = FUNCTIONS[name].environment.filter((v) => !isOptional(v));

      expect(set.filter((v) => !listed.includes(v))).toEqual([]);
      expect(required.filter((v) => !set.includes(v))).toEqual([]);
    },
  );

  it('refuses at synth a function given a variable its contract does not list, or missing a required one', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const scope = new Stack(app, 'Contract');
    const fn = new HouseFunction(scope, 'Scheduler', {
      contract: 'scheduler',
      description: 'a scheduler with the wrong environment',
    });
    fn.setEnv('SENDING_DOMAIN', 'example.com');

    expect(() => Template.fromStack(scope)).toThrow(
      /SENDING_DOMAIN is set but the scheduler function's contract does not list it[\s\S]*CAMPAIGNS_TABLE is required by the scheduler function's contract but is not set/,
    );
  });

  it('refuses at synth a local-mode-only variable set in AWS', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const scope = new Stack(app, 'Contract');
    const fn = new HouseFunction(scope, 'Sender', {
      contract: 'sender',
      description: 'x',
    });
    fn.setEnv('UNSUBSCRIBE_SECRET', 'k'.repeat(40));

    expect(() => Template.fromStack(scope)).toThrow(/UNSUBSCRIBE_SECRET is for local mode only/);
  });

  it('checks an optional variable with a schema that accepts it missing, and a required one with one that does not', () => {
    const wrong = (Object.keys(VARIABLES) as VariableName[]).filter(
      (name) => VARIABLE_SCHEMAS[name].safeParse(undefined).success !== isOptional(name),
    );

    expect(wrong).toEqual([]);
  });

  it('gives the functions that sign or check unsubscribe links the secret ARN, never the secret', () => {
    const readers = FUNCTION_NAMES.filter((name) =>
      (FUNCTIONS[name].environment as readonly string[]).includes('UNSUBSCRIBE_SECRET_ARN'),
    );

    expect(readers).toEqual(['api', 'sender']);
    for (const name of readers) {
      expect(environmentOf(functionsOfStack()[name])).toHaveProperty('UNSUBSCRIBE_SECRET_ARN');
      expect(environmentOf(functionsOfStack()[name])).not.toHaveProperty('UNSUBSCRIBE_SECRET');
    }
  });

  it.each(FUNCTION_NAMES)(
    "%s: its handler module loads with exactly the stack's environment (the check at cold start passes)",
    (name) => {
      expect(loadHandler(name, deployedEnvironment(name))).toHaveProperty('handler');
    },
  );

  it.each(FUNCTION_NAMES)(
    "%s: its bundle, as the stack builds it, loads with the stack's environment and the SDK from outside it",
    (name) => {
      const { file } = bundler.bundleOf(name);
      const script = `process.stdout.write(typeof require(${JSON.stringify(file)}).handler)`;

      const loaded = execFileSync(process.execPath, ['-e', script], {
        env: { PATH: process.env.PATH ?? '', ...deployedEnvironment(name), AWS_REGION: 'eu-west-1' },
        encoding: 'utf8',
      });

      expect(loaded).toBe('function');
    },
    60_000,
  );

  it.each(FUNCTION_NAMES)(
    '%s: its handler refuses to start without any one required variable, naming it',
    (name) => {
      const deployed = deployedEnvironment(name);
      const required = FUNCTIONS[name].environment.filter((v) => !isOptional(v));
      expect(required.length).toBeGreaterThan(0);
      for (const variable of required) {
        const { [variable]: _left, ...without } = deployed;
        expect(() => loadHandler(name, without)).toThrow(new RegExp(`Invalid environment: .*${variable}`));
      }
    },
  );
});

/**
 * A CloudFormation value as the function would see it in AWS, close enough for its schema: a
 * queue's Ref is its URL, a topic's or a secret's Ref its ARN, GetAtt Arn an ARN, a distribution's
 * DomainName a CloudFront host name.
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
    // The console's distribution: its host name (the api function's CORS origin).
    if (type === 'AWS::CloudFront::Distribution' && attribute === 'DomainName')
      return 'd111111abcdef8.cloudfront.net';
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
