import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { type SynthesizedApp, synthesizeMailroom } from './support/app';

interface ValidationReport {
  pluginReports: Array<{ pluginName: string; violations: Array<{ ruleName: string }> }>;
}

/** Every acknowledgement recorded in a construct tree, with where it sits and why. */
function acknowledgements(root: IConstruct): Array<{ path: string; id: string; reason: string }> {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          path: construct.node.path,
          id: id.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  );
}

/** A throwaway app with the same gate as bin/mailroom.ts, holding one bare queue. */
function appWithBareQueue(outdir: string): { app: App; queue: sqs.Queue } {
  const app = new App({ outdir });
  const stack = new Stack(app, 'Throwaway');
  // Encrypted and TLS-only, but without a dead-letter queue: AwsSolutions-SQS3.
  const queue = new sqs.Queue(stack, 'NoDeadLetterQueue', {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, queue };
}

describe('cdk-nag gate (AwsSolutions)', () => {
  let mailroom: SynthesizedApp;
  let outdir: string;

  beforeAll(() => {
    // Findings do not depend on the bundled code, so this synth skips esbuild.
    mailroom = synthesizeMailroom(undefined, { bundle: false });
  });

  beforeEach(() => {
    outdir = mkdtempSync(path.join(tmpdir(), 'mailroom-nag-'));
  });

  afterEach(() => {
    rmSync(outdir, { recursive: true, force: true });
    jest.restoreAllMocks();
  });

  afterAll(() => mailroom.cleanup());

  it('finds nothing unacknowledged in the example app', () => {
    // synthesizeMailroom ran app.synth() with the gate: reaching here means it did not throw.
    const { violations } = new AwsSolutionsChecks().validateScope(mailroom.app);

    expect(violations.map((violation) => violation.ruleName)).toEqual([]);
  });

  it('fails the synth of an app with a non-compliant resource', () => {
    const { app } = appWithBareQueue(outdir);
    jest.spyOn(console, 'error').mockImplementation(() => undefined);
    jest.spyOn(console, 'log').mockImplementation(() => undefined);

    expect(() => app.synth()).toThrow(/AwsSolutions-SQS3/);
    const report = JSON.parse(
      readFileSync(path.join(outdir, 'validation-report.json'), 'utf8'),
    ) as ValidationReport;
    const rules = report.pluginReports.flatMap((plugin) => plugin.violations.map((v) => v.ruleName));
    expect(rules).toEqual(['AwsSolutions-SQS3']);
  });

  it('lets the synth pass once the finding is acknowledged on the resource', () => {
    const { app, queue } = appWithBareQueue(outdir);
    Validations.of(queue).acknowledge({ id: 'AwsSolutions-SQS3', reason: 'Throwaway queue for this test.' });

    expect(() => app.synth()).not.toThrow();
  });

  it('records exactly these acknowledgements in the example app, each with a reason', () => {
    const acks = acknowledgements(mailroom.app);

    expect(acks.filter((ack) => ack.reason.trim().length < 40)).toEqual([]);
    const listed = acks.map((ack) => `${ack.path.replace(/^[^/]+\//, '')}: ${ack.id}`).sort();
    // The console's CORS preflights: one OPTIONS mock per /v1 resource, each unauthenticated (CORS
    // sends preflights without credentials), with both findings acknowledged on it.
    const preflights = listed.filter((ack) => /\/OPTIONS: /.test(ack));
    expect(preflights.length).toBeGreaterThan(30);
    for (const ack of preflights) {
      expect(ack).toMatch(/^Api\/RestApi\/Default\/v1(\/[^:]*)?\/OPTIONS: AwsSolutions-(APIG4|COG4)$/);
    }
    expect(listed.filter((ack) => !preflights.includes(ack))).toEqual([
      // The admin policy: each route with path parameters, written *.
      'Api/AdminPolicy: AwsSolutions-IAM5[Resource::arn:aws:execute-api:eu-west-1:123456789012:<ApiRestApiE35FEAFE>/live/DELETE/v1/suppressions/*]',
      'Api/AdminPolicy: AwsSolutions-IAM5[Resource::arn:aws:execute-api:eu-west-1:123456789012:<ApiRestApiE35FEAFE>/live/DELETE/v1/templates/*]',
      'Api/AdminPolicy: AwsSolutions-IAM5[Resource::arn:aws:execute-api:eu-west-1:123456789012:<ApiRestApiE35FEAFE>/live/DELETE/v1/webhooks/*]',
      'Api/AdminPolicy: AwsSolutions-IAM5[Resource::arn:aws:execute-api:eu-west-1:123456789012:<ApiRestApiE35FEAFE>/live/GET/v1/campaigns/*/recipients/*]',
      'Api/AdminPolicy: AwsSolutions-IAM5[Resource::arn:aws:execute-api:eu-west-1:123456789012:<ApiRestApiE35FEAFE>/live/GET/v1/campaigns/*]',
      'Api/AdminPolicy: AwsSolutions-IAM5[Resource::arn:aws:execute-api:eu-west-1:123456789012:<ApiRestApiE35FEAFE>/live/GET/v1/emails/*]',
      'Api/AdminPolicy: AwsSolutions-IAM5[Resource::arn:aws:execute-api:eu-west-1:123456789012:<ApiRestApiE35FEAFE>/live/GET/v1/suppressions/*]',
      'Api/AdminPolicy: AwsSolutions-IAM5[Resource::arn:aws:execute-api:eu-west-1:123456789012:<ApiRestApiE35FEAFE>/live/GET/v1/templates/*]',
      'Api/AdminPolicy: AwsSolutions-IAM5[Resource::arn:aws:execute-api:eu-west-1:123456789012:<ApiRestApiE35FEAFE>/live/GET/v1/webhooks/*/deliveries]',
      'Api/AdminPolicy: AwsSolutions-IAM5[Resource::arn:aws:execute-api:eu-west-1:123456789012:<ApiRestApiE35FEAFE>/live/GET/v1/webhooks/*]',
      'Api/AdminPolicy: AwsSolutions-IAM5[Resource::arn:aws:execute-api:eu-west-1:123456789012:<ApiRestApiE35FEAFE>/live/PATCH/v1/campaigns/*]',
      'Api/AdminPolicy: AwsSolutions-IAM5[Resource::arn:aws:execute-api:eu-west-1:123456789012:<ApiRestApiE35FEAFE>/live/POST/v1/campaigns/*/cancel]',
      'Api/AdminPolicy: AwsSolutions-IAM5[Resource::arn:aws:execute-api:eu-west-1:123456789012:<ApiRestApiE35FEAFE>/live/POST/v1/campaigns/*/pause]',
      'Api/AdminPolicy: AwsSolutions-IAM5[Resource::arn:aws:execute-api:eu-west-1:123456789012:<ApiRestApiE35FEAFE>/live/POST/v1/campaigns/*/recipients]',
      'Api/AdminPolicy: AwsSolutions-IAM5[Resource::arn:aws:execute-api:eu-west-1:123456789012:<ApiRestApiE35FEAFE>/live/POST/v1/campaigns/*/resume]',
      'Api/AdminPolicy: AwsSolutions-IAM5[Resource::arn:aws:execute-api:eu-west-1:123456789012:<ApiRestApiE35FEAFE>/live/POST/v1/campaigns/*/send]',
      'Api/AdminPolicy: AwsSolutions-IAM5[Resource::arn:aws:execute-api:eu-west-1:123456789012:<ApiRestApiE35FEAFE>/live/POST/v1/campaigns/*/test]',
      'Api/AdminPolicy: AwsSolutions-IAM5[Resource::arn:aws:execute-api:eu-west-1:123456789012:<ApiRestApiE35FEAFE>/live/POST/v1/webhooks/*/enable]',
      'Api/AdminPolicy: AwsSolutions-IAM5[Resource::arn:aws:execute-api:eu-west-1:123456789012:<ApiRestApiE35FEAFE>/live/POST/v1/webhooks/*/test]',
      'Api/AdminPolicy: AwsSolutions-IAM5[Resource::arn:aws:execute-api:eu-west-1:123456789012:<ApiRestApiE35FEAFE>/live/PUT/v1/suppressions/*]',
      'Api/AdminPolicy: AwsSolutions-IAM5[Resource::arn:aws:execute-api:eu-west-1:123456789012:<ApiRestApiE35FEAFE>/live/PUT/v1/templates/*]',
      // xray, ses:GetAccount, ses:DeleteSuppressedDestination
      // publishing to the product events topic, encrypted with a customer-managed key
      'Api/Function/Role: AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
      'Api/Function/Role: AwsSolutions-IAM5[Resource::*]',
      'Api/Function/Role: AwsSolutions-IAM5[Resource::*]',
      'Api/Function/Role: AwsSolutions-IAM5[Resource::*]',
      'Api/RestApi/Default/unsubscribe/GET: AwsSolutions-APIG4',
      'Api/RestApi/Default/unsubscribe/GET: AwsSolutions-COG4',
      'Api/RestApi/Default/unsubscribe/POST: AwsSolutions-APIG4',
      'Api/RestApi/Default/unsubscribe/POST: AwsSolutions-COG4',
      'Api/RestApi/Default/v1: AwsSolutions-COG4',
      'Api/RestApi: AwsSolutions-APIG3',
      'Api/RestApi: AwsSolutions-APIG6',
      // The send-only policy: GET /v1/emails/{id} and GET /v1/templates/{name}.
      'Api/SendOnlyPolicy: AwsSolutions-IAM5[Resource::arn:aws:execute-api:eu-west-1:123456789012:<ApiRestApiE35FEAFE>/live/GET/v1/emails/*]',
      'Api/SendOnlyPolicy: AwsSolutions-IAM5[Resource::arn:aws:execute-api:eu-west-1:123456789012:<ApiRestApiE35FEAFE>/live/GET/v1/templates/*]',
      // xray, ses:GetAccount
      'Campaigns/Fanout/Role: AwsSolutions-IAM5[Resource::*]',
      'Campaigns/Fanout/Role: AwsSolutions-IAM5[Resource::*]',
      'Campaigns/Scheduler/Role: AwsSolutions-IAM5[Resource::*]',
      // The console: its bucket, distribution and user pool (lib/constructs/console.ts).
      'Console/Assets: AwsSolutions-S1',
      'Console/Distribution: AwsSolutions-CFR1',
      'Console/Distribution: AwsSolutions-CFR2',
      'Console/Distribution: AwsSolutions-CFR3',
      'Console/Distribution: AwsSolutions-CFR4',
      'Console/Users: AwsSolutions-COG2',
      'Console/Users: AwsSolutions-COG8',
      // CDK's BucketDeployment function, which copies the console build (its own grants and runtime).
      'Custom::CDKBucketDeployment8693BB64968944B69AAFB0CC9EB8756C256MiB/ServiceRole: AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      'Custom::CDKBucketDeployment8693BB64968944B69AAFB0CC9EB8756C256MiB/ServiceRole: AwsSolutions-IAM5[Action::s3:Abort*]',
      'Custom::CDKBucketDeployment8693BB64968944B69AAFB0CC9EB8756C256MiB/ServiceRole: AwsSolutions-IAM5[Action::s3:DeleteObject*]',
      'Custom::CDKBucketDeployment8693BB64968944B69AAFB0CC9EB8756C256MiB/ServiceRole: AwsSolutions-IAM5[Action::s3:GetBucket*]',
      'Custom::CDKBucketDeployment8693BB64968944B69AAFB0CC9EB8756C256MiB/ServiceRole: AwsSolutions-IAM5[Action::s3:GetObject*]',
      'Custom::CDKBucketDeployment8693BB64968944B69AAFB0CC9EB8756C256MiB/ServiceRole: AwsSolutions-IAM5[Action::s3:List*]',
      'Custom::CDKBucketDeployment8693BB64968944B69AAFB0CC9EB8756C256MiB/ServiceRole: AwsSolutions-IAM5[Resource::*]',
      'Custom::CDKBucketDeployment8693BB64968944B69AAFB0CC9EB8756C256MiB/ServiceRole: AwsSolutions-IAM5[Resource::<ConsoleAssets8400950A.Arn>/*]',
      'Custom::CDKBucketDeployment8693BB64968944B69AAFB0CC9EB8756C256MiB/ServiceRole: AwsSolutions-IAM5[Resource::arn:aws:s3:::cdk-hnb659fds-assets-123456789012-eu-west-1/*]',
      'Custom::CDKBucketDeployment8693BB64968944B69AAFB0CC9EB8756C256MiB: AwsSolutions-L1',
      'Feedback/Function/Role: AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
      'Feedback/Function/Role: AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
      'Feedback/Function/Role: AwsSolutions-IAM5[Resource::*]',
      'Feedback/UnsubscribeSecret: AwsSolutions-SMG4',
      'Queues/BulkDeadLetter: AwsSolutions-SQS3',
      'Queues/EventsDeadLetter: AwsSolutions-SQS3',
      'Queues/FanoutDeadLetter: AwsSolutions-SQS3',
      'Queues/TransactionalDeadLetter: AwsSolutions-SQS3',
      'Queues/WebhooksDeadLetter: AwsSolutions-SQS3',
      'Sender/Function/Role: AwsSolutions-IAM5[Resource::*]',
      'Sender/Function/Role: AwsSolutions-IAM5[Resource::*]',
      // ses:SendEmail on every identity of the account: the sandbox checks each recipient's.
      'Sender/Function/Role: AwsSolutions-IAM5[Resource::arn:aws:ses:eu-west-1:123456789012:identity/*]',
      // xray; publishing webhook_disabled to the product events topic (customer-managed key)
      'Webhooks/Function/Role: AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
      'Webhooks/Function/Role: AwsSolutions-IAM5[Resource::*]',
    ]);
  });

  it("lets only the two /unsubscribe methods and the console's CORS preflights go without authorization", () => {
    const unauthorized = acknowledgements(mailroom.app)
      .filter((ack) => ack.id === 'AwsSolutions-APIG4')
      .map((ack) => ack.path.replace(/^[^/]+\//, ''))
      // A preflight is a mock answering CORS headers; it reaches no function (console.test.ts).
      .filter((path) => !path.endsWith('/OPTIONS'));

    expect(unauthorized.sort()).toEqual([
      'Api/RestApi/Default/unsubscribe/GET',
      'Api/RestApi/Default/unsubscribe/POST',
    ]);
  });
});
