import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { IDEMPOTENCY_KEY, MailroomClient, MailroomConfigError } from '@mailroom/client';
import { IDEMPOTENCY_KEY as SERVER_IDEMPOTENCY_KEY } from '../../lambdas/emails/submit-email';
import { scriptedFetch } from './support/scripted-fetch';

const ROOT = resolve(__dirname, '../..');
const API = 'https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/live';

describe('a client that cannot make a request says so before making any', () => {
  it.each([
    ['not a url', /is not a URL/],
    ['ftp://mail.acme.com/live', /must be http\(s\)/],
    ['http://mail-api.acme.com/live', /plain http: only local mode/],
    [`${API}?stage=live`, /without \?query or #fragment/],
    ['https://user:secret@mail-api.acme.com', /must not carry credentials/],
    ['https://mail-api.acme.com/live', /cannot tell the AWS region from mail-api\.acme\.com/],
  ])('apiUrl %j', (apiUrl, message) => {
    const { sent, fetch } = scriptedFetch({ status: 200, json: {} });
    const build = () =>
      new MailroomClient({ apiUrl, fetch, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });

    expect(build).toThrow(MailroomConfigError);
    expect(build).toThrow(message);
    expect(sent).toHaveLength(0);
  });

  it.each([
    [{ region: 'Ireland' }, /not an AWS region name/],
    [
      { profile: 'ops', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } },
      /credentials or profile, not both/,
    ],
    [{ maxAttempts: 0 }, /maxAttempts must be a whole number/],
    [{ timeoutMs: 0 }, /timeoutMs must be a number > 0/],
  ])('options %j', (options, message) => {
    expect(() => new MailroomClient({ apiUrl: API, ...options })).toThrow(message);
  });

  it('fails the first call, without sending it, when the credentials cannot be had', async () => {
    const { sent, fetch } = scriptedFetch({ status: 200, json: {} });
    const credentials = async () => {
      throw new Error('Token is expired. To refresh this SSO session run aws sso login');
    };
    const mailroom = new MailroomClient({ apiUrl: API, credentials, fetch });

    const error = await mailroom.emails
      .send({ to: 'jane@example.org', subject: 's', text: 't' })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(MailroomConfigError);
    expect((error as Error).message).toMatch(/no AWS credentials to sign the request with: .*aws sso login/);
    expect(sent).toHaveLength(0);
  });

  it('needs no credentials for local mode', async () => {
    const { sent, fetch } = scriptedFetch({ status: 200, json: { sandbox: false } });
    const credentials = async () => {
      throw new Error('never asked');
    };

    await new MailroomClient({ apiUrl: 'http://127.0.0.1:3000', credentials, fetch }).account.get();

    expect(sent).toHaveLength(1);
  });

  it('refuses an empty id instead of calling another route', async () => {
    const { sent, fetch } = scriptedFetch({ status: 200, json: {} });
    const mailroom = new MailroomClient({ apiUrl: 'http://127.0.0.1:3000', fetch });

    await expect(mailroom.emails.get('')).rejects.toThrow(MailroomConfigError);
    await expect(mailroom.emails.get('')).rejects.toThrow(
      'id must be a non-empty string (GET /v1/emails/{id})',
    );
    await expect(mailroom.suppressions.delete('')).rejects.toThrow(MailroomConfigError);
    await expect(mailroom.campaigns.getRecipient('c1', '')).rejects.toThrow(MailroomConfigError);
    expect(sent).toHaveLength(0);
  });

  it.each([
    ['that is empty', ''],
    ['containing a space', 'order 42'],
    ['containing a line break', 'order-42\r\nX-Evil: 1'],
    ['that is not ASCII', 'commande-n°42'],
    ['of 256 characters', 'k'.repeat(256)],
  ])('refuses an Idempotency-Key %s, before any request', async (_, idempotencyKey) => {
    const { sent, fetch } = scriptedFetch({ status: 202, json: { id: 'm1' } });
    const mailroom = new MailroomClient({ apiUrl: 'http://127.0.0.1:3000', fetch });

    const error = await mailroom.emails
      .send({ to: 'jane@example.org', subject: 's', text: 't' }, { idempotencyKey })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(MailroomConfigError);
    expect((error as Error).message).toMatch(/idempotencyKey must be 1 to 255 visible ASCII characters/);
    expect(sent).toHaveLength(0);
  });

  it('accepts the longest Idempotency-Key the API accepts, and checks keys as the API does', async () => {
    const { sent, fetch } = scriptedFetch({ status: 202, json: { id: 'm1' } });
    const mailroom = new MailroomClient({ apiUrl: 'http://127.0.0.1:3000', fetch });

    await mailroom.emails.send(
      { to: 'jane@example.org', subject: 's', text: 't' },
      { idempotencyKey: `~${'k'.repeat(253)}!` },
    );

    expect(sent).toHaveLength(1);
    expect(IDEMPOTENCY_KEY.source).toBe(SERVER_IDEMPOTENCY_KEY.source);
  });
});

describe("keys in the environment (the chain's first link, read without loading the chain)", () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('signs with AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, as Lambda sets them', async () => {
    process.env.AWS_ACCESS_KEY_ID = 'ASIAENVEXAMPLE';
    process.env.AWS_SECRET_ACCESS_KEY = 'secret';
    process.env.AWS_SESSION_TOKEN = 'session';
    delete process.env.AWS_PROFILE;
    const { sent, fetch } = scriptedFetch({ status: 200, json: {} });

    await new MailroomClient({ apiUrl: API, fetch }).account.get();

    expect(sent[0]?.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=ASIAENVEXAMPLE\/\d{8}\/eu-west-1\//,
    );
    expect(sent[0]?.headers['x-amz-security-token']).toBe('session');
  });
});

describe('the standard AWS credential chain (in a process of its own, as a backend runs it)', () => {
  const run = promisify(execFile);
  /** Runs `code` with tsx in a process whose environment holds no AWS credentials at all. */
  async function inBareEnvironment(code: string, env: Record<string, string> = {}) {
    const home = mkdtempSync(join(tmpdir(), 'mailroom-client-'));
    const script = join(home, 'probe.ts');
    writeFileSync(script, code);
    const { stdout } = await run(process.execPath, ['--import', 'tsx', script], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: home,
        AWS_CONFIG_FILE: join(home, 'config'),
        AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'),
        AWS_EC2_METADATA_DISABLED: 'true',
        TSX_TSCONFIG_PATH: join(ROOT, 'tsconfig.json'),
        ...env,
      },
      timeout: 60_000,
    });
    return JSON.parse(stdout) as { name: string; message: string; requests: number };
  }

  const probe = (options: string) => `
import { MailroomClient } from '@mailroom/client';
let requests = 0;
const fetch = (async () => { requests++; return new Response('{}'); }) as typeof globalThis.fetch;
new MailroomClient({ apiUrl: '${API}', fetch, ${options} })
  .account.get()
  .then(() => ({ name: 'ok', message: '' }), (e: Error) => ({ name: e.name, message: e.message }))
  .then((r) => process.stdout.write(JSON.stringify({ ...r, requests })));
`;

  it('finds no credentials: a MailroomConfigError, and no request', async () => {
    const result = await inBareEnvironment(probe(''));
    expect(result).toMatchObject({ name: 'MailroomConfigError', requests: 0 });
    expect(result.message).toMatch(
      /no AWS credentials to sign the request with: the standard chain found none/,
    );
  });

  it('takes them from the environment', async () => {
    const result = await inBareEnvironment(probe(''), {
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
    });
    expect(result).toEqual({ name: 'ok', message: '', requests: 1 });
  });

  it('takes them from a named profile, and says which profile gave none', async () => {
    const withProfile = `
import { writeFileSync } from 'node:fs';
writeFileSync(process.env.AWS_SHARED_CREDENTIALS_FILE as string, '[backend]\\naws_access_key_id = AKIDEXAMPLE\\naws_secret_access_key = secret\\n');
${probe("profile: 'backend'")}`;
    expect(await inBareEnvironment(withProfile)).toEqual({ name: 'ok', message: '', requests: 1 });

    const missing = await inBareEnvironment(probe("profile: 'nope'"));
    expect(missing).toMatchObject({ name: 'MailroomConfigError', requests: 0 });
    expect(missing.message).toMatch(/profile "nope" gave none/);
  });
});
