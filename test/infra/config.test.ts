import { writeFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { configPathsFrom, DEFAULT_CONFIG_PATH } from '../../lib/app';
import {
  defaultFromOf,
  InvalidConfigError,
  loadClientConfig,
  parseClientConfig,
  stackNameOf,
} from '../../lib/config';
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

  it('uses the bare address when there is no display name', () => {
    expect(defaultFromOf(parseClientConfig(valid))).toBe('no-reply@mail.acme.com');
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
