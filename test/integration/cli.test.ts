import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { CampaignWithProgress } from '@mailroom/client';
import { eventually, type LocalMode, startLocalMode } from './support/local-mode';
import { acceptedForCampaign, mailsPerAddress, startRecordingSes } from './support/recording-ses';

/**
 * The `mailroom` bin as a user runs it (node_modules/.bin/mailroom, a child process), against
 * local mode over HTTP.
 */
jest.setTimeout(120_000);

const ROOT = resolve(__dirname, '../..');
const BIN = join(ROOT, 'node_modules', '.bin', 'mailroom');
// Fast enough that 5,000 recipients take well under a minute on a shared machine.
const RATE = 300;
const HOOK_TIMEOUT_MS = 120_000;

let ses: Awaited<ReturnType<typeof startRecordingSes>>;
let local: LocalMode;
const dir = mkdtempSync(join(tmpdir(), 'mailroom-cli-'));

beforeAll(async () => {
  ses = await startRecordingSes({ maxSendRate: RATE });
  local = await startLocalMode({
    AWS_ENDPOINT_URL_SESV2: ses.endpoint,
    MAILROOM_SENDING_DOMAIN: 'acme.test',
  });
}, HOOK_TIMEOUT_MS);

afterAll(async () => {
  await local?.stop();
  await ses?.stop();
  rmSync(dir, { recursive: true, force: true });
}, HOOK_TIMEOUT_MS);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the bin with `args` (and `--api <local mode>` unless `api` is false), from a folder of its own. */
function mailroom(
  args: string[],
  options: { api?: boolean; env?: Record<string, string> } = {},
): Promise<Run> {
  const argv = options.api === false ? args : [...args, '--api', local.apiUrl];
  return new Promise((done, fail) => {
    const child = spawn(BIN, argv, {
      cwd: dir,
      env: options.env ?? { PATH: process.env.PATH ?? '', HOME: dir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

/** A run that must succeed, its stdout parsed as the one JSON document --json promises. */
async function json<T = Record<string, unknown>>(args: string[]): Promise<T> {
  const result = await mailroom([...args, '--json']);
  if (result.code !== 0)
    throw new Error(`mailroom ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

const CONTENT = [
  '--subject',
  'Hello {{first_name}}',
  '--html',
  '<p>Hi {{first_name}}</p><p><a href="{{unsubscribe_url}}">Unsubscribe</a></p>',
  '--text',
  'Hi {{first_name}} - unsubscribe: {{unsubscribe_url}}',
];

describe('mailroom (the CLI) against local mode', () => {
  it('sends a mail, and reads it back', async () => {
    const human = await mailroom([
      'send',
      '--to',
      'jane@example.org',
      '--subject',
      'Code',
      '--text',
      'Code {{c}}',
      '--var',
      'c=42',
    ]);
    // The same Idempotency-Key twice: one mail.
    const once = [
      'send',
      '--to',
      'joe@example.org',
      '--subject',
      'Hi',
      '--text',
      'Hello',
      '--idempotency-key',
      'cli-test-1',
    ];
    const accepted = await json<{ id: string; status: string }>(once);
    const again = await json<{ id: string }>(once);
    const read = await eventually(async () => {
      const email = await json<{ status: string }>(['emails', 'get', accepted.id]);
      return email.status === 'sent' ? email : undefined;
    }, 30_000);

    expect(human).toMatchObject({ code: 0, stdout: expect.stringMatching(/^queued \S+\n$/) });
    expect(accepted).toMatchObject({ status: 'queued' });
    expect(again.id).toBe(accepted.id);
    expect(read).toMatchObject({ id: accepted.id, to: ['joe@example.org'], subject: 'Hi' });
  });

  it('puts, gets and lists templates', async () => {
    const put = await json([
      'templates',
      'put',
      'cli-welcome',
      '--subject',
      'Welcome {{first_name}}',
      '--text',
      'Hi {{first_name}}',
    ]);
    const got = await json(['templates', 'get', 'cli-welcome']);
    const listed = await json<{ items: { name: string }[] }>(['templates', 'list']);
    const missing = await mailroom(['templates', 'get', 'no-such-template', '--json']);

    expect(put).toMatchObject({ name: 'cli-welcome', subject: 'Welcome {{first_name}}' });
    expect(got).toMatchObject({ name: 'cli-welcome', text: 'Hi {{first_name}}' });
    expect(listed.items.map((t) => t.name)).toContain('cli-welcome');
    expect(missing.code).toBe(1);
    expect(missing.stdout).toBe('');
    expect(JSON.parse(missing.stderr)).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
  });

  it('adds, lists and removes suppressions, and reads the account', async () => {
    const added = await json([
      'suppressions',
      'add',
      'Gone@Example.org',
      '--scope',
      'bulk',
      '--detail',
      'asked by phone',
    ]);
    const listed = await json<{ items: { email: string }[] }>(['suppressions', 'list', '--reason', 'manual']);
    const removed = await mailroom(['suppressions', 'remove', 'gone@example.org']);
    const after = await json<{ items: { email: string }[] }>(['suppressions', 'list']);
    const account = await json(['account']);
    const humanAccount = await mailroom(['account']);

    expect(added).toMatchObject({ email: 'gone@example.org', reason: 'manual', scope: 'bulk' });
    expect(listed.items.map((s) => s.email)).toContain('gone@example.org');
    expect(removed).toMatchObject({
      code: 0,
      stdout: 'removed gone@example.org from the suppression list\n',
    });
    expect(after.items.map((s) => s.email)).not.toContain('gone@example.org');
    expect(account).toMatchObject({ sandbox: false, maxSendRate: RATE, pausedStreams: [] });
    expect(humanAccount.stdout).toMatch(/^production access, sending enabled/);
  });

  // Sending 5,000 mails takes a minute or two on a quiet two-core machine, several on a busy one.
  it('runs a 5,000-row CSV campaign to completion: bad rows to the rejects file, --watch exits 0', async () => {
    const good = 5000;
    const lines = ['Email,First Name,Plan'];
    const addresses: string[] = [];
    for (let i = 0; i < good; i++) {
      // A few bounce, so the watch has something other than deliveries to count.
      const email = i % 1000 === 7 ? `bounce+cli${i}@simulator.amazonses.com` : `cli${i}@example.org`;
      addresses.push(email);
      lines.push(`${email},"Name, ${i}",${i % 2 ? 'pro' : 'free'}`);
      if (i === 10) lines.push('not-an-address,Bad,free');
      if (i === 2500) lines.push('missing-name@example.org,,free');
      if (i === 4000) lines.push('cells@example.org,Too,Many,Cells');
    }
    const file = join(dir, 'list.csv');
    writeFileSync(file, `${lines.join('\r\n')}\r\n`);

    const campaign = await json<{ id: string; status: string }>([
      'campaigns',
      'create',
      '--name',
      'CLI 5k',
      ...CONTENT,
    ]);
    const uploadStarted = Date.now();
    const upload = await json<Record<string, unknown>>(['campaigns', 'add-recipients', campaign.id, file]);
    const uploadSeconds = (Date.now() - uploadStarted) / 1000;
    const rejects = readFileSync(`${file}.rejected.csv`, 'utf8').trim().split('\n');

    expect(campaign.status).toBe('draft');
    expect(upload).toMatchObject({ rowsRead: good + 3, added: good, duplicates: 0, rejected: 3, chunks: 6 });
    expect(rejects).toHaveLength(4);
    expect(rejects[0]).toBe('"Email","First Name","Plan","rejected_line","rejected_reason"');
    expect(rejects[1]).toMatch(/^"not-an-address","Bad","free","13","email /);
    expect(rejects[2]).toMatch(/^"missing-name@example.org","","free","2504",".*first_name/);
    expect(rejects[3]).toMatch(/^"cells@example.org","Too","Many","Cells","4005","has 4 cells/);

    const sendStarted = Date.now();
    const started = await mailroom(['campaigns', 'send', campaign.id]);
    const watched = await mailroom([
      'campaigns',
      'status',
      campaign.id,
      '--watch',
      '--interval',
      '0.5',
      '--json',
    ]);
    const sendSeconds = (Date.now() - sendStarted) / 1000;
    const final = JSON.parse(watched.stdout) as CampaignWithProgress;
    const human = await mailroom(['campaigns', 'status', campaign.id]);

    expect(started).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^started campaign \S+ \(CLI 5k\): sending\n$/),
    });
    expect(watched.code).toBe(0);
    expect(watched.stderr).toBe('');
    expect(final).toMatchObject({ status: 'completed', progress: 1 });
    const perAddress = mailsPerAddress(acceptedForCampaign(ses.sends, campaign.id));
    // Any recipient SES did not accept, with the reason its record gives, so a failure says why.
    const unsent = await Promise.all(
      addresses
        .filter((address) => !perAddress.has(address))
        .slice(0, 10)
        .map(async (address) => {
          const url = `${local.apiUrl}/v1/campaigns/${campaign.id}/recipients/${encodeURIComponent(address)}`;
          return (await fetch(url)).json();
        }),
    );
    expect({ totals: final.totals, unsent }).toMatchObject({
      totals: { recipients: good, sent: good, failed: 0, suppressed: 0 },
      unsent: [],
    });
    expect(perAddress.size).toBe(good);
    expect([...perAddress.values()].every((n) => n === 1)).toBe(true);
    expect(human.stdout).toMatch(/status {6}completed/);
    // SES events arrive after the sends, and slowly on a loaded machine: counted, and growing.
    const counted = await eventually(async () => {
      const now = await json<CampaignWithProgress>(['campaigns', 'status', campaign.id]);
      return (now.events?.delivered ?? 0) > 0 ? now : undefined;
    }, 60_000);
    expect(counted.events?.bounced).toBeLessThanOrEqual(5);
    expect(human.stdout).toMatch(/events {6}delivered [\d,]+, bounced \d/);
    process.stdout.write(
      `CLI 5,000-row campaign: upload ${uploadSeconds.toFixed(1)} s, send + watch to completed ${sendSeconds.toFixed(1)} s\n`,
    );
  }, 600_000);

  it('re-runs an upload without adding anyone twice; schedules, pauses, resumes and cancels a campaign; watching a cancelled one exits 1', async () => {
    const file = join(dir, 'small.csv');
    writeFileSync(file, 'email,first_name\nsmall1@example.org,A\nsmall2@example.org,B\n');
    const { id } = await json<{ id: string }>(['campaigns', 'create', '--name', 'CLI control', ...CONTENT]);
    const first = await json(['campaigns', 'add-recipients', id, file]);
    // Running an upload again (as after one that stopped half-way) adds nothing twice.
    const rerun = await json(['campaigns', 'add-recipients', id, file]);
    const at = new Date(Date.now() + 3_600_000).toISOString();

    const scheduled = await json(['campaigns', 'send', id, '--at', at]);
    const paused = await json(['campaigns', 'pause', id]);
    const resumed = await json(['campaigns', 'resume', id]);
    const cancelled = await json(['campaigns', 'cancel', id]);
    const watched = await mailroom(['campaigns', 'status', id, '--watch']);
    const again = await mailroom(['campaigns', 'cancel', id, '--json']);

    expect(first).toMatchObject({ added: 2, duplicates: 0 });
    expect(rerun).toMatchObject({ added: 0, duplicates: 2 });
    expect(scheduled).toMatchObject({ status: 'scheduled' });
    expect(paused).toMatchObject({ status: 'paused', pausedBy: 'user' });
    expect(resumed).toMatchObject({ status: 'scheduled' });
    expect(cancelled).toMatchObject({ status: 'cancelled' });
    expect(watched.code).toBe(1);
    expect(watched.stdout).toMatch(/status {6}cancelled/);
    expect(again.code).toBe(1);
    expect(JSON.parse(again.stderr)).toMatchObject({ error: { code: 'invalid_state' } });
  });

  it('refuses a malformed URL, missing credentials and an unreadable file with exit 2 and one line', async () => {
    const malformed = await mailroom(['account', '--api', 'localhost:3000'], { api: false });
    const bare = {
      PATH: process.env.PATH ?? '',
      HOME: dir,
      AWS_CONFIG_FILE: join(dir, 'none'),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none'),
      AWS_EC2_METADATA_DISABLED: 'true',
      MAILROOM_API_URL: 'https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/live',
    };
    const noCredentials = await mailroom(['account'], { api: false, env: bare });
    const noCredentialsJson = await mailroom(['account', '--json'], { api: false, env: bare });
    const noFile = await mailroom(['campaigns', 'add-recipients', 'cmp', join(dir, 'missing.csv')]);
    const noApi = await mailroom(['account'], { api: false });

    expect(malformed).toMatchObject({ code: 2, stdout: '' });
    expect(malformed.stderr).toMatch(/^mailroom: apiUrl must be http\(s\), not localhost:\n$/);
    expect(noCredentials).toMatchObject({ code: 2, stdout: '' });
    expect(noCredentials.stderr).toMatch(
      /^mailroom: no AWS credentials to sign the request with: .*--profile.*\n$/,
    );
    expect(JSON.parse(noCredentialsJson.stderr)).toMatchObject({ error: { code: 'config' } });
    expect(noFile).toMatchObject({ code: 2, stdout: '' });
    expect(noFile.stderr).toMatch(/cannot read .*missing\.csv: ENOENT/);
    expect(noApi).toMatchObject({ code: 2 });
    expect(noApi.stderr).toMatch(/no API URL: pass --api .* or set MAILROOM_API_URL/);
  });
});
