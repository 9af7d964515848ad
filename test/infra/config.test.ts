import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { parseMailbox } from '../../lambdas/mail/addresses';
import { configPathsFrom, DEFAULT_CONFIG_PATH } from '../../lib/app';
import {
  defaultFromOf,
  InvalidConfigError,
  loadClientConfig,
  mailFromDomainOf,
  parseClientConfig,
  senderReservationOf,
  signInDomainPrefixOf,
  stackNameOf,
} from '../../lib/config';
import { REPO_ROOT } from '../../lib/constructs/mailroom-function';
import { EXAMPLE_CONFIG, exampleConfig, writeConfigs } from './support/app';

const valid = {
  account: '123456789012',
  region: 'eu-west-1',
  sendingDomain: 'mail.acme.com',
  fromAddress: 'no-reply@mail.acme.com',
};

/** The message of the error parsing `input` throws, or a failure if it does not throw. */
function rejectionOf(input: unknown): string {
  try {
    parseClientConfig(input, 'clients/acme.json');
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidConfigError);
    return (error as Error).message;
  }
  throw new Error('expected the config to be rejected');
}

describe('client config', () => {
  it('accepts the example config', () => {
    const config = loadClientConfig(EXAMPLE_CONFIG);

    expect(config.sendingDomain).toBe('mail.example.com');
    expect(config.fromAddress).toBe('no-reply@mail.example.com');
  });

  it('applies defaults: senderConcurrency 2, retainData true, no rate override', () => {
    const config = parseClientConfig(valid);

    expect(config).toMatchObject({ senderConcurrency: 2, retainData: true });
    expect(config.maxSendRate).toBeUndefined();
  });

  it('applies the defaults of the deploy fields: MAIL FROM bounce, DMARC none, no alarm emails, tracking off', () => {
    const config = parseClientConfig(valid);

    expect(config).toMatchObject({
      mailFromSubdomain: 'bounce',
      dmarc: { policy: 'none' },
      alarmEmails: [],
      oldestMessageAlarmMinutes: 15,
      tracking: { opens: false, clicks: false },
    });
    expect(config.hostedZone).toBeUndefined();
    expect(config.replyTo).toBeUndefined();
    expect(config.dmarc.reportAddress).toBeUndefined();
    expect(config.tracking.customDomain).toBeUndefined();
    expect(mailFromDomainOf(config)).toBe('bounce.mail.acme.com');
  });

  it('applies the defaults of the campaign and feedback-loop fields', () => {
    const config = parseClientConfig(valid);

    expect(config).toMatchObject({
      bulkSenderConcurrency: 2,
      eventsConcurrency: 5,
      reputationGuard: { bounceRate: 0.04, complaintRate: 0.0008, minimumSample: 200 },
      transientBounces: { limit: 3, windowDays: 7 },
    });
  });

  it('accepts campaign and feedback-loop fields, filling in what a nested object leaves out', () => {
    const config = parseClientConfig({
      ...valid,
      bulkSenderConcurrency: 6,
      reputationGuard: { bounceRate: 0.05, complaintRate: 0.001 },
      transientBounces: { windowDays: 0.5 },
    });

    expect(config).toMatchObject({
      bulkSenderConcurrency: 6,
      reputationGuard: { bounceRate: 0.05, complaintRate: 0.001, minimumSample: 200 },
      transientBounces: { limit: 3, windowDays: 0.5 },
    });
  });

  it('accepts every deploy field', () => {
    const config = parseClientConfig({
      ...valid,
      hostedZone: { zoneId: 'Z0123456789ABC', zoneName: 'Acme.com.' },
      replyTo: 'support@acme.com',
      mailFromSubdomain: 'mx',
      dmarc: { policy: 'reject', reportAddress: 'dmarc@acme.com' },
      alarmEmails: ['ops@acme.com', 'oncall@acme.com'],
      oldestMessageAlarmMinutes: 5,
      tracking: {
        opens: true,
        clicks: true,
        customDomain: 'track.mail.acme.com',
        sendingDomainVerified: true,
      },
      senderReservedConcurrency: 'off',
      sendRateShare: 0.5,
      adoptExistingIdentity: true,
      skipDnsRecords: ['dmarc', 'mailFromMx'],
    });

    expect(config.hostedZone).toEqual({ zoneId: 'Z0123456789ABC', zoneName: 'acme.com' });
    expect(config.dmarc).toEqual({ policy: 'reject', reportAddress: 'dmarc@acme.com' });
    expect(mailFromDomainOf(config)).toBe('mx.mail.acme.com');
    expect(config.tracking).toEqual({
      opens: true,
      clicks: true,
      customDomain: 'track.mail.acme.com',
      sendingDomainVerified: true,
    });
    expect(senderReservationOf(config)).toBeUndefined();
    expect(config).toMatchObject({
      sendRateShare: 0.5,
      adoptExistingIdentity: true,
      skipDnsRecords: ['dmarc', 'mailFromMx'],
    });
  });

  it('reserves senderConcurrency + bulkSenderConcurrency for the sender unless told otherwise', () => {
    expect(senderReservationOf(parseClientConfig(valid))).toBe(4);
    expect(senderReservationOf(parseClientConfig({ ...valid, senderReservedConcurrency: 20 }))).toBe(20);
    expect(
      senderReservationOf(parseClientConfig({ ...valid, senderReservedConcurrency: 'off' })),
    ).toBeUndefined();
  });

  it('accepts a hosted zone for the sending domain itself', () => {
    const config = parseClientConfig({ ...valid, hostedZone: { zoneId: 'Z1', zoneName: 'mail.acme.com' } });

    expect(config.hostedZone?.zoneName).toBe('mail.acme.com');
  });

  it('accepts both example configs in clients/', () => {
    expect(() => loadClientConfig(path.join(REPO_ROOT, 'clients', 'example-route53.json'))).not.toThrow();
  });

  it('normalizes the sending domain to lower case', () => {
    const config = parseClientConfig({ ...valid, sendingDomain: 'Mail.Acme.COM' });

    expect(config.sendingDomain).toBe('mail.acme.com');
  });

  it.each([
    [
      'fromAddress at another domain',
      { fromAddress: 'no-reply@other.com' },
      /fromAddress: must be an address at the sending domain mail\.acme\.com/,
    ],
    [
      'fromAddress at a subdomain',
      { fromAddress: 'x@eu.mail.acme.com' },
      /fromAddress: must be an address at the sending domain/,
    ],
    ['fromAddress that is no address', { fromAddress: 'no-reply' }, /fromAddress: must be an email address/],
    ['senderConcurrency 1', { senderConcurrency: 1 }, /senderConcurrency: must be at least 2/],
    ['fractional senderConcurrency', { senderConcurrency: 2.5 }, /senderConcurrency: must be a whole number/],
    ['account of 11 digits', { account: '12345678901' }, /account: must be a 12-digit AWS account id/],
    ['account as a number', { account: 123456789012 }, /account: /],
    ['unknown region format', { region: 'Europe' }, /region: must be an AWS region/],
    [
      'sendingDomain with a scheme',
      { sendingDomain: 'https://mail.acme.com' },
      /sendingDomain: must be a domain name/,
    ],
    ['maxSendRate 0', { maxSendRate: 0 }, /maxSendRate: must be a positive number/],
    ['retainData as a string', { retainData: 'yes' }, /retainData: /],
    [
      'fromName with a line break',
      { fromName: 'Acme\r\nBcc: x@evil.com' },
      /fromName: must be printable ASCII on one line/,
    ],
    ['stackName with a dot', { stackName: 'mailroom.acme' }, /stackName: must start with a letter/],
    ['a misspelt field', { senderConcurency: 4 }, /senderConcurency: unknown field/],
    [
      'a hosted zone id with its /hostedzone/ prefix',
      { hostedZone: { zoneId: '/hostedzone/Z1', zoneName: 'acme.com' } },
      /hostedZone\.zoneId: must be a Route 53 hosted zone id/,
    ],
    [
      'a hosted zone that does not hold the sending domain',
      { hostedZone: { zoneId: 'Z1', zoneName: 'other.com' } },
      /hostedZone\.zoneName: must be the sending domain mail\.acme\.com or a parent of it/,
    ],
    [
      'a hosted zone that is only a suffix of the domain',
      { hostedZone: { zoneId: 'Z1', zoneName: 'cme.com' } },
      /hostedZone\.zoneName: must be the sending domain/,
    ],
    ['a hosted zone without its name', { hostedZone: { zoneId: 'Z1' } }, /hostedZone\.zoneName: /],
    ['replyTo that is no address', { replyTo: 'support' }, /replyTo: must be an email address/],
    [
      'mailFromSubdomain of two labels',
      { mailFromSubdomain: 'a.b' },
      /mailFromSubdomain: must be one DNS label/,
    ],
    [
      'an unknown DMARC policy',
      { dmarc: { policy: 'strict' } },
      /dmarc\.policy: must be one of none, quarantine, reject/,
    ],
    [
      'a DMARC report address that is none',
      { dmarc: { reportAddress: 'x' } },
      /dmarc\.reportAddress: must be an email address/,
    ],
    [
      'alarmEmails as one string',
      { alarmEmails: 'ops@acme.com' },
      /alarmEmails: must be a list of email addresses/,
    ],
    [
      'an alarm email that is none',
      { alarmEmails: ['ops@acme.com', 'ops'] },
      /alarmEmails\.1: must be an email address/,
    ],
    [
      'an alarm email twice',
      { alarmEmails: ['ops@acme.com', 'OPS@acme.com'] },
      /alarmEmails\.1: lists OPS@acme\.com twice/,
    ],
    [
      'oldestMessageAlarmMinutes 0',
      { oldestMessageAlarmMinutes: 0 },
      /oldestMessageAlarmMinutes: must be at least 1/,
    ],
    [
      // Gone since the streams share one send schedule: transactional first, bulk takes the rest.
      'transactionalShare',
      { transactionalShare: 0.1 },
      /transactionalShare: no longer used/,
    ],
    ['bulkSenderConcurrency 1', { bulkSenderConcurrency: 1 }, /bulkSenderConcurrency: must be at least 2/],
    ['eventsConcurrency 1', { eventsConcurrency: 1 }, /eventsConcurrency: must be at least 2/],
    ['eventsConcurrency 1001', { eventsConcurrency: 1001 }, /eventsConcurrency: must be at most 1000/],
    [
      'fractional bulkSenderConcurrency',
      { bulkSenderConcurrency: 3.5 },
      /bulkSenderConcurrency: must be a whole number/,
    ],
    [
      'a guard bounce rate of 0',
      { reputationGuard: { bounceRate: 0 } },
      /reputationGuard\.bounceRate: must be more than 0 and at most 0\.05/,
    ],
    [
      'a guard bounce rate above SES review',
      { reputationGuard: { bounceRate: 0.06 } },
      /reputationGuard\.bounceRate: must be more than 0 and at most 0\.05/,
    ],
    [
      'a guard complaint rate above SES review',
      { reputationGuard: { complaintRate: 0.002 } },
      /reputationGuard\.complaintRate: must be more than 0 and at most 0\.001/,
    ],
    [
      'a guard minimum sample of 0',
      { reputationGuard: { minimumSample: 0 } },
      /reputationGuard\.minimumSample: must be at least 1/,
    ],
    [
      'a fractional guard minimum sample',
      { reputationGuard: { minimumSample: 10.5 } },
      /reputationGuard\.minimumSample: must be a whole number/,
    ],
    ['an unknown guard field', { reputationGuard: { rate: 0.01 } }, /reputationGuard\.rate: unknown field/],
    [
      'a transient bounce limit of 0',
      { transientBounces: { limit: 0 } },
      /transientBounces\.limit: must be at least 1/,
    ],
    [
      'a fractional transient bounce limit',
      { transientBounces: { limit: 2.5 } },
      /transientBounces\.limit: must be a whole number/,
    ],
    [
      'a transient bounce window of 0 days',
      { transientBounces: { windowDays: 0 } },
      /transientBounces\.windowDays: must be a positive number of days/,
    ],
    [
      'a transient bounce window over a year',
      { transientBounces: { windowDays: 400 } },
      /transientBounces\.windowDays: must be at most 365 days/,
    ],
    ['tracking.opens as a string', { tracking: { opens: 'yes' } }, /tracking\.opens: /],
    [
      'a tracking domain outside the sending domain',
      { tracking: { clicks: true, customDomain: 'track.acme.com' } },
      /tracking\.customDomain: must be a subdomain of the sending domain, such as track\.mail\.acme\.com/,
    ],
    [
      'the sending domain itself as tracking domain',
      { tracking: { clicks: true, customDomain: 'mail.acme.com' } },
      /tracking\.customDomain: must be a subdomain of the sending domain/,
    ],
    [
      'the MAIL FROM domain as tracking domain',
      { tracking: { clicks: true, customDomain: 'bounce.mail.acme.com' } },
      /tracking\.customDomain: must differ from the MAIL FROM domain/,
    ],
    [
      'a tracking domain with tracking off',
      { tracking: { customDomain: 'track.mail.acme.com' } },
      /tracking\.customDomain: has no effect unless tracking\.opens or tracking\.clicks is true/,
    ],
    ['an unknown tracking field', { tracking: { pixels: true } }, /tracking\.pixels: unknown field/],
    [
      // SES answers InvalidTrackingOptions for a tracking domain under an unverified identity.
      'a tracking domain before the sending domain is verified',
      { tracking: { clicks: true, customDomain: 'track.mail.acme.com' } },
      /tracking\.customDomain: needs a verified sending domain .*deploy first without tracking\.customDomain.*sendingDomainVerified: true/,
    ],
    [
      'a sender reservation below what its event sources may run',
      { senderReservedConcurrency: 3 },
      /senderReservedConcurrency: must be at least senderConcurrency \+ bulkSenderConcurrency \(4\), or "off"/,
    ],
    [
      'a sender reservation of "none"',
      { senderReservedConcurrency: 'none' },
      /senderReservedConcurrency: must be a whole number or "off"/,
    ],
    ['a send rate share of 0', { sendRateShare: 0 }, /sendRateShare: must be more than 0 and at most 1/],
    [
      // Two stacks with a fixed rate each would not be divided by their shares.
      'an absolute maxSendRate with a share',
      { maxSendRate: 14, sendRateShare: 0.5 },
      /maxSendRate: cannot be combined with sendRateShare/,
    ],
    ['a send rate share above 1', { sendRateShare: 1.5 }, /sendRateShare: must be more than 0 and at most 1/],
    [
      'an unknown kind of DNS record to skip',
      { hostedZone: { zoneId: 'Z1', zoneName: 'acme.com' }, skipDnsRecords: ['spf'] },
      /skipDnsRecords\.0: must each be one of dkim, mailFromMx, mailFromSpf, dmarc, tracking/,
    ],
    [
      'DNS records to skip without a hosted zone',
      { skipDnsRecords: ['dmarc'] },
      /skipDnsRecords: has no effect without hostedZone/,
    ],
  ])('rejects %s, naming the field', (_case, change, message) => {
    expect(rejectionOf({ ...valid, ...change })).toMatch(message);
  });

  it('names the file and every bad field at once', () => {
    const message = rejectionOf({ ...valid, account: 'x', senderConcurrency: 1 });

    expect(message).toContain('clients/acme.json');
    expect(message).toMatch(/account: /);
    expect(message).toMatch(/senderConcurrency: /);
  });

  it.each([['account'], ['region'], ['sendingDomain'], ['fromAddress']])('requires %s', (field) => {
    const { [field]: _removed, ...rest } = valid as Record<string, unknown>;

    expect(rejectionOf(rest)).toMatch(new RegExp(`${field}: `));
  });

  it('reports a file that is not JSON by its path', () => {
    const files = writeConfigs({ broken: {} });
    const file = files.paths[0] ?? '';
    writeFileSync(file, '{ "account": ');
    try {
      expect(() => loadClientConfig(file)).toThrow(/broken\.json is not valid JSON/);
    } finally {
      files.cleanup();
    }
  });

  it('reports a missing file by its path', () => {
    expect(() => loadClientConfig('clients/does-not-exist.json')).toThrow(
      /Cannot read client config clients\/does-not-exist\.json: no such file/,
    );
  });
});

describe('values derived from the config', () => {
  it('formats the default From with the display name', () => {
    expect(defaultFromOf(parseClientConfig({ ...valid, fromName: 'Acme' }))).toBe(
      'Acme <no-reply@mail.acme.com>',
    );
  });

  it('quotes a display name that holds specials', () => {
    expect(defaultFromOf(parseClientConfig({ ...valid, fromName: 'Acme, Inc. "HQ"' }))).toBe(
      '"Acme, Inc. \\"HQ\\"" <no-reply@mail.acme.com>',
    );
  });

  it('quotes a display name that reads as encoded-words, so it is sent as written', () => {
    const from = defaultFromOf(parseClientConfig({ ...valid, fromName: '=?UTF-8?Q?Acme?=' }));
    expect(from).toBe('"=?UTF-8?Q?Acme?=" <no-reply@mail.acme.com>');
    expect(parseMailbox(from).name).toBe('=?UTF-8?Q?Acme?=');
  });

  it('uses the bare address when there is no display name', () => {
    expect(defaultFromOf(parseClientConfig(valid))).toBe('no-reply@mail.acme.com');
  });

  it('derives a Cognito domain prefix Cognito accepts, distinct for long stack names that share a start', () => {
    const cognitoPrefix = /^(?!.*(?:aws|amazon|cognito))[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
    expect(signInDomainPrefixOf(parseClientConfig(valid))).toBe('mailroom-mail-acme-com-123456789012');
    const long = (tail: string) =>
      signInDomainPrefixOf(
        parseClientConfig({ ...valid, stackName: `Mailroom-Amazon-Aws-${'x'.repeat(60)}-${tail}` }),
      );
    for (const prefix of [long('One'), long('Two')]) {
      expect(prefix).toMatch(cognitoPrefix);
      expect(prefix.endsWith('-123456789012')).toBe(true);
    }
    expect(long('One')).not.toBe(long('Two'));
    expect(
      signInDomainPrefixOf(parseClientConfig({ ...valid, console: { signInDomainPrefix: 'acme-mail' } })),
    ).toBe('acme-mail');
  });

  it('derives the stack name from the domain unless one is configured', () => {
    expect(stackNameOf(parseClientConfig(valid))).toBe('Mailroom-mail-acme-com');
    expect(stackNameOf(parseClientConfig({ ...valid, stackName: 'AcmeMail' }))).toBe('AcmeMail');
  });
});

describe('-c config=...', () => {
  it('defaults to the example config', () => {
    expect(configPathsFrom(new App())).toEqual([DEFAULT_CONFIG_PATH]);
    expect(exampleConfig()).toMatchObject({ sendingDomain: 'mail.example.com' });
  });

  it('takes a comma-separated list of config files', () => {
    const app = new App({ context: { config: 'clients/a.json, clients/b.json' } });

    expect(configPathsFrom(app)).toEqual(['clients/a.json', 'clients/b.json']);
  });

  it('rejects an empty value', () => {
    expect(() => configPathsFrom(new App({ context: { config: ' ' } }))).toThrow(InvalidConfigError);
  });
});
