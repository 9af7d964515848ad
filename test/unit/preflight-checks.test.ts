import {
  type CheckContext,
  checkAdoptedMailFrom,
  checkApiGatewayLoggingRole,
  checkBootstrap,
  checkConfigurationSets,
  checkConsole,
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
  type StackResourceFacts,
  shown,
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
    reservedByThisStack: value(0),
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
const noResources = value<readonly StackResourceFacts[]>([]);
const resource = (type: string, physicalId: string, logicalId = 'Resource1234ABCD'): StackResourceFacts => ({
  logicalId,
  type,
  physicalId,
});
/** The deployed stack's resources: its own identity for mail.acme.com, by default. */
const resources = (...list: StackResourceFacts[]) =>
  value<readonly StackResourceFacts[]>(
    list.length > 0 ? list : [resource('AWS::SES::EmailIdentity', 'mail.acme.com', 'IdentityDomain1A2B3C4D')],
  );
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
      lambda({
        concurrentExecutions: 104,
        unreservedConcurrentExecutions: 100,
        reservedByThisStack: value(4),
      }),
    );

    expect(result.status).toBe('ok');
  });

  it("warns instead of blocking when the deployed stack's own reservation could not be read", () => {
    const result = checkLambdaConcurrency(
      ctx(),
      lambda({
        concurrentExecutions: 104,
        unreservedConcurrentExecutions: 100,
        reservedByThisStack: denied('cloudformation:ListStackResources'),
      }),
    );

    expect(result.status).toBe('warning');
    expect(result.message).toContain('cloudformation:ListStackResources denied');
    expect(result.message).toContain(
      "unless Mailroom-mail-acme-com's functions already reserve the difference",
    );
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
    const result = checkIdentity(ctx(), value(undefined), noStacks, noResources);

    expect(result).toMatchObject({ status: 'ok', message: expect.stringContaining('the stack creates it') });
  });

  it('blocks adopting an identity that does not exist', () => {
    expect(
      checkIdentity(ctx({ adoptExistingIdentity: true }), value(undefined), noStacks, noResources).status,
    ).toBe('blocker');
  });

  it('blocks an existing identity the config does not adopt, with its status and the fix', () => {
    const result = checkIdentity(
      ctx(),
      value(identity({ verified: false, dkimStatus: 'PENDING' })),
      noStacks,
      noResources,
    );

    expect(result.status).toBe('blocker');
    expect(result.message).toContain('an identity for mail.acme.com already exists (made in the console');
    expect(result.message).toContain('not verified, DKIM PENDING, MAIL FROM bounce.mail.acme.com SUCCESS');
    expect(result.details?.[0]).toContain('"adoptExistingIdentity": true');
  });

  it('names the other stack that manages an existing identity', () => {
    const result = checkIdentity(
      ctx(),
      value(identity({ managedByStack: 'Mailroom-staging' })),
      noStacks,
      noResources,
    );

    expect(result.status).toBe('blocker');
    expect(result.message).toContain('by stack Mailroom-staging');
  });

  it('passes an adopted identity and prints its DKIM CNAMEs', () => {
    const result = checkIdentity(
      ctx({ adoptExistingIdentity: true }),
      value(identity()),
      noStacks,
      noResources,
    );

    expect(result.status).toBe('ok');
    expect(result.message).toContain('verified, DKIM SUCCESS');
    expect(result.details).toContain('  tok1._domainkey.mail.acme.com CNAME tok1.dkim.amazonses.com');
  });

  it('passes the identity the deployed stack created, when the config does not adopt', () => {
    const result = checkIdentity(ctx(), value(identity()), value([stack()]), resources());

    expect(result).toMatchObject({ status: 'ok', message: expect.stringContaining("this stack's own") });
  });

  it('blocks turning adoptExistingIdentity on while this stack created the identity: the next deploy would delete it', () => {
    const result = checkIdentity(
      ctx({ adoptExistingIdentity: true }),
      value(identity()),
      value([stack()]),
      resources(),
    );

    expect(result.status).toBe('blocker');
    expect(result.message).toContain(
      'this stack created the identity mail.acme.com; turning adoptExistingIdentity on would make the next deploy delete it: leave it false',
    );
    expect(result.details?.[0]).toContain('"adoptExistingIdentity": false');
  });

  it('blocks an existing identity the deployed stack did not create when the config does not adopt (not "deployed, so its own")', () => {
    const notOwned = resources(resource('AWS::Lambda::Function', 'Mailroom-sender'));

    const result = checkIdentity(ctx(), value(identity()), value([stack()]), notOwned);

    expect(result.status).toBe('blocker');
    expect(result.message).toContain('is deployed but did not create it');
    expect(result.message).toContain('"already exists"');
    expect(result.details?.[0]).toContain('"adoptExistingIdentity": true');
  });

  it("does not take the stack-name tag for ownership: only the stack's resources count", () => {
    const tagged = identity({ managedByStack: 'Mailroom-mail-acme-com' });

    expect(checkIdentity(ctx(), value(tagged), noStacks, noResources).status).toBe('blocker');
    expect(
      checkIdentity(ctx({ adoptExistingIdentity: true }), value(tagged), value([stack()]), resources())
        .status,
    ).toBe('blocker');
  });

  it('matches the resource whatever the case or a trailing dot of its physical id', () => {
    const result = checkIdentity(
      ctx({ adoptExistingIdentity: true }),
      value(identity()),
      value([stack()]),
      resources(resource('AWS::SES::EmailIdentity', 'Mail.Acme.com.')),
    );

    expect(result.status).toBe('blocker');
  });

  it('warns, never passes, when ListStackResources is denied, either way of adoptExistingIdentity', () => {
    const deniedResources = denied('cloudformation:ListStackResources');

    const adopting = checkIdentity(
      ctx({ adoptExistingIdentity: true }),
      value(identity()),
      value([stack()]),
      deniedResources,
    );
    const creating = checkIdentity(ctx(), value(identity()), value([stack()]), deniedResources);

    expect(adopting.status).toBe('warning');
    expect(adopting.message).toContain('cloudformation:ListStackResources denied');
    expect(adopting.details?.[0]).toContain('the next deploy deletes it');
    expect(creating.status).toBe('warning');
    expect(creating.details?.[0]).toContain('"adoptExistingIdentity": true');
  });
});

describe('MAIL FROM of an adopted identity', () => {
  const adopting = () => ctx({ adoptExistingIdentity: true });

  it("warns when the adopted identity has no MAIL FROM domain: the config's records do nothing, SPF does not align", () => {
    const result = checkAdoptedMailFrom(adopting(), value(identity({ mailFromDomain: undefined })));

    expect(result?.status).toBe('warning');
    expect(result?.message).toContain('the MX and SPF records for bounce.mail.acme.com do nothing');
    expect(result?.message).toContain('SPF will not align');
    expect(result?.details?.[0]).toBe(
      'fix: aws sesv2 put-email-identity-mail-from-attributes --email-identity mail.acme.com --mail-from-domain bounce.mail.acme.com --behavior-on-mx-failure USE_DEFAULT_VALUE --region eu-west-1',
    );
  });

  it("warns when the adopted identity's MAIL FROM differs, offering mailFromSubdomain to match it", () => {
    const result = checkAdoptedMailFrom(adopting(), value(identity({ mailFromDomain: 'mf.mail.acme.com' })));

    expect(result?.status).toBe('warning');
    expect(result?.message).toContain('uses MAIL FROM mf.mail.acme.com, not bounce.mail.acme.com');
    expect(result?.message).toContain('SPF will not align through them');
    expect(result?.details?.join('\n')).toContain('"mailFromSubdomain": "mf"');
  });

  it('passes a matching MAIL FROM, and is silent without adoption or without an identity', () => {
    expect(checkAdoptedMailFrom(adopting(), value(identity()))?.status).toBe('ok');
    expect(checkAdoptedMailFrom(ctx(), value(identity({ mailFromDomain: undefined })))).toBeUndefined();
    expect(checkAdoptedMailFrom(adopting(), value(undefined))).toBeUndefined();
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

describe('console', () => {
  const withConsole = () => ctx({ console: { enabled: true } });

  it('warns when the first deploy turns the console on, with the safe order', () => {
    const result = checkConsole(withConsole(), noStacks);

    expect(result?.status).toBe('warning');
    expect(result?.message).toContain('must be verified before you can add new CloudFront resources');
    expect(result?.details?.[0]).toContain('"console": {"enabled": false}');
  });

  it('passes once the stack is deployed, and is silent with the console off', () => {
    expect(checkConsole(withConsole(), value([stack()]))?.status).toBe('ok');
    expect(checkConsole(ctx(), noStacks)).toBeUndefined();
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
    const result = checkDnsRecords(zoned(), zone([dmarc]), noResources);

    expect(result?.status).toBe('blocker');
    const details = result?.details?.join('\n') ?? '';
    expect(details).toContain('_dmarc.mail.acme.com TXT "v=DMARC1; p=reject"');
    expect(details).toContain('"skipDnsRecords": ["dmarc"]');
  });

  it('passes the same record once skipDnsRecords names it, saying it is kept', () => {
    const result = checkDnsRecords(zoned({ skipDnsRecords: ['dmarc'] }), zone([dmarc]), noResources);

    expect(result?.status).toBe('ok');
    expect(result?.details?.join('\n')).toContain('kept as it is');
  });

  it('blocks a CNAME at a name where the stack writes a TXT', () => {
    const cname = { name: '_dmarc.mail.acme.com', type: 'CNAME', values: ['dmarc.example.net'] };

    expect(checkDnsRecords(zoned(), zone([cname]), noResources)?.status).toBe('blocker');
  });

  it('ignores records of other types at the same name', () => {
    const a = { name: 'bounce.mail.acme.com', type: 'A', values: ['192.0.2.1'] };

    expect(checkDnsRecords(zoned(), zone([a]), noResources)?.status).toBe('ok');
  });

  it('takes the DKIM records of an adopted identity for what they are, not conflicts (the stack writes none)', () => {
    const dkim = {
      name: 'tok1._domainkey.mail.acme.com',
      type: 'CNAME',
      values: ['tok1.dkim.amazonses.com'],
    };

    const result = checkDnsRecords(zoned({ adoptExistingIdentity: true }), zone([dkim]), noResources);

    expect(result?.status).toBe('ok');
  });

  it('warns when skipDnsRecords names a record nobody publishes', () => {
    const result = checkDnsRecords(zoned({ skipDnsRecords: ['mailFromMx'] }), zone([]), noResources);

    expect(result?.status).toBe('warning');
    expect(result?.details?.join('\n')).toContain('nobody writes bounce.mail.acme.com MX');
  });

  it('blocks a zone that does not exist, a zone of another name and a private zone', () => {
    const missing = checkDnsRecords(zoned(), value<ZoneFacts>({ found: false }), noResources);
    const other = checkDnsRecords(
      zoned(),
      value<ZoneFacts>({ found: true, name: 'acme.org', privateZone: false, records: [] }),
      noResources,
    );
    const internal = checkDnsRecords(
      zoned(),
      value<ZoneFacts>({ found: true, name: 'acme.com', privateZone: true, records: [] }),
      noResources,
    );

    expect([missing?.status, other?.status, internal?.status]).toEqual(['blocker', 'blocker', 'blocker']);
  });

  it('passes records the deployed stack wrote itself (its RecordSet resources, trailing dot or not)', () => {
    const mailFromMx = {
      name: 'bounce.mail.acme.com',
      type: 'MX',
      values: ['10 feedback-smtp.eu-west-1.amazonses.com'],
    };
    const own = resources(
      resource('AWS::Route53::RecordSet', '_dmarc.mail.acme.com.', 'IdentityDmarcRecord1A2B3C4D'),
      resource('AWS::Route53::RecordSet', 'bounce.mail.acme.com', 'IdentityMailFromMxRecord5E6F7A8B'),
    );

    const result = checkDnsRecords(zoned(), zone([dmarc, mailFromMx]), own);

    expect(result?.status).toBe('ok');
    expect(result?.message).toContain("2 of the records there are Mailroom-mail-acme-com's own");
  });

  it('blocks a record the deployed stack did not write, such as a CNAME where the second deploy adds tracking.customDomain', () => {
    const tracked = zoned({
      tracking: { clicks: true, customDomain: 'track.mail.acme.com', sendingDomainVerified: true },
    });
    const cname = { name: 'track.mail.acme.com', type: 'CNAME', values: ['old-tracker.example.net'] };
    const own = resources(
      resource('AWS::Route53::RecordSet', '_dmarc.mail.acme.com.', 'IdentityDmarcRecord1A2B3C4D'),
    );

    const result = checkDnsRecords(tracked, zone([dmarc, cname]), own);

    expect(result?.status).toBe('blocker');
    expect(result?.details?.[0]).toContain(
      'tracking: track.mail.acme.com CNAME conflicts with track.mail.acme.com CNAME old-tracker.example.net',
    );
    expect(result?.details?.join('\n')).not.toContain('dmarc:');
  });

  it('takes the MAIL FROM TXT for a conflict when the stack owns only the MX at that name', () => {
    const spf = { name: 'bounce.mail.acme.com', type: 'TXT', values: ['"v=spf1 -all"'] };
    const own = resources(
      resource('AWS::Route53::RecordSet', 'bounce.mail.acme.com.', 'IdentityMailFromMxRecord5E6F7A8B'),
    );

    expect(checkDnsRecords(zoned(), zone([spf]), own)?.status).toBe('blocker');
  });

  it('warns, never passes, about existing records when the stack resources could not be read', () => {
    const result = checkDnsRecords(zoned(), zone([dmarc]), denied('cloudformation:ListStackResources'));

    expect(result?.status).toBe('warning');
    expect(result?.message).toContain('cloudformation:ListStackResources denied');
  });

  it('warns that skipping a record the stack wrote makes the next deploy delete it', () => {
    const own = resources(
      resource('AWS::Route53::RecordSet', '_dmarc.mail.acme.com.', 'IdentityDmarcRecord1A2B3C4D'),
    );

    const result = checkDnsRecords(zoned({ skipDnsRecords: ['dmarc'] }), zone([dmarc]), own);

    expect(result?.status).toBe('warning');
    expect(result?.details?.join('\n')).toContain('the next deploy deletes it');
  });

  it('is silent without a hosted zone', () => {
    expect(checkDnsRecords(ctx(), undefined, noResources)).toBeUndefined();
  });
});

describe('other Mailroom stacks', () => {
  const unknownRate = denied('ses:GetAccount');

  it('blocks rates that add up to more than the account MaxSendRate, a missing share counting as 1, saying by how much', () => {
    const result = checkOtherStacks(ctx(), value([stack({ stackName: 'Mailroom-x' })]), ses());

    expect(result.status).toBe('blocker');
    expect(result.message).toContain(
      "Mailroom-x (share 1 = 14/s) and this stack (share 1 = 14/s) would together pace to 28 mails/s, 14/s more than the account's MaxSendRate of 14/s",
    );
    expect(result.message).toContain('e.g. 0.5 each (1/2)');
  });

  it('passes rates that fit, listing the other stacks', () => {
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
      ses({ maxSendRate: 10 }),
    );

    expect(result.status).toBe('ok');
    expect(result.message).toContain('Mailroom-x (share 0.5 = 5/s), Mailroom-y (share 0.2 = 2/s)');
    expect(result.message).toContain(
      "with this stack's share 0.3 = 3/s they pace to 10 of the account's 10 mails/s",
    );
  });

  it("counts another stack's MaxSendRate output as mails per second, not as its share of 1", () => {
    // Mailroom-x paces to 4/s absolute (its SendRateShare output is 1: maxSendRate takes no share);
    // with this stack's 0.5 of 14/s that is 11/s, within the account's 14/s.
    const others = value([
      stack({ stackName: 'Mailroom-x', outputs: { SendRateShare: '1', MaxSendRate: '4' } }),
    ]);

    const fits = checkOtherStacks(ctx({ sendRateShare: 0.5 }), others, ses());
    const over = checkOtherStacks(ctx({ sendRateShare: 0.8 }), others, ses());

    expect(fits.status).toBe('ok');
    expect(fits.message).toContain('Mailroom-x (maxSendRate 4/s)');
    expect(over.status).toBe('blocker');
    expect(over.message).toContain('would together pace to 15.2 mails/s, 1.2/s more than');
    expect(over.details?.join('\n')).toContain('Mailroom-x sets an absolute maxSendRate');
  });

  it("counts this config's maxSendRate as mails per second", () => {
    const others = value([stack({ stackName: 'Mailroom-x', outputs: { SendRateShare: '0.5' } })]);

    const fits = checkOtherStacks(ctx({ maxSendRate: 7 }), others, ses());
    const over = checkOtherStacks(ctx({ maxSendRate: 8 }), others, ses());

    expect(fits.status).toBe('ok');
    expect(over.status).toBe('blocker');
    expect(over.message).toContain('this stack (maxSendRate 8/s)');
    expect(over.details?.join('\n')).toContain('this stack sets an absolute maxSendRate');
  });

  it('falls back to the shares when the account MaxSendRate is unknown', () => {
    const others = value([stack({ stackName: 'Mailroom-x', outputs: { SendRateShare: '0.5' } })]);

    const over = checkOtherStacks(ctx(), others, unknownRate);
    const fits = checkOtherStacks(ctx({ sendRateShare: 0.5 }), others, unknownRate);
    const absolute = checkOtherStacks(ctx({ maxSendRate: 3 }), others, unknownRate);

    expect(over.status).toBe('blocker');
    expect(over.message).toContain('the shares alone add up to 1.5, more than 1');
    expect(fits.status).toBe('ok');
    expect(fits.message).toContain('the shares add up to 1');
    expect(absolute.status).toBe('warning');
    expect(absolute.message).toContain('ses:GetAccount denied');
  });

  it('prints a sum just over 1 with the digits that show it, and suggests 1/n for n stacks', () => {
    const share = { SendRateShare: '0.333333334' };
    const others = value([
      stack({ stackName: 'Mailroom-x', outputs: share }),
      stack({ stackName: 'Mailroom-y', outputs: share }),
    ]);

    const result = checkOtherStacks(ctx({ sendRateShare: 0.333333334 }), others, unknownRate);

    expect(result.status).toBe('blocker');
    expect(result.message).toContain('add up to 1.000000002, more than 1');
    expect(result.message).toContain('e.g. 0.333 each (1/3)');
    expect(result.details?.[0]).toContain('1/3 each: "sendRateShare": 0.333');
  });

  it('shows three decimals unless they would misstate the comparison', () => {
    expect(shown(0.1 + 0.2 + 0.7, 1)).toBe('1');
    expect(shown(1.000000002, 1)).toBe('1.000000002');
    expect(shown(14 / 3)).toBe('4.667');
  });

  it('ignores this stack, stacks of other apps and stacks that are not deployed', () => {
    const result = checkOtherStacks(
      ctx(),
      value([
        stack(),
        stack({ stackName: 'Billing', description: 'Billing service' }),
        stack({ stackName: 'Mailroom-old', status: 'ROLLBACK_COMPLETE' }),
      ]),
      ses(),
    );

    expect(result).toMatchObject({ status: 'ok', message: expect.stringContaining('none in eu-west-1') });
  });
});
