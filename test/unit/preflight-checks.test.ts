import {
  type CheckContext,
  checkApiGatewayLoggingRole,
  checkBootstrap,
  checkConfigurationSets,
  checkCredentials,
  checkDnsRecords,
  checkIdentity,
  checkLambdaConcurrency,
  checkOtherStacks,
  checkSesProductionAccess,
  checkSesSending,
  checkTrackingDomain,
  type IdentityFacts,
  type LambdaFacts,
  type Read,
  type SesAccountFacts,
  type StackFacts,
  type ZoneFacts,
  type ZoneRecordFacts,
} from '../../deploy/preflight/checks';
import { parseClientConfig } from '../../lib/config';

const base = {
  account: '123456789012',
  region: 'eu-west-1',
  sendingDomain: 'mail.acme.com',
  fromAddress: 'no-reply@mail.acme.com',
};
const ctx = (overrides: Record<string, unknown> = {}): CheckContext => ({
  config: parseClientConfig({ ...base, ...overrides }),
  configPath: 'clients/acme.json',
});
const zoned = (overrides: Record<string, unknown> = {}) =>
  ctx({ hostedZone: { zoneId: 'Z0123456789ABC', zoneName: 'acme.com' }, ...overrides });

const value = <T>(v: T): Read<T> => ({ ok: true, value: v });
const denied = (action: string): Read<never> => ({ ok: false, denied: true, action, reason: 'AccessDenied' });

const lambda = (overrides: Partial<LambdaFacts> = {}): Read<LambdaFacts> =>
  value({
    concurrentExecutions: 1000,
    unreservedConcurrentExecutions: 1000,
    reservedByThisStack: 0,
    ...overrides,
  });
const ses = (overrides: Partial<SesAccountFacts> = {}): Read<SesAccountFacts> =>
  value({
    productionAccessEnabled: true,
    sendingEnabled: true,
    enforcementStatus: 'HEALTHY',
    maxSendRate: 14,
    max24HourSend: 50000,
    sentLast24Hours: 12,
    reviewStatus: undefined,
    ...overrides,
  });
const identity = (overrides: Partial<IdentityFacts> = {}): IdentityFacts => ({
  verified: true,
  dkimStatus: 'SUCCESS',
  dkimOrigin: 'AWS_SES',
  dkimTokens: ['tok1', 'tok2', 'tok3'],
  mailFromDomain: 'bounce.mail.acme.com',
  mailFromStatus: 'SUCCESS',
  managedByStack: undefined,
  ...overrides,
});
const stack = (overrides: Partial<StackFacts> = {}): StackFacts => ({
  stackName: 'Mailroom-mail-acme-com',
  status: 'CREATE_COMPLETE',
  description: 'Mailroom: transactional email through Amazon SES for mail.acme.com',
  tags: {},
  outputs: {},
  ...overrides,
});
const noStacks = value<readonly StackFacts[]>([]);
const zone = (records: ZoneRecordFacts[] = []) =>
  value<ZoneFacts>({ found: true, name: 'acme.com', privateZone: false, records });

describe('credentials', () => {
  it('blocks when the credentials are for another account, naming both', () => {
    const result = checkCredentials(ctx().config, {
      account: '111111111111',
      arn: 'arn:aws:iam::111111111111:user/dev',
      partition: 'aws',
    });

    expect(result.status).toBe('blocker');
    expect(result.message).toContain('you are signed in to 111111111111');
    expect(result.message).toContain('the config deploys to 123456789012: switch profile');
  });

  it('passes for the config account', () => {
    const result = checkCredentials(ctx().config, {
      account: '123456789012',
      arn: 'arn:aws:sts::123456789012:assumed-role/Admin/jane',
      partition: 'aws',
    });

    expect(result).toMatchObject({
      status: 'ok',
      message: expect.stringContaining('assumed-role/Admin/jane'),
    });
  });
});

describe('CDK bootstrap', () => {
  it('blocks when the region was never bootstrapped, with the bootstrap command', () => {
    const result = checkBootstrap(ctx().config, value(undefined));

    expect(result.status).toBe('blocker');
    expect(result.details?.join('\n')).toContain('npx cdk bootstrap aws://123456789012/eu-west-1');
  });

  it('blocks a bootstrap older than version 6', () => {
    expect(checkBootstrap(ctx().config, value(5)).status).toBe('blocker');
  });

  it('passes version 6 and later', () => {
    expect(checkBootstrap(ctx().config, value(6)).status).toBe('ok');
    expect(checkBootstrap(ctx().config, value(30)).status).toBe('ok');
  });

  it('turns a denied read into a warning naming the action', () => {
    const result = checkBootstrap(ctx().config, denied('ssm:GetParameter'));

    expect(result).toMatchObject({
      status: 'warning',
      message: 'could not check the CDK bootstrap: ssm:GetParameter denied',
    });
  });
});

describe('Lambda concurrency', () => {
  it('blocks the default reservation on a quota of 10, with both fixes and the quota request', () => {
    const result = checkLambdaConcurrency(
      ctx(),
      lambda({ concurrentExecutions: 10, unreservedConcurrentExecutions: 10 }),
    );

    expect(result.status).toBe('blocker');
    expect(result.message).toContain('reserving 4 for the sender would leave 6');
    const fix = result.details?.join('\n') ?? '';
    expect(fix).toContain('"senderReservedConcurrency": "off"');
    expect(fix).toContain('competes with every other function');
    expect(fix).toContain(
      'aws service-quotas request-service-quota-increase --service-code lambda --quota-code L-B99A9384 --desired-value 1000 --region eu-west-1',
    );
    expect(fix).toContain('Requested value: 1000');
    expect(fix).toContain('Justification: ');
  });

  it('passes when exactly 100 stay unreserved, and blocks at 99', () => {
    const exactly = checkLambdaConcurrency(ctx(), lambda({ unreservedConcurrentExecutions: 104 }));
    const short = checkLambdaConcurrency(ctx(), lambda({ unreservedConcurrentExecutions: 103 }));

    expect(exactly.status).toBe('ok');
    expect(short.status).toBe('blocker');
  });

  it("counts the deployed stack's own reservation as given back", () => {
    const result = checkLambdaConcurrency(
      ctx(),
      lambda({ concurrentExecutions: 104, unreservedConcurrentExecutions: 100, reservedByThisStack: 4 }),
    );

    expect(result.status).toBe('ok');
  });

  it('asks for more than 1000 when other functions already reserve most of the quota', () => {
    const result = checkLambdaConcurrency(
      ctx(),
      lambda({ concurrentExecutions: 1000, unreservedConcurrentExecutions: 100 }),
    );

    expect(result.details?.join('\n')).toContain('--desired-value 1100');
  });

  it('warns that "off" shares a small quota with every other function', () => {
    const result = checkLambdaConcurrency(
      ctx({ senderReservedConcurrency: 'off' }),
      lambda({ concurrentExecutions: 10, unreservedConcurrentExecutions: 10 }),
    );

    expect(result.status).toBe('warning');
    expect(result.message).toContain('shares that small pool');
  });

  it('passes "off" on a normal quota', () => {
    const result = checkLambdaConcurrency(ctx({ senderReservedConcurrency: 'off' }), lambda());

    expect(result.status).toBe('ok');
  });
});

describe('API Gateway logging role', () => {
  it('blocks when the account setting is empty, with the fix command', () => {
    const result = checkApiGatewayLoggingRole(ctx(), value(undefined));

    expect(result.status).toBe('blocker');
    expect(result.message).toContain('CloudWatch Logs role ARN must be set in account settings');
    expect(result.details?.[0]).toContain(
      'npm run preflight -- -c config=clients/acme.json --fix api-gateway-logging-role',
    );
  });

  it('passes and shows the role when set', () => {
    const arn = 'arn:aws:iam::123456789012:role/APIGatewayCloudWatchLogsRole';

    const result = checkApiGatewayLoggingRole(ctx(), value(arn));

    expect(result).toMatchObject({ status: 'ok', message: expect.stringContaining(arn) });
  });
});

describe('SES account', () => {
  it('warns in the sandbox, with the quota, the simulator and the README pointer', () => {
    const result = checkSesProductionAccess(
      ctx().config,
      ses({ productionAccessEnabled: false, maxSendRate: 1, max24HourSend: 200, sentLast24Hours: 0 }),
    );

    expect(result.status).toBe('warning');
    expect(result.message).toContain('sandbox in eu-west-1: MaxSendRate 1/s, 200 per 24 h');
    expect(result.details?.join('\n')).toContain('success@, bounce@, complaint@simulator.amazonses.com');
    expect(result.details?.join('\n')).toContain('Leave the SES sandbox');
  });

  it('passes production access and shows the quota', () => {
    const result = checkSesProductionAccess(ctx().config, ses());

    expect(result).toMatchObject({ status: 'ok', message: expect.stringContaining('MaxSendRate 14/s') });
  });

  it('blocks when sending is paused for the account', () => {
    const result = checkSesSending(ctx().config, ses({ sendingEnabled: false }));

    expect(result.status).toBe('blocker');
    expect(result.details?.[0]).toContain('aws sesv2 put-account-sending-attributes --sending-enabled');
  });

  it('blocks a shut-down account and warns about one on probation', () => {
    expect(checkSesSending(ctx().config, ses({ enforcementStatus: 'SHUTDOWN' })).status).toBe('blocker');
    expect(checkSesSending(ctx().config, ses({ enforcementStatus: 'PROBATION' })).status).toBe('warning');
  });

  it('passes an enabled, healthy account', () => {
    expect(checkSesSending(ctx().config, ses()).status).toBe('ok');
  });
});

describe('SES identity', () => {
  it('passes when there is none: the stack creates it', () => {
    const result = checkIdentity(ctx(), value(undefined), noStacks);

    expect(result).toMatchObject({ status: 'ok', message: expect.stringContaining('the stack creates it') });
  });

  it('blocks adopting an identity that does not exist', () => {
    expect(checkIdentity(ctx({ adoptExistingIdentity: true }), value(undefined), noStacks).status).toBe(
      'blocker',
    );
  });

  it('blocks an existing identity the config does not adopt, with its status and the fix', () => {
    const result = checkIdentity(
      ctx(),
      value(identity({ verified: false, dkimStatus: 'PENDING' })),
      noStacks,
    );

    expect(result.status).toBe('blocker');
    expect(result.message).toContain('an identity for mail.acme.com already exists (made in the console');
    expect(result.message).toContain('not verified, DKIM PENDING, MAIL FROM bounce.mail.acme.com SUCCESS');
    expect(result.details?.[0]).toContain('"adoptExistingIdentity": true');
  });

  it('names the other stack that manages an existing identity', () => {
    const result = checkIdentity(ctx(), value(identity({ managedByStack: 'Mailroom-staging' })), noStacks);

    expect(result.status).toBe('blocker');
    expect(result.message).toContain('by stack Mailroom-staging');
  });

  it('passes an adopted identity and prints its DKIM CNAMEs', () => {
    const result = checkIdentity(ctx({ adoptExistingIdentity: true }), value(identity()), noStacks);

    expect(result.status).toBe('ok');
    expect(result.message).toContain('verified, DKIM SUCCESS');
    expect(result.details).toContain('  tok1._domainkey.mail.acme.com CNAME tok1.dkim.amazonses.com');
  });

  it("passes the deployed stack's own identity when the config does not adopt", () => {
    const own = checkIdentity(ctx(), value(identity({ managedByStack: 'Mailroom-mail-acme-com' })), noStacks);
    const deployed = checkIdentity(ctx(), value(identity()), value([stack()]));

    expect(own.status).toBe('ok');
    expect(deployed.status).toBe('ok');
  });
});

describe('tracking domain', () => {
  const tracked = () =>
    ctx({ tracking: { clicks: true, customDomain: 'track.mail.acme.com', sendingDomainVerified: true } });

  it('blocks a custom tracking domain while the sending domain is not verified', () => {
    const result = checkTrackingDomain(tracked(), value(identity({ verified: false })));

    expect(result?.status).toBe('blocker');
    expect(result?.message).toContain('InvalidTrackingOptions');
  });

  it('passes once the sending domain is verified, and is silent without a custom domain', () => {
    expect(checkTrackingDomain(tracked(), value(identity()))?.status).toBe('ok');
    expect(checkTrackingDomain(ctx(), value(undefined))).toBeUndefined();
  });
});

describe('configuration sets', () => {
  it('blocks names taken while the stack does not exist', () => {
    const result = checkConfigurationSets(ctx(), value(['Mailroom-mail-acme-com-bulk']), noStacks);

    expect(result.status).toBe('blocker');
    expect(result.details?.[0]).toContain('--configuration-set-name Mailroom-mail-acme-com-bulk');
  });

  it('still blocks when the stack only exists as a rolled-back create', () => {
    const result = checkConfigurationSets(
      ctx(),
      value(['Mailroom-mail-acme-com-bulk']),
      value([stack({ status: 'ROLLBACK_COMPLETE' })]),
    );

    expect(result.status).toBe('blocker');
  });

  it("passes names that are the deployed stack's own, and free names", () => {
    const names = ['Mailroom-mail-acme-com-transactional', 'Mailroom-mail-acme-com-bulk'];

    expect(checkConfigurationSets(ctx(), value(names), value([stack()])).status).toBe('ok');
    expect(checkConfigurationSets(ctx(), value([]), noStacks).status).toBe('ok');
  });
});

describe('Route 53 records', () => {
  const dmarc = { name: '_dmarc.mail.acme.com', type: 'TXT', values: ['"v=DMARC1; p=reject"'] };

  it('blocks an existing DMARC record, showing it and the skipDnsRecords fix', () => {
    const result = checkDnsRecords(zoned(), zone([dmarc]), noStacks);

    expect(result?.status).toBe('blocker');
    const details = result?.details?.join('\n') ?? '';
    expect(details).toContain('_dmarc.mail.acme.com TXT "v=DMARC1; p=reject"');
    expect(details).toContain('"skipDnsRecords": ["dmarc"]');
  });

  it('passes the same record once skipDnsRecords names it, saying it is kept', () => {
    const result = checkDnsRecords(zoned({ skipDnsRecords: ['dmarc'] }), zone([dmarc]), noStacks);

    expect(result?.status).toBe('ok');
    expect(result?.details?.join('\n')).toContain('kept as it is');
  });

  it('blocks a CNAME at a name where the stack writes a TXT', () => {
    const cname = { name: '_dmarc.mail.acme.com', type: 'CNAME', values: ['dmarc.example.net'] };

    expect(checkDnsRecords(zoned(), zone([cname]), noStacks)?.status).toBe('blocker');
  });

  it('ignores records of other types at the same name', () => {
    const a = { name: 'bounce.mail.acme.com', type: 'A', values: ['192.0.2.1'] };

    expect(checkDnsRecords(zoned(), zone([a]), noStacks)?.status).toBe('ok');
  });

  it('takes the DKIM records of an adopted identity for what they are, not conflicts (the stack writes none)', () => {
    const dkim = {
      name: 'tok1._domainkey.mail.acme.com',
      type: 'CNAME',
      values: ['tok1.dkim.amazonses.com'],
    };

    const result = checkDnsRecords(zoned({ adoptExistingIdentity: true }), zone([dkim]), noStacks);

    expect(result?.status).toBe('ok');
  });

  it('warns when skipDnsRecords names a record nobody publishes', () => {
    const result = checkDnsRecords(zoned({ skipDnsRecords: ['mailFromMx'] }), zone([]), noStacks);

    expect(result?.status).toBe('warning');
    expect(result?.details?.join('\n')).toContain('nobody writes bounce.mail.acme.com MX');
  });

  it('blocks a zone that does not exist, a zone of another name and a private zone', () => {
    const missing = checkDnsRecords(zoned(), value<ZoneFacts>({ found: false }), noStacks);
    const other = checkDnsRecords(
      zoned(),
      value<ZoneFacts>({ found: true, name: 'acme.org', privateZone: false, records: [] }),
      noStacks,
    );
    const internal = checkDnsRecords(
      zoned(),
      value<ZoneFacts>({ found: true, name: 'acme.com', privateZone: true, records: [] }),
      noStacks,
    );

    expect([missing?.status, other?.status, internal?.status]).toEqual(['blocker', 'blocker', 'blocker']);
  });

  it('skips the conflict check when the stack exists: its records are its own', () => {
    const result = checkDnsRecords(zoned(), zone([dmarc]), value([stack()]));

    expect(result).toMatchObject({ status: 'ok', message: expect.stringContaining('is deployed') });
  });

  it('is silent without a hosted zone', () => {
    expect(checkDnsRecords(ctx(), undefined, noStacks)).toBeUndefined();
  });
});

describe('other Mailroom stacks', () => {
  it('blocks shares that add up to more than 1, a missing share counting as 1', () => {
    const result = checkOtherStacks(ctx(), value([stack({ stackName: 'Mailroom-x' })]));

    expect(result.status).toBe('blocker');
    expect(result.message).toContain(
      "Mailroom-x (share 1) and this stack (share 1) would together pace to 2× the account's MaxSendRate",
    );
    expect(result.message).toContain('e.g. 0.5 each');
  });

  it('passes shares that add up to 1, listing the other stacks', () => {
    const result = checkOtherStacks(
      ctx({ sendRateShare: 0.3 }),
      value([
        stack({ stackName: 'Mailroom-x', outputs: { SendRateShare: '0.5' } }),
        stack({
          stackName: 'Mailroom-y',
          tags: { app: 'mailroom' },
          description: undefined,
          outputs: { SendRateShare: '0.2' },
        }),
      ]),
    );

    expect(result.status).toBe('ok');
    expect(result.message).toContain('Mailroom-x (share 0.5), Mailroom-y (share 0.2)');
  });

  it('ignores this stack, stacks of other apps and stacks that are not deployed', () => {
    const result = checkOtherStacks(
      ctx(),
      value([
        stack(),
        stack({ stackName: 'Billing', description: 'Billing service' }),
        stack({ stackName: 'Mailroom-old', status: 'ROLLBACK_COMPLETE' }),
      ]),
    );

    expect(result).toMatchObject({ status: 'ok', message: expect.stringContaining('none in eu-west-1') });
  });
});
