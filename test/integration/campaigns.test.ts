import { type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { eventually, type LocalMode, localClients, startLocalMode } from './support/local-mode';
import { checkedApi } from './support/openapi-validator';
import {
  acceptedForCampaign,
  mailsPerAddress,
  type RecordedSend,
  startRecordingSes,
} from './support/recording-ses';

jest.setTimeout(180_000);

// 60 mails a second for the account: a 1,000-recipient campaign takes long enough to pause in the middle.
const RATE = 60;
let ses: Awaited<ReturnType<typeof startRecordingSes>>;
let local: LocalMode;
let dynamo: DynamoDBClient;

beforeAll(async () => {
  ses = await startRecordingSes({ maxSendRate: RATE });
  local = await startLocalMode({
    AWS_ENDPOINT_URL_SESV2: ses.endpoint,
    MAILROOM_SENDING_DOMAIN: 'acme.test',
  });
  ({ dynamo } = localClients(local));
});

afterAll(async () => {
  await local?.stop();
  await ses?.stop();
});

// Every answer of these flows is checked against docs/openapi.yaml (checkedApi).
const post = (path: string, body?: unknown, headers?: Record<string, string>) =>
  checkedApi(local.apiUrl, 'POST', path, body, headers);
const get = (path: string) => checkedApi(local.apiUrl, 'GET', path);
const sendsFor = (campaignId: string): RecordedSend[] => acceptedForCampaign(ses.sends, campaignId);

async function createCampaign(name: string, extra: Record<string, unknown> = {}): Promise<string> {
  const created = await post('/v1/campaigns', {
    name,
    subject: 'Hello {{first_name}}',
    html: '<p>Hi {{first_name}}</p><p><a href="{{unsubscribe_url}}">Unsubscribe</a></p>',
    text: 'Hi {{first_name}} - unsubscribe: {{unsubscribe_url}}',
    tags: { campaign: 'launch' },
    ...extra,
  });
  expect(created.status).toBe(201);
  return String(created.body.id);
}

async function addRecipients(id: string, rows: { email: string; data?: Record<string, unknown> }[]) {
  const totals = { added: 0, duplicates: 0, invalid: 0 };
  for (let i = 0; i < rows.length; i += 1000) {
    const response = await post(`/v1/campaigns/${id}/recipients`, { recipients: rows.slice(i, i + 1000) });
    expect(response.status).toBe(200);
    totals.added += Number(response.body.added);
    totals.duplicates += Number(response.body.duplicates);
    totals.invalid += (response.body.invalid as unknown[]).length;
  }
  return totals;
}

async function suppress(email: string): Promise<void> {
  await dynamo.send(
    new PutItemCommand({
      TableName: 'mailroom-suppressions',
      Item: { email: { S: email }, reason: { S: 'bounce' }, createdAt: { S: new Date().toISOString() } },
    }),
  );
}

const finished = (id: string, status = 'completed') =>
  eventually(
    async () => {
      const campaign = await get(`/v1/campaigns/${id}`);
      return campaign.body.status === status ? campaign.body : undefined;
    },
    120_000,
    `campaign ${id} to be ${status}`,
  );

describe('a campaign through local mode', () => {
  it('mails 1,000 recipients exactly once each, skipping suppressed and duplicate addresses, with exact counts', async () => {
    const id = await createCampaign('Thousand');
    const rows = Array.from({ length: 1000 }, (_, i) => ({
      email: `user${i}@example.org`,
      data: { first_name: `User ${i}` },
    }));
    // 20 duplicates (another case, another upload) and 10 suppressed addresses.
    const duplicates = rows.slice(0, 20).map((r) => ({ ...r, email: r.email.toUpperCase() }));
    for (const row of rows.slice(100, 110)) await suppress(row.email);

    const added = await addRecipients(id, [...rows, ...duplicates].slice(0, 1000));
    const more = await addRecipients(id, [...rows, ...duplicates].slice(1000));
    expect(added.added + more.added).toBe(1000);
    expect(added.duplicates + more.duplicates).toBe(20);

    expect((await post(`/v1/campaigns/${id}/send`)).status).toBe(202);
    const done = await finished(id);

    expect(done.totals).toEqual({
      recipients: 1000,
      queued: 0,
      sent: 990,
      failed: 0,
      suppressed: 10,
      cancelled: 0,
    });
    expect(done.progress).toBe(1);
    const counts = mailsPerAddress(sendsFor(id));
    expect(counts.size).toBe(990);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(counts.has('user105@example.org')).toBe(false);
    expect((await get(`/v1/campaigns/${id}/recipients/user105%40example.org`)).body).toMatchObject({
      status: 'suppressed',
    });
    expect((await get('/v1/campaigns?limit=100')).status).toBe(200);

    const sample = sendsFor(id).find((s) => s.body.Destination?.ToAddresses?.[0] === 'user7@example.org');
    expect(sample?.body.Content?.Simple?.Subject?.Data).toBe('Hello User 7');
    expect(sample?.body.ConfigurationSetName).toBe('bulk');
    const headers = Object.fromEntries(
      (sample?.body.Content?.Simple?.Headers ?? []).map((h) => [h.Name, h.Value]),
    );
    expect(headers['List-Unsubscribe']).toMatch(/^<http:\/\/127\.0\.0\.1:\d+\/unsubscribe\?token=[\w.%-]+>$/);
    expect(headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    expect(sample?.body.EmailTags).toEqual(
      expect.arrayContaining([
        { Name: 'stream', Value: 'bulk' },
        { Name: 'campaignId', Value: id },
        { Name: 'campaign', Value: 'launch' },
      ]),
    );
  });

  it('pauses in the middle and resumes without skipping or repeating anyone', async () => {
    const id = await createCampaign('Pause and resume');
    const rows = Array.from({ length: 600 }, (_, i) => ({
      email: `pause${i}@example.org`,
      data: { first_name: `P${i}` },
    }));
    await addRecipients(id, rows);
    await post(`/v1/campaigns/${id}/send`);

    await eventually(async () => (sendsFor(id).length >= 100 ? true : undefined), 60_000, '100 sends');
    const paused = await post(`/v1/campaigns/${id}/pause`);
    expect(paused.body.status).toBe('paused');
    // Within seconds nothing more goes out.
    await new Promise((r) => setTimeout(r, 4000));
    const atPause = sendsFor(id).length;
    await new Promise((r) => setTimeout(r, 3000));
    expect(sendsFor(id).length).toBe(atPause);
    expect(atPause).toBeLessThan(600);

    expect((await post(`/v1/campaigns/${id}/resume`)).body.status).toBe('sending');
    const done = await finished(id);
    expect(done.totals).toMatchObject({ recipients: 600, sent: 600, queued: 0 });
    const counts = mailsPerAddress(sendsFor(id));
    expect(counts.size).toBe(600);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
  });

  it('sends nothing more after cancel and leaves the unsent recipients cancelled', async () => {
    const id = await createCampaign('Cancel');
    await addRecipients(
      id,
      Array.from({ length: 500 }, (_, i) => ({ email: `cancel${i}@example.org`, data: { first_name: 'C' } })),
    );
    await post(`/v1/campaigns/${id}/send`);
    await eventually(async () => (sendsFor(id).length >= 50 ? true : undefined), 60_000, '50 sends');

    expect((await post(`/v1/campaigns/${id}/cancel`)).body.status).toBe('cancelled');
    const settledCampaign = await eventually(
      async () => {
        const c = await get(`/v1/campaigns/${id}`);
        const t = c.body.totals as Record<string, number>;
        return (t.sent ?? 0) + (t.cancelled ?? 0) === 500 ? c.body : undefined;
      },
      60_000,
      'every recipient sent or cancelled',
    );
    await new Promise((r) => setTimeout(r, 2000));
    const totals = settledCampaign.totals as Record<string, number>;
    expect(sendsFor(id).length).toBe(totals.sent);
    expect(totals.cancelled).toBeGreaterThan(0);
    expect((await post(`/v1/campaigns/${id}/send`)).status).toBe(409);
  });

  it('escapes hostile merge data: no markup in html, no header in the subject, no extra recipient', async () => {
    const id = await createCampaign('Hostile');
    await addRecipients(id, [
      {
        email: 'hostile@example.org',
        data: { first_name: '<script>alert(1)</script>\r\nBcc: victim@example.org' },
      },
    ]);
    await post(`/v1/campaigns/${id}/send`);
    await finished(id);
    const [send] = sendsFor(id);
    expect(send?.body.Destination).toEqual({
      ToAddresses: ['hostile@example.org'],
      CcAddresses: [],
      BccAddresses: [],
    });
    expect(send?.body.Content?.Simple?.Subject?.Data).toBe(
      'Hello <script>alert(1)</script> Bcc: victim@example.org',
    );
    const mail = (await ses.inbox()).find((m) => m.destination.to.includes('hostile@example.org'));
    expect(mail?.body.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(mail?.body.html).not.toContain('<script>');
  });

  it('imports recipients from CSV, reporting each invalid row with its reason', async () => {
    const id = await createCampaign('CSV');
    const csv =
      'email,first_name\r\nann@example.org,Ann\r\n"bob@example.org","Bob, Jr."\r\nnot-an-address,X\r\nann@example.org,Again\r\nnoname@example.org,\r\n';
    const response = await post(`/v1/campaigns/${id}/recipients`, csv, { 'content-type': 'text/csv' });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      added: 2,
      duplicates: 1,
      invalid: [
        { row: 3, email: 'not-an-address', reason: expect.stringContaining('domain') },
        { row: 5, email: 'noname@example.org', reason: 'missing variable "first_name"' },
      ],
    });
    await post(`/v1/campaigns/${id}/send`);
    await finished(id);
    const bob = sendsFor(id).find((s) => s.body.Destination?.ToAddresses?.[0] === 'bob@example.org');
    expect(bob?.body.Content?.Simple?.Subject?.Data).toBe('Hello Bob, Jr.');
  });

  it('starts a scheduled campaign on time', async () => {
    const id = await createCampaign('Scheduled');
    await addRecipients(id, [{ email: 'early@example.org', data: { first_name: 'E' } }]);
    const at = new Date(Date.now() + 6000);
    const scheduled = await post(`/v1/campaigns/${id}/send`, { at: at.toISOString() });
    expect(scheduled.body.status).toBe('scheduled');
    await new Promise((r) => setTimeout(r, 3000));
    expect(sendsFor(id)).toHaveLength(0);

    const done = await finished(id);
    const startedAt = Date.parse(String(done.startedAt));
    expect(startedAt).toBeGreaterThanOrEqual(at.getTime() - 1000);
    expect(startedAt).toBeLessThan(at.getTime() + 5000);
    expect(sendsFor(id)[0]?.at).toBeGreaterThanOrEqual(at.getTime() - 1000);
  });

  it('edits a draft: refuses content its rows cannot render (422, the rows named), then sends the edited content', async () => {
    const id = await createCampaign('Edited');
    await addRecipients(id, [
      { email: 'pro@example.org', data: { first_name: 'P', plan: 'Pro' } },
      { email: 'free@example.org', data: { first_name: 'F' } },
    ]);
    const edit = (fields: Record<string, unknown>) =>
      checkedApi(local.apiUrl, 'PATCH', `/v1/campaigns/${id}`, {
        name: 'Edited',
        text: 'Hi {{first_name}} - unsubscribe: {{unsubscribe_url}}',
        ...fields,
      });
    const refused = await edit({ subject: 'Your {{plan}} plan' });
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({
      error: {
        code: 'unrenderable_for_recipients',
        details: { failures: [{ email: 'free@example.org', reason: 'missing variable "plan"' }] },
      },
    });
    const edited = await edit({ subject: 'Edited for {{first_name}}' });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ status: 'draft', content: { subject: 'Edited for {{first_name}}' } });
    expect((await post(`/v1/campaigns/${id}/send`)).status).toBe(202);
    await finished(id);
    const subjects = (await ses.inbox())
      .filter((m) => m.destination.to.some((to) => to.endsWith('@example.org') && /^(pro|free)@/.test(to)))
      .map((m) => m.subject)
      .sort();
    expect(subjects).toEqual(['Edited for F', 'Edited for P']);
    expect((await edit({ subject: 'Too late' })).status).toBe(409);
  });

  it('sends a test of the rendered campaign now, without touching the campaign', async () => {
    const id = await createCampaign('Test send');
    const missing = await post(`/v1/campaigns/${id}/test`, { to: 'qa@acme.test' });
    expect(missing.status).toBe(422);
    const test = await post(`/v1/campaigns/${id}/test`, { to: ['qa@acme.test'], data: { first_name: 'QA' } });
    expect(test.status).toBe(202);
    await eventually(
      async () => (await ses.inbox()).find((m) => m.subject === '[Test] Hello QA'),
      20_000,
      'the test mail',
    );
    expect((await get(`/v1/campaigns/${id}`)).body).toMatchObject({
      status: 'draft',
      totals: { recipients: 0, sent: 0 },
    });
  });

  it('lets a transactional mail through while a campaign keeps the account busy', async () => {
    const id = await createCampaign('Busy');
    await addRecipients(
      id,
      Array.from({ length: 400 }, (_, i) => ({ email: `busy${i}@example.org`, data: { first_name: 'B' } })),
    );
    await post(`/v1/campaigns/${id}/send`);
    await eventually(
      async () => (sendsFor(id).length >= 20 ? true : undefined),
      60_000,
      'the campaign under way',
    );

    const otp = await post('/v1/emails', {
      to: 'otp@example.org',
      subject: `Code ${Date.now()}`,
      text: '123456',
    });
    expect(otp.status).toBe(202);
    await eventually(
      async () => ((await get(`/v1/emails/${otp.body.id}`)).body.status === 'sent' ? true : undefined),
      30_000,
      'the OTP',
    );
    // It did not queue behind the campaign: most of the campaign is still to go when it is sent.
    expect(sendsFor(id).length).toBeLessThan(200);
    await finished(id);
  });

  it('answers illegal transitions with 409 and a clear message', async () => {
    const id = await createCampaign('Transitions');
    expect((await post(`/v1/campaigns/${id}/resume`)).body.error).toMatchObject({ code: 'invalid_state' });
    expect((await post(`/v1/campaigns/${id}/send`)).body.error).toMatchObject({ code: 'no_recipients' });
    await post(`/v1/campaigns/${id}/cancel`);
    const adding = await post(`/v1/campaigns/${id}/recipients`, {
      recipients: [{ email: 'late@example.org', data: { first_name: 'L' } }],
    });
    expect(adding.status).toBe(409);
    expect(adding.body.error?.message).toMatch(/cancelled/);
  });
});
