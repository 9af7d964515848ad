import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Io } from '../../packages/cli/src/command';
import { EXIT } from '../../packages/cli/src/exit-codes';
import { run } from '../../packages/cli/src/main';
import { type ScriptedAnswer, scriptedFetch } from './support/scripted-fetch';

const LOCAL = 'http://127.0.0.1:3000';
const AWS = 'https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/live';

/** Runs the CLI in-process with a scripted API; what it printed, sent and exited with. */
async function cli(
  argv: string[],
  answers: ScriptedAnswer[] = [{ status: 200, json: {} }],
  extra: Partial<Io> = {},
) {
  const { sent, fetch } = scriptedFetch(...answers);
  let stdout = '';
  let stderr = '';
  const code = await run(argv, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env: {},
    fetch,
    sleep: async () => undefined,
    ...extra,
  });
  return { code, stdout, stderr, sent };
}

describe('mailroom: usage and configuration errors are exit 2, one line, and no request', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mailroom-cli-unit-'));

  it.each([
    [['account', '--api', 'not a url'], /^mailroom: apiUrl "not a url" is not a URL/],
    [['account', '--api', 'http://mail.acme.com'], /plain http: only local mode/],
    [['account', '--api', 'https://mail.acme.com/live'], /cannot tell the AWS region from mail\.acme\.com/],
    [['account'], /^mailroom: no API URL: pass --api/],
    [['bogus', '--api', LOCAL], /^mailroom: unknown command "bogus"/],
    [
      ['campaigns', 'launch', 'c1', '--api', LOCAL],
      /unknown command "campaigns launch"; campaigns has: create, list/,
    ],
    [['send', '--to', 'a@b.org', '--api', LOCAL, '--colour'], /^mailroom: send: Unknown option '--colour'/],
    [['send', '--subject', 's', '--text', 't', '--api', LOCAL], /^mailroom: send: --to is required/],
    [['send', '--to', 'a@b.org', '--text', 't', '--api', LOCAL], /give --subject and --text or --html/],
    [['campaigns', 'status', '--api', LOCAL], /^mailroom: campaigns status: <id> is required/],
    [['campaigns', 'pause', 'c1', 'c2', '--api', LOCAL], /unexpected argument "c2"/],
    [['campaigns', 'create', '--subject', 's', '--text', 't', '--api', LOCAL], /--name is required/],
    [['campaigns', 'send', 'c1', '--at', 'tomorrow', '--api', LOCAL], /--at must be an ISO 8601 date-time/],
    [['campaigns', 'status', 'c1', '--watch', '--interval', '0', '--api', LOCAL], /--interval must be/],
    [
      ['send', '--to', 'a@b.org', '--subject', 's', '--text', 't', '--data', '[1]', '--api', LOCAL],
      /--data must be a JSON object/,
    ],
    [
      ['send', '--to', 'a@b.org', '--subject', 's', '--text', 't', '--var', 'novalue', '--api', LOCAL],
      /--var takes name=value/,
    ],
    [
      ['send', '--to', 'a@b.org', '--subject', 's', '--html-file', '/no/such.html', '--api', LOCAL],
      /cannot read \/no\/such\.html: ENOENT/,
    ],
    [
      [
        'send',
        '--to',
        'a@b.org',
        '--subject',
        's',
        '--text',
        't',
        '--idempotency-key',
        'has space',
        '--api',
        LOCAL,
      ],
      /idempotencyKey must be 1 to 255 visible ASCII/,
    ],
    [
      ['campaigns', 'add-recipients', 'c1', join(tmpdir(), 'no-such-list.csv'), '--api', LOCAL],
      /cannot read .*no-such-list\.csv: ENOENT/,
    ],
    [['campaigns', 'add-recipients', 'c1', tmpdir(), '--api', LOCAL], /is not a file/],
    [['emails', 'get', '', '--api', LOCAL], /--id|<id>|id must be a non-empty string/],
  ])('%j', async (argv, message) => {
    const { code, stdout, stderr, sent } = await cli(argv);

    expect(code).toBe(EXIT.usage);
    expect(stdout).toBe('');
    expect(stderr.split('\n')[0]).toMatch(message);
    expect(sent).toHaveLength(0);
  });

  it('asks for credentials before any request to a deployed API, and says how to give them', async () => {
    const credentials = async () => {
      throw new Error('Could not load credentials from any providers');
    };

    const { code, stderr, sent } = await cli(['account', '--api', AWS], undefined, { credentials });

    expect(code).toBe(EXIT.usage);
    expect(stderr).toMatch(
      /^mailroom: no AWS credentials to sign the request with: .*\(pass --profile, run aws sso login/,
    );
    expect(sent).toHaveLength(0);
  });

  it('reports an empty CSV file as a usage error, without a request', async () => {
    const file = join(dir, 'header-only.csv');
    writeFileSync(file, 'email,first_name\n');

    const { code, stderr, sent } = await cli(['campaigns', 'add-recipients', 'c1', file, '--api', LOCAL]);

    expect(code).toBe(EXIT.usage);
    expect(stderr).toMatch(/has no data rows/);
    expect(sent).toHaveLength(0);
  });

  it('with --json, reports the error as one JSON document on stderr and nothing on stdout', async () => {
    const { code, stdout, stderr } = await cli(['account', '--json', '--api', 'ftp://x']);

    expect(code).toBe(EXIT.usage);
    expect(stdout).toBe('');
    expect(JSON.parse(stderr)).toEqual({
      error: { code: 'config', message: 'apiUrl must be http(s), not ftp:' },
    });
  });

  it('prints the help with the exit codes, exit 0, also for one command', async () => {
    const all = await cli(['--help']);
    const one = await cli(['campaigns', 'add-recipients', '--help']);

    expect(all.code).toBe(EXIT.ok);
    expect(all.stdout).toMatch(/campaigns add-recipients <id> <file\.csv>/);
    expect(all.stdout).toMatch(
      /Exit codes:\n {2}0 .*\n {2}1 .*\n {2}2 .*\n {2}3 .*\n {2}4 {2}the smoke check failed/,
    );
    expect(one.stdout).toMatch(/^Usage: mailroom campaigns add-recipients <id> <file\.csv> \[flags\]/);
    expect(one.stdout).toMatch(/--rejects <file>/);
    expect(all.sent).toHaveLength(0);
  });
});

describe('mailroom: what the API answers decides the exit code', () => {
  const refusal = (status: number, code: string): ScriptedAnswer => ({
    status,
    json: { error: { code, message: `${code} happened`, details: { field: 'to' } } },
  });

  it.each([
    [refusal(400, 'validation_failed'), EXIT.failed],
    [refusal(404, 'not_found'), EXIT.failed],
    [refusal(409, 'invalid_state'), EXIT.failed],
    [refusal(429, 'throttled'), EXIT.unavailable],
    [refusal(503, 'unavailable'), EXIT.unavailable],
    [{ fail: new TypeError('fetch failed') }, EXIT.unavailable],
  ])('%j → %i', async (answer, exit) => {
    const human = await cli(['campaigns', 'pause', 'c1', '--api', LOCAL], [answer]);
    const json = await cli(['campaigns', 'pause', 'c1', '--api', LOCAL, '--json'], [answer]);

    expect(human.code).toBe(exit);
    expect(human.stderr).toMatch(/^mailroom: /);
    expect(json.code).toBe(exit);
    expect(json.stdout).toBe('');
    const error = (JSON.parse(json.stderr) as { error: { code: string } }).error;
    expect(error.code).toBe(
      'fail' in answer ? 'network' : (answer.json as { error: { code: string } }).error.code,
    );
  });

  it('passes the API error details on, for people and as JSON', async () => {
    const answer = refusal(400, 'validation_failed');

    const human = await cli(['send', '--to', 'x', '--subject', 's', '--text', 't', '--api', LOCAL], [answer]);
    const json = await cli(
      ['send', '--to', 'x', '--subject', 's', '--text', 't', '--api', LOCAL, '--json'],
      [answer],
    );

    expect(human.stderr).toBe(
      'mailroom: POST /v1/emails: 400 validation_failed: validation_failed happened\n  details: {"field":"to"}\n',
    );
    expect(JSON.parse(json.stderr)).toEqual({
      error: {
        code: 'validation_failed',
        message: expect.stringMatching(/validation_failed happened$/),
        details: { field: 'to' },
      },
    });
  });
});

describe('mailroom: commands send what they say', () => {
  it('send: lists, merge data, tags and the Idempotency-Key', async () => {
    const { code, stdout, sent } = await cli(
      [
        'send',
        '--to',
        'a@example.org',
        '--to',
        'b@example.org',
        '--cc',
        'c@example.org',
        '--subject',
        'Code',
        '--text',
        '{{code}} for {{who}}',
        '--data',
        '{"code":"1","who":"x"}',
        '--var',
        'who=Jane',
        '--tag',
        'app=cli',
        '--idempotency-key',
        'order-42',
        '--api',
        LOCAL,
      ],
      [{ status: 202, json: { id: 'm1', status: 'queued', suppressed: ['c@example.org'] } }],
    );

    expect(code).toBe(EXIT.ok);
    expect(stdout).toBe('queued m1\n  suppressed (not sent): c@example.org\n');
    expect(sent[0]?.headers['idempotency-key']).toBe('order-42');
    expect(JSON.parse(sent[0]?.body ?? '')).toEqual({
      to: ['a@example.org', 'b@example.org'],
      cc: ['c@example.org'],
      subject: 'Code',
      text: '{{code}} for {{who}}',
      data: { code: '1', who: 'Jane' },
      tags: { app: 'cli' },
    });
  });

  it('campaigns edit: sends only what the flags change', async () => {
    const edited = { id: 'c1', name: 'December news', status: 'draft' };
    const { code, stdout, sent } = await cli(
      ['campaigns', 'edit', 'c1', '--subject', 'New {{first_name}}', '--tag', 'kind=news', '--api', LOCAL],
      [{ status: 200, json: edited }],
    );
    expect(code).toBe(EXIT.ok);
    expect(stdout).toBe('c1\n');
    expect(sent.map((r) => `${r.method} ${new URL(r.url).pathname}`)).toEqual(['PATCH /v1/campaigns/c1']);
    expect(JSON.parse(sent[0]?.body ?? '')).toEqual({
      subject: 'New {{first_name}}',
      tags: { kind: 'news' },
    });
    for (const argv of [
      ['campaigns', 'edit', 'c1', '--template', 't', '--text', 'x'],
      ['campaigns', 'edit', 'c1'],
    ]) {
      const refused = await cli([...argv, '--api', LOCAL]);
      expect(refused.code).toBe(EXIT.usage);
      expect(refused.stderr).toMatch(/not both|nothing to change/);
      expect(refused.sent).toEqual([]);
    }
  });

  it('takes the API URL from MAILROOM_API_URL, and global flags before the command', async () => {
    const fromEnv = await cli(['suppressions', 'list', '--json'], [{ status: 200, json: { items: [] } }], {
      env: { MAILROOM_API_URL: 'http://127.0.0.1:4000' },
    });
    const before = await cli(
      ['--api', 'http://127.0.0.1:5000', '--json', 'account'],
      [{ status: 200, json: { sandbox: true } }],
    );

    expect(fromEnv.sent[0]?.url).toBe('http://127.0.0.1:4000/v1/suppressions?limit=100');
    expect(JSON.parse(fromEnv.stdout)).toEqual({ items: [] });
    expect(before.sent[0]?.url).toBe('http://127.0.0.1:5000/v1/account');
  });

  it('lists every page as one JSON document', async () => {
    const page = (names: string[], nextCursor?: string): ScriptedAnswer => ({
      status: 200,
      json: {
        items: names.map((name) => ({ name, subject: 's', createdAt: 't', updatedAt: 't' })),
        nextCursor,
      },
    });

    const { stdout, sent } = await cli(
      ['templates', 'list', '--json', '--api', LOCAL],
      [page(['a', 'b'], 'c1'), page(['c'])],
    );

    expect(sent.map((s) => new URL(s.url).search)).toEqual(['?limit=100', '?limit=100&cursor=c1']);
    expect((JSON.parse(stdout) as { items: { name: string }[] }).items.map((t) => t.name)).toEqual([
      'a',
      'b',
      'c',
    ]);
  });
});

describe('mailroom campaigns status --watch', () => {
  const campaign = (status: string, sent: number, extra: Record<string, unknown> = {}): ScriptedAnswer => ({
    status: 200,
    json: {
      id: 'c1',
      name: 'News',
      status,
      totals: { recipients: 100, queued: 0, sent, failed: 0, suppressed: 0, cancelled: 0 },
      events: {
        delivered: sent - 2,
        bounced: 2,
        complained: 0,
        rejected: 0,
        renderingFailures: 0,
        delayed: 0,
        opens: 7,
        uniqueOpens: 5,
        clicks: 3,
        uniqueClicks: 2,
        unsubscribed: 0,
      },
      progress: sent / 100,
      currentRate: status === 'sending' ? 25 : 0,
      etaSeconds: status === 'sending' ? Math.ceil((100 - sent) / 25) : null,
      waitingForQuota: false,
      ...extra,
    },
  });

  it('follows a campaign to completed: exit 0, one JSON document, no progress lines', async () => {
    const { code, stdout, stderr, sent } = await cli(
      ['campaigns', 'status', 'c1', '--watch', '--json', '--api', LOCAL],
      [
        campaign('sending', 10),
        campaign('paused', 50, { pausedBy: 'user' }),
        campaign('sending', 60),
        campaign('completed', 100),
      ],
    );

    expect(code).toBe(EXIT.ok);
    expect(sent).toHaveLength(4);
    expect(stderr).toBe('');
    expect(JSON.parse(stdout)).toMatchObject({ id: 'c1', status: 'completed' });
  });

  it('redraws one progress line on a terminal: counts, rate, ETA, deliveries, bounces, opens, clicks', async () => {
    const writes: string[] = [];
    const { code, stdout } = await cli(
      ['campaigns', 'status', 'c1', '--watch', '--api', LOCAL],
      [campaign('sending', 50), campaign('cancelled', 60)],
      { stderr: { write: (text: string) => writes.push(text), isTTY: true, columns: 200 } },
    );

    expect(code).toBe(EXIT.failed);
    expect(writes[0]).toBe(
      `\r\x1b[2Ksending   ${'█'.repeat(10)}${'░'.repeat(10)} 50/100 50%  25/s  ETA 0:02  delivered 48  bounced 2  complained 0  opens 7  clicks 3`,
    );
    expect(writes.at(-1)).toBe('\n');
    expect(stdout).toMatch(/^c1 {2}News\n {2}status {6}cancelled\n/);
  });

  it('writes a line now and then when stderr is not a terminal', async () => {
    const { stderr } = await cli(
      ['campaigns', 'status', 'c1', '--watch', '--api', LOCAL],
      [campaign('sending', 10), campaign('sending', 10), campaign('completed', 100)],
    );

    expect(stderr.split('\n').filter(Boolean)).toEqual([
      expect.stringMatching(/^sending .* 10\/100 10%/),
      expect.stringMatching(/^completed .* 100\/100 100%/),
    ]);
  });

  it('does not wait for a draft: exit 1 and a hint', async () => {
    const { code, stderr } = await cli(
      ['campaigns', 'status', 'c1', '--watch', '--api', LOCAL],
      [campaign('draft', 0)],
    );

    expect(code).toBe(EXIT.failed);
    expect(stderr).toMatch(/is a draft: nothing to watch until "mailroom campaigns send c1"/);
  });
});
