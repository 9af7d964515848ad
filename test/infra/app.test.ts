import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { REPO_ROOT } from '../../lib/constructs/mailroom-function';
import {
  exampleConfig,
  route53ExampleWithTrackingDomain,
  type SynthesizedApp,
  synthesizeMailroom,
  writeConfigs,
} from './support/app';
import { cfnLintAvailable, lintAssembly } from './support/cfn-lint';

const acme = {
  account: '210987654321',
  region: 'us-east-1',
  stackName: 'AcmeMail',
  sendingDomain: 'mail.acme.com',
  fromAddress: 'hello@mail.acme.com',
  maxSendRate: 14,
  senderConcurrency: 4,
  bulkSenderConcurrency: 3,
  eventsConcurrency: 8,
  reputationGuard: { bounceRate: 0.02, complaintRate: 0.0005, minimumSample: 500 },
  transientBounces: { limit: 5, windowDays: 14 },
  retainData: false,
};

describe('an app with several client configs', () => {
  let configs: ReturnType<typeof writeConfigs>;
  let synthesized: SynthesizedApp;
  let acmeTemplate: Template;
  let exampleTemplate: Template;

  beforeAll(() => {
    // The Route 53 example as well (at its second deploy), so cfn-lint sees the record sets and
    // tracking options too.
    configs = writeConfigs({ example: exampleConfig(), acme, route53: route53ExampleWithTrackingDomain() });
    synthesized = synthesizeMailroom(configs.paths, { bundle: false });
    const [example, acmeStack] = synthesized.stacks;
    if (example === undefined || acmeStack === undefined) throw new Error('expected two stacks');
    exampleTemplate = Template.fromStack(example);
    acmeTemplate = Template.fromStack(acmeStack);
  });

  afterAll(() => {
    synthesized.cleanup();
    configs.cleanup();
  });

  it('synthesizes one stack per config, in its own account and region', () => {
    const stacks = synthesized.assembly.stacks.map((stack) => [
      stack.stackName,
      stack.environment.account,
      stack.environment.region,
    ]);

    expect(stacks.sort()).toEqual([
      ['AcmeMail', '210987654321', 'us-east-1'],
      ['Mailroom-example-org', '123456789012', 'us-east-1'],
      ['Mailroom-mail-example-com', '123456789012', 'eu-west-1'],
    ]);
  });

  it('passes a configured send-rate ceiling to the functions that pace or report by it', () => {
    const functions = acmeTemplate.findResources('AWS::Lambda::Function', {
      Properties: { Environment: { Variables: { MAX_SEND_RATE: '14' } } },
    });
    const services = Object.values(functions).map(
      (fn) => (fn.Properties.Environment.Variables as Record<string, string>).POWERTOOLS_SERVICE_NAME,
    );
    expect(services.sort()).toEqual(['mailroom-api', 'mailroom-fanout', 'mailroom-sender']);
    // Published for the preflight of other stacks in the account, which adds up their rates.
    acmeTemplate.hasOutput('MaxSendRate', { Value: '14' });
    expect(Object.keys(exampleTemplate.findOutputs('MaxSendRate'))).toEqual([]);
  });

  it('sizes the sender by senderConcurrency and bulkSenderConcurrency, the events function by eventsConcurrency', () => {
    acmeTemplate.hasResourceProperties('AWS::Lambda::Function', {
      ReservedConcurrentExecutions: 7,
    });
    const concurrencies = Object.values(acmeTemplate.findResources('AWS::Lambda::EventSourceMapping'))
      .map((mapping) => mapping.Properties.ScalingConfig?.MaximumConcurrency)
      .sort();
    // transactional 4, bulk 3, fan-out 2, webhooks 5, events 8 (not reserved: only the sender is).
    expect(concurrencies).toEqual([2, 3, 4, 5, 8]);
  });

  it("passes the reputation guard and transient bounce settings to the events function, the guard's to the api", () => {
    acmeTemplate.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: {
          POWERTOOLS_SERVICE_NAME: 'mailroom-events',
          BOUNCE_RATE_THRESHOLD: '0.02',
          COMPLAINT_RATE_THRESHOLD: '0.0005',
          GUARD_MINIMUM_SAMPLE: '500',
          TRANSIENT_BOUNCE_LIMIT: '5',
          TRANSIENT_BOUNCE_WINDOW_DAYS: '14',
        },
      },
    });
    // GET /v1/account shows the rates against the same thresholds.
    acmeTemplate.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: {
          POWERTOOLS_SERVICE_NAME: 'mailroom-api',
          BOUNCE_RATE_THRESHOLD: '0.02',
          COMPLAINT_RATE_THRESHOLD: '0.0005',
          GUARD_MINIMUM_SAMPLE: '500',
        },
      },
    });
  });

  it('deletes tables and logs with the stack when retainData is false', () => {
    const tables = acmeTemplate.findResources('AWS::DynamoDB::Table');
    expect(
      Object.values(tables).map((table) => [
        table.DeletionPolicy,
        table.Properties.DeletionProtectionEnabled,
      ]),
    ).toEqual(Array.from({ length: 9 }, () => ['Delete', undefined]));
    const secrets = acmeTemplate.findResources('AWS::SecretsManager::Secret');
    expect(Object.values(secrets).map((secret) => secret.DeletionPolicy)).toEqual(['Delete']);
    const logGroups = acmeTemplate.findResources('AWS::Logs::LogGroup');
    expect(new Set(Object.values(logGroups).map((group) => group.DeletionPolicy))).toEqual(
      new Set(['Delete']),
    );
  });

  it('retains tables, logs and the secret when retainData is true (the default), except when their create rolls back', () => {
    const retained = [
      ...Object.values(exampleTemplate.findResources('AWS::DynamoDB::Table')),
      ...Object.values(exampleTemplate.findResources('AWS::SecretsManager::Secret')),
      ...Object.values(exampleTemplate.findResources('AWS::Logs::LogGroup')),
    ];
    expect(retained.length).toBeGreaterThan(10);
    // A failed first deploy must not leave billed resources behind, piling up with each retry.
    expect(new Set(retained.map((resource) => resource.DeletionPolicy))).toEqual(
      new Set(['RetainExceptOnCreate']),
    );
    expect(new Set(retained.map((resource) => resource.UpdateReplacePolicy))).toEqual(new Set(['Retain']));
    // Nothing anywhere in the template is plainly Retain (left behind by a rolled-back create).
    expect(JSON.stringify(exampleTemplate.toJSON())).not.toContain('"DeletionPolicy":"Retain"');
  });

  it('restricts each sender to its own domain', () => {
    const policies = JSON.stringify(acmeTemplate.findResources('AWS::IAM::Policy'));
    expect(policies).toContain('"ses:FromAddress":"*@mail.acme.com"');
    expect(policies).not.toContain('mail.example.com');
  });

  it('gives each stack its own configuration sets, dashboard and alarm names', () => {
    const namesOf = (template: Template) => [
      ...Object.values(template.findResources('AWS::SES::ConfigurationSet')).map(
        (set) => set.Properties.Name,
      ),
      ...Object.values(template.findResources('AWS::CloudWatch::Dashboard')).map(
        (d) => d.Properties.DashboardName,
      ),
      ...Object.values(template.findResources('AWS::CloudWatch::Alarm')).map(
        (alarm) => alarm.Properties.AlarmName,
      ),
    ];
    const acmeNames = namesOf(acmeTemplate);

    expect(acmeNames.every((name) => String(name).startsWith('AcmeMail-') || name === 'AcmeMail')).toBe(true);
    expect(acmeNames.filter((name) => namesOf(exampleTemplate).includes(name))).toEqual([]);
  });

  it('passes cfn-lint without errors in every region', () => {
    if (!cfnLintAvailable) {
      console.warn('cfn-lint is not on the PATH: the CloudFormation lint of the templates did not run');
      return;
    }
    const { errors, warnings } = lintAssembly(synthesized.assembly);
    if (warnings.length > 0) console.warn(`cfn-lint warnings:\n${warnings.join('\n')}`);
    expect(errors).toEqual([]);
  });

  it('refuses two configs that would produce the same stack', () => {
    const twins = writeConfigs({ one: acme, two: { ...acme, account: '111111111111' } });
    try {
      expect(() => synthesizeMailroom(twins.paths, { bundle: false })).toThrow(
        /two\.json and .*one\.json both produce stack AcmeMail/,
      );
    } finally {
      twins.cleanup();
    }
  });
});

describe('config errors', () => {
  it('are reported for every file before any stack is built', () => {
    const bad = writeConfigs({
      first: { ...acme, account: '1' },
      second: { ...acme, stackName: 'Other', fromAddress: 'x@elsewhere.com' },
    });
    try {
      expect(() => synthesizeMailroom(bad.paths, { bundle: false })).toThrow(
        /first\.json:\n {2}- account: [\s\S]*second\.json:\n {2}- fromAddress: /,
      );
    } finally {
      bad.cleanup();
    }
  });
});

describe('bin/mailroom.ts', () => {
  it('exits 1 with the bad field named when a config does not validate', () => {
    const bad = writeConfigs({ bad: { ...acme, senderConcurrency: 1 } });
    const outdir = mkdtempSync(path.join(tmpdir(), 'mailroom-bin-'));
    try {
      const result = spawnSync(
        process.execPath,
        [
          path.join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
          path.join(REPO_ROOT, 'bin', 'mailroom.ts'),
        ],
        {
          cwd: REPO_ROOT,
          encoding: 'utf8',
          // How the CDK CLI hands context and the output directory to the app.
          env: {
            ...process.env,
            CDK_CONTEXT_JSON: JSON.stringify({ config: bad.paths[0] }),
            CDK_OUTDIR: outdir,
          },
        },
      );

      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(/bad\.json:\n {2}- senderConcurrency: must be at least 2/);
      expect(result.stderr).not.toMatch(/\bat .*\.ts:\d+/);
    } finally {
      bad.cleanup();
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});
