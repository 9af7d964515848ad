import { UPLOAD_LEASE_MS } from '../../lambdas/campaigns/campaign';
import { WATCH_RECOUNT_QUIET_MS } from '../../lambdas/campaigns/fanout';
import { api, type LocalMode, startLocalMode } from './support/local-mode';
import { acceptedForCampaign, mailsPerAddress, startRecordingSes } from './support/recording-ses';

/**
 * Issue 11's two reproductions, through local mode over HTTP: a campaign must never be
 * `completed` while a recipient record is unmailed (DESIGN.md, "Campaign integrity").
 */
// Generous: a loaded machine sends slowly; `finished` fails fast on a stall instead.
jest.setTimeout(600_000);

const RATE = 200;
let ses: Awaited<ReturnType<typeof startRecordingSes>>;
let local: LocalMode;

beforeAll(async () => {
  ses = await startRecordingSes({ maxSendRate: RATE });
  local = await startLocalMode({
    AWS_ENDPOINT_URL_SESV2: ses.endpoint,
    MAILROOM_SENDING_DOMAIN: 'acme.test',
  });
});

afterAll(async () => {
  await local?.stop();
  await ses?.stop();
});

const post = (path: string, body?: unknown, headers?: Record<string, string>) =>
  api(local.apiUrl, 'POST', path, body, headers);
const get = (path: string) => api(local.apiUrl, 'GET', path);
const csv = (path: string, text: string) => post(path, text, { 'content-type': 'text/csv' });

async function createCampaign(name: string): Promise<string> {
  const created = await post('/v1/campaigns', {
    name,
    subject: 'Hello {{first_name}}',
    html: '<p>Hi {{first_name}}</p><p><a href="{{unsubscribe_url}}">Unsubscribe</a></p>',
  });
  expect(created.status).toBe(201);
  return String(created.body.id);
}

/**
 * How long a campaign may go without any change in its status or totals before the wait fails: the
 * fan-out's watch recounts a campaign quiet for WATCH_RECOUNT_QUIET_MS, so longer than that is a stall.
 */
const STALL_MS = 2 * WATCH_RECOUNT_QUIET_MS + 30_000;

/**
 * Waits for campaign `id` to complete for as long as it makes progress (a loaded machine sends
 * slowly), and fails, with its last state and local mode's warnings, once it stalls.
 */
async function finished(id: string): Promise<Record<string, unknown>> {
  let seen = '';
  let progressAt = Date.now();
  for (;;) {
    const campaign = (await get(`/v1/campaigns/${id}`)).body;
    if (campaign.status === 'completed') return campaign;
    const now = JSON.stringify([campaign.status, campaign.totals]);
    if (now !== seen) {
      seen = now;
      progressAt = Date.now();
    } else if (Date.now() - progressAt > STALL_MS) {
      const warnings = local
        .output()
        .split('\n')
        .filter((line) => /warn|error/i.test(line))
        .slice(-20);
      throw new Error(
        `campaign ${id} did not move for ${STALL_MS / 1000} s: ${now}\nlocal mode said:\n${warnings.join('\n')}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** How many mails each address of campaign `id` got. */
const mailedFor = (id: string) => mailsPerAddress(acceptedForCampaign(ses.sends, id));

const rows = (prefix: string, count: number) =>
  Array.from({ length: count }, (_, i) => ({
    email: `${prefix}${i}@example.org`,
    data: { first_name: `N${i}` },
  }));

describe('reproduction 1: an upload with data that cannot be stored exactly', () => {
  it('refuses those rows one by one (never a 500), stores and counts the rest, and mails every one of them', async () => {
    const id = await createCampaign('unstorable values');
    const good = rows('v', 200);
    // As raw JSON text: 12345678901234567 must reach the API as written, not as JSON.stringify rounds it.
    const body = JSON.stringify({ recipients: good })
      .replace('"N10"}', '"N10","id":12345678901234567}')
      .replace('"N20"}', '"N20","score":1e300}')
      .replace('"N30"}', '"N30","tiny":1e-200}')
      .replace('"N40"}', '"N40","constructor":"x"}')
      .replace('"N50"}', '"N50","__proto__":{"polluted":true}}');

    const first = await post(`/v1/campaigns/${id}/recipients`, body, { 'content-type': 'application/json' });

    expect(first.status).toBe(200);
    expect(first.body.added).toBe(195);
    const invalid = first.body.invalid as { row: number; reason: string }[];
    expect(invalid.map((r) => r.row)).toEqual([11, 21, 31, 41, 51]);
    expect(invalid[0]?.reason).toMatch(/2\^53/);
    expect(invalid[1]?.reason).toMatch(/2\^53/);
    expect(invalid[2]?.reason).toMatch(/too close to 0/);
    expect(invalid[3]?.reason).toMatch(/"constructor" is reserved/);
    expect(invalid[4]?.reason).toMatch(/"__proto__" is reserved/);

    // Retrying the same upload changes nothing and says so.
    const again = await post(`/v1/campaigns/${id}/recipients`, body, { 'content-type': 'application/json' });
    expect(again.body).toMatchObject({ added: 0, duplicates: 195 });

    expect((await post(`/v1/campaigns/${id}/send`)).status).toBe(202);
    const done = await finished(id);
    expect(done.totals).toEqual({
      recipients: 195,
      queued: 0,
      sent: 195,
      failed: 0,
      suppressed: 0,
      cancelled: 0,
    });
    const mailed = mailedFor(id);
    expect(mailed.size).toBe(195);
    expect([...mailed.values()].every((n) => n === 1)).toBe(true);
  });

  it('treats a reserved key the same in CSV as in JSON, reads mixed line endings and reports a short row as one invalid row', async () => {
    const id = await createCampaign('csv rules');
    const text =
      'Email,First_Name,constructor\r\n' +
      'a@example.org,Ann,\n' +
      'b@example.org,Bob,x\n' +
      'c@example.org\n' +
      'd@example.org,Dee,\r\n';

    const response = await csv(`/v1/campaigns/${id}/recipients`, text);

    expect(response.status).toBe(200);
    expect(response.body.added).toBe(2);
    expect(response.body.invalid).toEqual([
      { row: 2, email: 'b@example.org', reason: expect.stringMatching(/"constructor" is reserved/) },
      { row: 3, reason: 'has 1 cells; the header has 3' },
    ]);
    expect((await post(`/v1/campaigns/${id}/send`)).status).toBe(202);
    expect((await finished(id)).totals).toMatchObject({ recipients: 2, sent: 2 });
    expect([...mailedFor(id).keys()].sort()).toEqual(['a@example.org', 'd@example.org']);
  });
});

describe('reproduction 2: recipients added while the campaign starts', () => {
  /** Every recipient the campaign accepted mailed exactly once, and a refused upload added nobody. */
  async function expectIntact(id: string, upload: { status: number; body: Record<string, unknown> }) {
    const done = await finished(id);
    const details = (upload.body.error as { details?: { written?: number } } | undefined)?.details;
    const accepted =
      upload.status === 200
        ? 1 + Number(upload.body.added)
        : upload.status === 503
          ? 1 + Number(details?.written)
          : 1;
    expect(done.totals).toEqual({
      recipients: accepted,
      queued: 0,
      sent: accepted,
      failed: 0,
      suppressed: 0,
      cancelled: 0,
    });
    const mailed = mailedFor(id);
    expect(mailed.size).toBe(accepted);
    expect([...mailed.values()].every((n) => n === 1)).toBe(true);
  }

  /** Sends again while the fence answers 409: at once after a finished upload, within its lease after one that ran out of time. */
  async function sendOnceUnfenced(id: string) {
    const until = Date.now() + UPLOAD_LEASE_MS + 10_000;
    for (;;) {
      const send = await post(`/v1/campaigns/${id}/send`);
      if (send.status !== 409 || Date.now() > until) return send;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }

  it.each([0, 5, 20, 60])(
    'an upload of 1,000 racing POST /send (send %i ms later) is either all mailed or a 409 that added nobody',
    async (sendAfterMs) => {
      const id = await createCampaign(`race ${sendAfterMs}`);
      await post(`/v1/campaigns/${id}/recipients`, { recipients: rows(`first${sendAfterMs}-`, 1) });

      const upload = post(`/v1/campaigns/${id}/recipients`, {
        recipients: rows(`race${sendAfterMs}-`, 1000),
      });
      await new Promise((resolve) => setTimeout(resolve, sendAfterMs));
      const send = await post(`/v1/campaigns/${id}/send`);
      const uploaded = await upload;

      if (uploaded.status === 200) expect(uploaded.body.added).toBe(1000);
      else if (uploaded.status === 503) {
        // A loaded machine can run the upload out of its write window: the rows it wrote are kept
        // (details.written), and the send it fenced starts with them once its lease ends.
        expect(uploaded.body.error?.code).toBe('upload_incomplete');
        expect(send.status).toBe(409);
      } else expect(uploaded.body.error?.code).toBe('invalid_state');
      if (send.status === 409) {
        // The fence: the start waits for the upload; sent again, it starts with every row written.
        expect(send.body.error?.code).toBe('upload_in_progress');
        expect((await sendOnceUnfenced(id)).status).toBe(202);
      } else {
        expect(send.status).toBe(202);
      }
      await expectIntact(id, uploaded);
    },
  );

  it('an upload of 1,000 landing just as a scheduled start is due is either all mailed or a 409 that added nobody', async () => {
    const id = await createCampaign('scheduled race');
    await post(`/v1/campaigns/${id}/recipients`, { recipients: rows('sfirst', 1) });
    const at = Date.now() + 2500;
    const scheduled = await post(`/v1/campaigns/${id}/send`, { at: new Date(at).toISOString() });
    expect(scheduled.body.status).toBe('scheduled');

    await new Promise((resolve) => setTimeout(resolve, at - Date.now() - 100));
    const uploaded = await post(`/v1/campaigns/${id}/recipients`, { recipients: rows('sched', 1000) });

    expect([200, 409]).toContain(uploaded.status);
    await expectIntact(id, uploaded);
  });
});

describe('warnings', () => {
  it('warns about HTML without {{unsubscribe_url}} and a send "at" in the past, and sends anyway', async () => {
    const created = await post('/v1/campaigns', { name: 'no link', subject: 'Hi', html: '<p>Hi</p>' });
    expect(created.status).toBe(201);
    expect(created.body.warnings).toEqual([expect.stringMatching(/no \{\{unsubscribe_url\}\} link/)]);
    const id = String(created.body.id);
    await post(`/v1/campaigns/${id}/recipients`, { recipients: [{ email: 'w@example.org' }] });

    const sent = await post(`/v1/campaigns/${id}/send`, { at: '2020-01-01T00:00:00Z' });

    expect(sent.status).toBe(202);
    expect(sent.body.status).toBe('sending');
    expect(sent.body.warnings).toEqual([
      expect.stringMatching(/is not in the future, so the campaign starts now/),
      expect.stringMatching(/no \{\{unsubscribe_url\}\} link/),
    ]);
    await finished(id);
  });
});
