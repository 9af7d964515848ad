import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  APIGatewayClient,
  BadRequestException,
  GetAccountCommand as GetApiGatewayAccountCommand,
  UpdateAccountCommand,
} from '@aws-sdk/client-api-gateway';
import {
  CloudFormationClient,
  DescribeStacksCommand,
  ListStackResourcesCommand,
} from '@aws-sdk/client-cloudformation';
import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  GetRoleCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  NoSuchEntityException,
} from '@aws-sdk/client-iam';
import {
  GetAccountSettingsCommand,
  GetFunctionConcurrencyCommand,
  LambdaClient,
} from '@aws-sdk/client-lambda';
import { GetHostedZoneCommand, ListResourceRecordSetsCommand, Route53Client } from '@aws-sdk/client-route-53';
import {
  GetConfigurationSetCommand,
  GetEmailIdentityCommand,
  GetAccountCommand as GetSesAccountCommand,
  NotFoundException,
  SESv2Client,
} from '@aws-sdk/client-sesv2';
import { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { main } from '../../deploy/preflight/cli';

const sts = mockClient(STSClient);
const ssm = mockClient(SSMClient);
const lambda = mockClient(LambdaClient);
const apiGateway = mockClient(APIGatewayClient);
const sesv2 = mockClient(SESv2Client);
const cloudFormation = mockClient(CloudFormationClient);
const route53 = mockClient(Route53Client);
const iam = mockClient(IAMClient);
const mocks = [sts, ssm, lambda, apiGateway, sesv2, cloudFormation, route53, iam];

const ACCOUNT = '123456789012';
const LOGGING_ROLE = `arn:aws:iam::${ACCOUNT}:role/APIGatewayCloudWatchLogsRole`;
const $metadata = { httpStatusCode: 404 };

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'preflight-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeEach(() => {
  for (const mock of mocks) mock.reset();
});

/** Writes a client config for mail.acme.com in eu-west-1 and answers its path. */
function configFile(overrides: Record<string, unknown> = {}, name = 'acme.json'): string {
  const path = join(dir, name);
  writeFileSync(
    path,
    JSON.stringify({
      account: ACCOUNT,
      region: 'eu-west-1',
      sendingDomain: 'mail.acme.com',
      fromAddress: 'no-reply@mail.acme.com',
      ...overrides,
    }),
  );
  return path;
}
const withZone = { hostedZone: { zoneId: 'Z0123456789ABC', zoneName: 'acme.com' } };

async function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const sleeps: number[] = [];
  const code = await main(argv, {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    env: {},
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  });
  return { code, out: out.join('\n'), err: err.join('\n'), sleeps };
}

/** An established account in production with everything in place and nothing in the way. */
function productionAccount() {
  sts
    .on(GetCallerIdentityCommand)
    .resolves({ Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:user/deployer` });
  ssm.on(GetParameterCommand).resolves({ Parameter: { Value: '30' } });
  lambda
    .on(GetAccountSettingsCommand)
    .resolves({ AccountLimit: { ConcurrentExecutions: 1000, UnreservedConcurrentExecutions: 1000 } });
  apiGateway.on(GetApiGatewayAccountCommand).resolves({ cloudwatchRoleArn: LOGGING_ROLE });
  sesv2.on(GetSesAccountCommand).resolves({
    ProductionAccessEnabled: true,
    SendingEnabled: true,
    EnforcementStatus: 'HEALTHY',
    SendQuota: { MaxSendRate: 14, Max24HourSend: 50000, SentLast24Hours: 0 },
  });
  sesv2.on(GetEmailIdentityCommand).rejects(new NotFoundException({ message: 'not found', $metadata }));
  sesv2.on(GetConfigurationSetCommand).rejects(new NotFoundException({ message: 'not found', $metadata }));
  cloudFormation.on(DescribeStacksCommand).resolves({ Stacks: [] });
  route53.on(GetHostedZoneCommand).resolves({
    HostedZone: {
      Id: '/hostedzone/Z0123456789ABC',
      Name: 'acme.com.',
      CallerReference: 'x',
      Config: { PrivateZone: false },
    },
  });
  route53
    .on(ListResourceRecordSetsCommand)
    .resolves({ ResourceRecordSets: [], IsTruncated: false, MaxItems: 50 });
}

/** A brand-new account: SES sandbox, a Lambda quota of 10, API Gateway never used in the region. */
function newSandboxAccount() {
  productionAccount();
  lambda
    .on(GetAccountSettingsCommand)
    .resolves({ AccountLimit: { ConcurrentExecutions: 10, UnreservedConcurrentExecutions: 10 } });
  apiGateway.on(GetApiGatewayAccountCommand).resolves({});
  sesv2.on(GetSesAccountCommand).resolves({
    ProductionAccessEnabled: false,
    SendingEnabled: true,
    EnforcementStatus: 'HEALTHY',
    SendQuota: { MaxSendRate: 1, Max24HourSend: 200, SentLast24Hours: 0 },
  });
}

const line = (status: string, name: string) => new RegExp(`^${status} +${name} `, 'm');

describe('npm run preflight', () => {
  it('blocks a brand-new sandbox account with a quota of 10 on concurrency and the logging role, and warns about the sandbox', async () => {
    newSandboxAccount();

    const { code, out } = await run(['-c', `config=${configFile()}`]);

    expect(code).toBe(1);
    expect(out).toMatch(line('blocker', 'Lambda concurrency'));
    expect(out).toMatch(line('blocker', 'API Gateway logging role'));
    expect(out).toMatch(line('warning', 'SES production access'));
    expect(out).toMatch(line('ok', 'CDK bootstrap'));
    expect(out).toContain('--quota-code L-B99A9384 --desired-value 1000 --region eu-west-1');
    expect(out).toContain('--fix api-gateway-logging-role');
    expect(out).toContain('2 blockers, 1 warning');
  });

  it('never writes without --fix', async () => {
    newSandboxAccount();

    await run(['-c', `config=${configFile()}`]);

    expect(apiGateway.commandCalls(UpdateAccountCommand)).toHaveLength(0);
    expect(iam.calls()).toHaveLength(0);
  });

  it('passes a production account with everything in place, every line ok, exit 0', async () => {
    productionAccount();

    const { code, out } = await run(['-c', `config=${configFile(withZone)}`]);

    expect(code).toBe(0);
    const checkLines = out.split('\n').filter((text) => /^(ok|warning|blocker) /.test(text));
    expect(checkLines.length).toBeGreaterThanOrEqual(10);
    expect(checkLines.every((text) => text.startsWith('ok '))).toBe(true);
    expect(out).toContain('account 123456789012, region eu-west-1');
    expect(out).toContain('no blockers, 0 warnings: next, npx cdk deploy -c config=');
  });

  it('blocks an existing identity, and passes it with adoptExistingIdentity, printing its DKIM records', async () => {
    productionAccount();
    sesv2.on(GetEmailIdentityCommand).resolves({
      VerifiedForSendingStatus: true,
      DkimAttributes: {
        Status: 'SUCCESS',
        SigningAttributesOrigin: 'AWS_SES',
        Tokens: ['abc', 'def', 'ghi'],
      },
      MailFromAttributes: {
        MailFromDomain: 'bounce.mail.acme.com',
        MailFromDomainStatus: 'SUCCESS',
        BehaviorOnMxFailure: 'USE_DEFAULT_VALUE',
      },
    });

    const fresh = await run(['-c', `config=${configFile()}`]);
    const adopted = await run(['-c', `config=${configFile({ adoptExistingIdentity: true })}`]);

    expect(fresh.code).toBe(1);
    expect(fresh.out).toMatch(line('blocker', 'SES identity'));
    expect(fresh.out).toContain('an identity for mail.acme.com already exists');
    expect(adopted.code).toBe(0);
    expect(adopted.out).toMatch(line('ok', 'SES identity'));
    expect(adopted.out).toContain('abc._domainkey.mail.acme.com CNAME abc.dkim.amazonses.com');
  });

  it('blocks a conflicting DMARC record, and passes with skipDnsRecords', async () => {
    productionAccount();
    route53.on(ListResourceRecordSetsCommand, { StartRecordName: '_dmarc.mail.acme.com' }).resolves({
      ResourceRecordSets: [
        {
          Name: '_dmarc.mail.acme.com.',
          Type: 'TXT',
          TTL: 300,
          ResourceRecords: [{ Value: '"v=DMARC1; p=none"' }],
        },
      ],
      IsTruncated: false,
      MaxItems: 50,
    });

    const conflicting = await run(['-c', `config=${configFile(withZone)}`]);
    const skipped = await run(['-c', `config=${configFile({ ...withZone, skipDnsRecords: ['dmarc'] })}`]);

    expect(conflicting.code).toBe(1);
    expect(conflicting.out).toMatch(line('blocker', 'Route 53 records'));
    expect(conflicting.out).toContain('_dmarc.mail.acme.com TXT "v=DMARC1; p=none"');
    expect(conflicting.out).toContain('"skipDnsRecords": ["dmarc"]');
    expect(skipped.code).toBe(0);
    expect(skipped.out).toMatch(line('ok', 'Route 53 records'));
  });

  it('blocks an account that was never bootstrapped', async () => {
    productionAccount();
    ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ message: '', $metadata }));

    const { code, out } = await run(['-c', `config=${configFile()}`]);

    expect(code).toBe(1);
    expect(out).toMatch(line('blocker', 'CDK bootstrap'));
    expect(out).toContain('npx cdk bootstrap aws://123456789012/eu-west-1');
  });

  it('blocks the wrong account and reads nothing else there', async () => {
    productionAccount();
    sts
      .on(GetCallerIdentityCommand)
      .resolves({ Account: '111111111111', Arn: 'arn:aws:iam::111111111111:user/me' });

    const { code, out } = await run(['-c', `config=${configFile()}`]);

    expect(code).toBe(1);
    expect(out).toContain('you are signed in to 111111111111');
    expect(out).toContain('the config deploys to 123456789012: switch profile');
    expect(ssm.calls()).toHaveLength(0);
    expect(sesv2.calls()).toHaveLength(0);
  });

  it('says how to sign in when there are no credentials, in one line without a stack trace', async () => {
    sts.on(GetCallerIdentityCommand).rejects(
      Object.assign(new Error('Could not load credentials from any providers'), {
        name: 'CredentialsProviderError',
      }),
    );

    const { code, out, err } = await run(['-c', `config=${configFile()}`]);

    expect(code).toBe(1);
    expect(out).toBe('');
    expect(err).toBe(
      'No AWS credentials found: set AWS_PROFILE or run `aws sso login` (or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)',
    );
  });

  it('says an opt-in region may not be enabled when STS rejects the credentials there', async () => {
    const invalidToken = () =>
      Object.assign(new Error('The security token included in the request is invalid.'), {
        name: 'InvalidClientTokenId',
        $metadata: { httpStatusCode: 403 },
      });
    sts.on(GetCallerIdentityCommand).rejects(invalidToken());

    const optIn = await run(['-c', `config=${configFile({ region: 'ap-southeast-7' })}`]);
    const standard = await run(['-c', `config=${configFile()}`]);

    expect(optIn.code).toBe(1);
    expect(optIn.err).toContain('AWS rejected the credentials (InvalidClientTokenId');
    expect(optIn.err).toContain(
      'ap-southeast-7 is an opt-in region that may not be enabled for this account',
    );
    expect(optIn.err).toContain('`aws account enable-region --region-name ap-southeast-7`');
    expect(standard.err).toContain('AWS rejected the credentials (InvalidClientTokenId');
    expect(standard.err).not.toContain('opt-in');
  });

  it('says expired credentials are expired', async () => {
    sts.on(GetCallerIdentityCommand).rejects(
      Object.assign(new Error('The security token included in the request is expired'), {
        name: 'ExpiredToken',
      }),
    );

    const { code, err } = await run(['-c', `config=${configFile()}`]);

    expect(code).toBe(1);
    expect(err).toContain('Your AWS credentials have expired (ExpiredToken)');
  });

  it('turns a denied read into a warning and goes on with the other checks', async () => {
    productionAccount();
    lambda.on(GetAccountSettingsCommand).rejects(
      Object.assign(new Error('User is not authorized to perform: lambda:GetAccountSettings'), {
        name: 'AccessDeniedException',
        $metadata: { httpStatusCode: 403 },
      }),
    );

    const { code, out } = await run(['-c', `config=${configFile()}`]);

    expect(code).toBe(0);
    expect(out).toContain('could not check the Lambda concurrency quota: lambda:GetAccountSettings denied');
    expect(out).toMatch(line('ok', 'SES sending'));
  });

  it('reads every page of stacks and blocks rate shares over 1', async () => {
    productionAccount();
    cloudFormation
      .on(DescribeStacksCommand)
      .resolvesOnce({ Stacks: [], NextToken: 'page-2' })
      .resolves({
        Stacks: [
          {
            StackName: 'Mailroom-staging',
            StackStatus: 'UPDATE_COMPLETE',
            CreationTime: new Date(),
            Description: 'Mailroom: transactional email through Amazon SES for staging.acme.com',
          },
        ],
      });

    const { code, out } = await run(['-c', `config=${configFile()}`]);

    expect(code).toBe(1);
    expect(out).toContain(
      'Mailroom-staging (share 1 = 14/s) and this stack (share 1 = 14/s) would together pace to 28 mails/s',
    );
  });

  it("counts what the deployed stack's functions already reserve", async () => {
    productionAccount();
    lambda
      .on(GetAccountSettingsCommand)
      .resolves({ AccountLimit: { ConcurrentExecutions: 104, UnreservedConcurrentExecutions: 100 } });
    cloudFormation.on(DescribeStacksCommand).resolves({
      Stacks: [
        { StackName: 'Mailroom-mail-acme-com', StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date() },
      ],
    });
    cloudFormation.on(ListStackResourcesCommand).resolves({
      StackResourceSummaries: [
        {
          LogicalResourceId: 'Sender',
          PhysicalResourceId: 'Mailroom-sender',
          ResourceType: 'AWS::Lambda::Function',
          ResourceStatus: 'UPDATE_COMPLETE',
          LastUpdatedTimestamp: new Date(),
        },
      ],
    });
    lambda
      .on(GetFunctionConcurrencyCommand, { FunctionName: 'Mailroom-sender' })
      .resolves({ ReservedConcurrentExecutions: 4 });

    const { out } = await run(['-c', `config=${configFile()}`]);

    expect(out).toMatch(line('ok', 'Lambda concurrency'));
  });

  it("warns instead of a false blocker when the deployed stack's resources cannot be listed", async () => {
    productionAccount();
    lambda
      .on(GetAccountSettingsCommand)
      .resolves({ AccountLimit: { ConcurrentExecutions: 104, UnreservedConcurrentExecutions: 100 } });
    cloudFormation.on(DescribeStacksCommand).resolves({
      Stacks: [
        { StackName: 'Mailroom-mail-acme-com', StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date() },
      ],
    });
    cloudFormation.on(ListStackResourcesCommand).rejects(
      Object.assign(new Error('not authorized to perform: cloudformation:ListStackResources'), {
        name: 'AccessDenied',
        $metadata: { httpStatusCode: 403 },
      }),
    );
    sesv2.on(GetEmailIdentityCommand).resolves({ VerifiedForSendingStatus: true });

    const { code, out } = await run(['-c', `config=${configFile()}`]);

    expect(code).toBe(0);
    expect(out).toMatch(line('warning', 'Lambda concurrency'));
    expect(out).toMatch(line('warning', 'SES identity'));
    expect(out).toContain('cloudformation:ListStackResources denied');
    expect(lambda.commandCalls(GetFunctionConcurrencyCommand)).toHaveLength(0);
  });

  it('blocks adoptExistingIdentity on a deployed stack that created the identity, read from its resources', async () => {
    productionAccount();
    cloudFormation.on(DescribeStacksCommand).resolves({
      Stacks: [
        { StackName: 'Mailroom-mail-acme-com', StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date() },
      ],
    });
    cloudFormation.on(ListStackResourcesCommand, { StackName: 'Mailroom-mail-acme-com' }).resolves({
      StackResourceSummaries: [
        {
          LogicalResourceId: 'IdentityDomain1A2B3C4D',
          PhysicalResourceId: 'mail.acme.com',
          ResourceType: 'AWS::SES::EmailIdentity',
          ResourceStatus: 'CREATE_COMPLETE',
          LastUpdatedTimestamp: new Date(),
        },
      ],
    });
    sesv2.on(GetEmailIdentityCommand).resolves({
      VerifiedForSendingStatus: true,
      DkimAttributes: { Status: 'SUCCESS', SigningAttributesOrigin: 'AWS_SES', Tokens: ['abc'] },
      MailFromAttributes: {
        MailFromDomain: 'bounce.mail.acme.com',
        MailFromDomainStatus: 'SUCCESS',
        BehaviorOnMxFailure: 'USE_DEFAULT_VALUE',
      },
    });

    const kept = await run(['-c', `config=${configFile()}`]);
    const flipped = await run(['-c', `config=${configFile({ adoptExistingIdentity: true })}`]);

    expect(kept.code).toBe(0);
    expect(kept.out).toMatch(line('ok', 'SES identity'));
    expect(flipped.code).toBe(1);
    expect(flipped.out).toMatch(line('blocker', 'SES identity'));
    expect(flipped.out).toContain('would make the next deploy delete it: leave it false');
  });

  it('warns when an adopted identity has no MAIL FROM domain', async () => {
    productionAccount();
    sesv2.on(GetEmailIdentityCommand).resolves({
      VerifiedForSendingStatus: true,
      DkimAttributes: { Status: 'SUCCESS', SigningAttributesOrigin: 'AWS_SES', Tokens: ['abc'] },
    });

    const { code, out } = await run(['-c', `config=${configFile({ adoptExistingIdentity: true })}`]);

    expect(code).toBe(0);
    expect(out).toMatch(line('warning', 'MAIL FROM'));
    expect(out).toContain(
      'aws sesv2 put-email-identity-mail-from-attributes --email-identity mail.acme.com --mail-from-domain bounce.mail.acme.com --behavior-on-mx-failure USE_DEFAULT_VALUE',
    );
  });

  it('checks the zone on a deployed stack too: its own records pass, a CNAME where tracking.customDomain goes blocks', async () => {
    productionAccount();
    sesv2.on(GetEmailIdentityCommand).resolves({ VerifiedForSendingStatus: true });
    cloudFormation.on(DescribeStacksCommand).resolves({
      Stacks: [
        { StackName: 'Mailroom-mail-acme-com', StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date() },
      ],
    });
    cloudFormation.on(ListStackResourcesCommand).resolves({
      StackResourceSummaries: [
        {
          LogicalResourceId: 'IdentityDomain1A2B3C4D',
          PhysicalResourceId: 'mail.acme.com',
          ResourceType: 'AWS::SES::EmailIdentity',
          ResourceStatus: 'CREATE_COMPLETE',
          LastUpdatedTimestamp: new Date(),
        },
        {
          LogicalResourceId: 'IdentityDmarcRecord1A2B3C4D',
          PhysicalResourceId: '_dmarc.mail.acme.com.',
          ResourceType: 'AWS::Route53::RecordSet',
          ResourceStatus: 'CREATE_COMPLETE',
          LastUpdatedTimestamp: new Date(),
        },
      ],
    });
    route53.on(ListResourceRecordSetsCommand, { StartRecordName: '_dmarc.mail.acme.com' }).resolves({
      ResourceRecordSets: [
        {
          Name: '_dmarc.mail.acme.com.',
          Type: 'TXT',
          TTL: 1800,
          ResourceRecords: [{ Value: '"v=DMARC1; p=none"' }],
        },
      ],
      IsTruncated: false,
      MaxItems: 50,
    });
    route53.on(ListResourceRecordSetsCommand, { StartRecordName: 'track.mail.acme.com' }).resolves({
      ResourceRecordSets: [
        {
          Name: 'track.mail.acme.com.',
          Type: 'CNAME',
          TTL: 300,
          ResourceRecords: [{ Value: 'old.example.net' }],
        },
      ],
      IsTruncated: false,
      MaxItems: 50,
    });
    const tracking = { clicks: true, customDomain: 'track.mail.acme.com', sendingDomainVerified: true };

    const first = await run(['-c', `config=${configFile(withZone)}`]);
    const second = await run(['-c', `config=${configFile({ ...withZone, tracking })}`]);

    expect(first.code).toBe(0);
    expect(first.out).toMatch(line('ok', 'Route 53 records'));
    expect(second.code).toBe(1);
    expect(second.out).toMatch(line('blocker', 'Route 53 records'));
    expect(second.out).toContain('track.mail.acme.com CNAME old.example.net');
  });

  it('prints the config error for an invalid config and exits 2', async () => {
    const { code, err } = await run(['-c', `config=${configFile({ senderReservedConcurrency: 'none' })}`]);

    expect(code).toBe(2);
    expect(err).toContain('senderReservedConcurrency: must be a whole number or "off"');
    expect(sts.calls()).toHaveLength(0);
  });

  it('names the config on every error line when several are checked', async () => {
    sts.on(GetCallerIdentityCommand).rejects(
      Object.assign(new Error('Could not load credentials from any providers'), {
        name: 'CredentialsProviderError',
      }),
    );
    const a = configFile({}, 'a.json');
    const b = configFile({ senderReservedConcurrency: 'none' }, 'b.json');

    const { err } = await run(['-c', `config=${a},${b}`]);

    const lines = err.split('\n');
    expect(lines[0]).toBe(
      `${a}: No AWS credentials found: set AWS_PROFILE or run \`aws sso login\` (or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)`,
    );
    expect(lines.slice(1).length).toBeGreaterThan(1);
    expect(lines.slice(1).every((text) => text.startsWith(`${b}: `))).toBe(true);
    expect(err).toContain('senderReservedConcurrency: must be a whole number or "off"');
  });

  it('exits 1, not 2, when one config is invalid and another has a blocker, in either order', async () => {
    productionAccount();
    ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ message: '', $metadata }));
    const blocked = configFile({}, 'blocked.json');
    const invalid = configFile({ senderReservedConcurrency: 'none' }, 'invalid.json');
    const fine = configFile({}, 'fine.json');

    const invalidFirst = await run(['-c', `config=${invalid},${blocked}`]);
    const blockedFirst = await run(['-c', `config=${blocked},${invalid}`]);
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: '30' } });
    const invalidAndFine = await run(['-c', `config=${fine},${invalid}`]);

    expect(invalidFirst.code).toBe(1);
    expect(blockedFirst.code).toBe(1);
    expect(invalidFirst.out).toMatch(line('blocker', 'CDK bootstrap'));
    expect(invalidAndFine.code).toBe(2);
  });

  it.each([
    [[]],
    [['--config', 'x.json']],
    [['-c', 'x.json']],
    [['-c', 'config=x.json', '--fix', 'everything']],
  ])('exits 2 on the usage error %j', async (argv) => {
    const { code, err } = await run(argv);

    expect(code).toBe(2);
    expect(err).toContain('(see --help)');
  });

  it('describes every check, the fix flag and the exit codes with --help', async () => {
    const { code, out } = await run(['--help']);

    expect(code).toBe(0);
    expect(out).toContain('--fix api-gateway-logging-role');
    expect(out).toContain('Exit codes: 0 no blocker');
    expect(out).toContain('1 if any config had\na blocker (an invalid config never hides');
    expect(out).toContain('MAIL FROM');
    expect(out).toContain('other Mailroom stacks');
  });
});

describe('npm run preflight -- --fix api-gateway-logging-role', () => {
  it('creates the role, attaches the policy and sets it when the setting is empty, waiting out IAM propagation', async () => {
    newSandboxAccount();
    apiGateway.on(GetApiGatewayAccountCommand).resolvesOnce({}).resolves({ cloudwatchRoleArn: LOGGING_ROLE });
    iam.on(GetRoleCommand).rejects(new NoSuchEntityException({ message: 'no role', $metadata }));
    iam.on(CreateRoleCommand).resolves({
      Role: {
        Arn: LOGGING_ROLE,
        RoleName: 'APIGatewayCloudWatchLogsRole',
        Path: '/',
        RoleId: 'AROA',
        CreateDate: new Date(),
      },
    });
    iam.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [] });
    apiGateway
      .on(UpdateAccountCommand)
      .rejectsOnce(
        new BadRequestException({
          message: 'The role ARN does not have required permissions set to API Gateway',
          $metadata: { httpStatusCode: 400 },
        }),
      )
      .resolves({ cloudwatchRoleArn: LOGGING_ROLE });

    const { out, sleeps } = await run(['-c', `config=${configFile()}`, '--fix', 'api-gateway-logging-role']);

    const trust = iam.commandCalls(CreateRoleCommand)[0]?.args[0].input.AssumeRolePolicyDocument ?? '';
    expect(JSON.parse(trust).Statement[0].Principal).toEqual({ Service: 'apigateway.amazonaws.com' });
    expect(iam.commandCalls(AttachRolePolicyCommand)[0]?.args[0].input).toEqual({
      RoleName: 'APIGatewayCloudWatchLogsRole',
      PolicyArn: 'arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs',
    });
    const updates = apiGateway.commandCalls(UpdateAccountCommand);
    expect(updates).toHaveLength(2);
    expect(updates[1]?.args[0].input.patchOperations).toEqual([
      { op: 'replace', path: '/cloudwatchRoleArn', value: LOGGING_ROLE },
    ]);
    expect(sleeps).toHaveLength(1);
    expect(out).toContain(`fix: created the IAM role ${LOGGING_ROLE}`);
    expect(out).toContain(`fix: set API Gateway's CloudWatch Logs role in eu-west-1 to ${LOGGING_ROLE}`);
    expect(out).toMatch(line('ok', 'API Gateway logging role'));
  });

  it('reuses an existing role that trusts API Gateway and already has the policy', async () => {
    newSandboxAccount();
    const trust = encodeURIComponent(
      JSON.stringify({
        Statement: [{ Effect: 'Allow', Principal: { Service: 'apigateway.amazonaws.com' } }],
      }),
    );
    iam.on(GetRoleCommand).resolves({
      Role: {
        Arn: LOGGING_ROLE,
        RoleName: 'APIGatewayCloudWatchLogsRole',
        Path: '/',
        RoleId: 'AROA',
        CreateDate: new Date(),
        AssumeRolePolicyDocument: trust,
      },
    });
    iam.on(ListAttachedRolePoliciesCommand).resolves({
      AttachedPolicies: [
        { PolicyArn: 'arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs' },
      ],
    });
    apiGateway.on(UpdateAccountCommand).resolves({ cloudwatchRoleArn: LOGGING_ROLE });

    const { out } = await run(['-c', `config=${configFile()}`, '--fix', 'api-gateway-logging-role']);

    expect(iam.commandCalls(CreateRoleCommand)).toHaveLength(0);
    expect(iam.commandCalls(AttachRolePolicyCommand)).toHaveLength(0);
    expect(apiGateway.commandCalls(UpdateAccountCommand)).toHaveLength(1);
    expect(out).toContain(`fix: reusing the existing IAM role ${LOGGING_ROLE}`);
  });

  it('does nothing when the setting is already there', async () => {
    productionAccount();

    const { code, out } = await run(['-c', `config=${configFile()}`, '--fix', 'api-gateway-logging-role']);

    expect(code).toBe(0);
    expect(iam.calls()).toHaveLength(0);
    expect(apiGateway.commandCalls(UpdateAccountCommand)).toHaveLength(0);
    expect(out).toContain(`is already ${LOGGING_ROLE}: nothing changed`);
  });

  it('refuses to write into the wrong account', async () => {
    newSandboxAccount();
    sts
      .on(GetCallerIdentityCommand)
      .resolves({ Account: '111111111111', Arn: 'arn:aws:iam::111111111111:user/me' });

    const { code } = await run(['-c', `config=${configFile()}`, '--fix', 'api-gateway-logging-role']);

    expect(code).toBe(1);
    expect(iam.calls()).toHaveLength(0);
    expect(apiGateway.calls()).toHaveLength(0);
  });

  it('says which permission is missing when IAM denies the role', async () => {
    newSandboxAccount();
    iam.on(GetRoleCommand).rejects(new NoSuchEntityException({ message: 'no role', $metadata }));
    iam.on(CreateRoleCommand).rejects(
      Object.assign(new Error('not authorized'), {
        name: 'AccessDenied',
        $metadata: { httpStatusCode: 403 },
      }),
    );

    const { code, err } = await run(['-c', `config=${configFile()}`, '--fix', 'api-gateway-logging-role']);

    expect(code).toBe(1);
    expect(err).toContain('fix api-gateway-logging-role failed: iam:CreateRole denied');
    expect(apiGateway.commandCalls(UpdateAccountCommand)).toHaveLength(0);
  });
});
