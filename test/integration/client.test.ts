import { type CampaignWithProgress, MailroomApiError, MailroomClient } from '@mailroom/client';
import { eventually, type LocalMode, startLocalMode } from './support/local-mode';

jest.setTimeout(180_000);

let local: LocalMode;
let mailroom: MailroomClient;

beforeAll(async () => {
  local = await startLocalMode();
  mailroom = new MailroomClient({ apiUrl: local.apiUrl });
});
afterAll(async () => {
  await local?.stop();
});

/** The API's error, as the client throws it. */
async function apiError(call: Promise<unknown>): Promise<MailroomApiError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MailroomApiError);
  return error as MailroomApiError;
}

describe('@mailroom/client against local mode (unsigned)', () => {
  it('sends a transactional mail, reads it back sent, and replays a send with the same Idempotency-Key', async () => {
    expect(mailroom.signing).toEqual({ signed: false });

    const accepted = await mailroom.emails.send({
      to: ['Jane Doe <jane@example.org>'],
      subject: 'Your code',
      text: 'Your code is {{code}}',
      data: { code: '482913' },
      tags: { app: 'client-test' },
    });
    const sent = await eventually(async () => {
      const email = await mailroom.emails.get(accepted.id);
      return email.status === 'sent' ? email : undefined;
    });

    expect(accepted).toEqual({ id: expect.any(String), status: 'queued', suppressed: [] });
    expect(sent).toMatchObject({
      id: accepted.id,
      to: ['"Jane Doe" <jane@example.org>'],
      subject: 'Your code',
    });
    expect(sent.events.map((e) => e.type)).toContain('sent');

    const once = { to: 'jane@example.org', subject: 'Once', text: 'only once' };
    const first = await mailroom.emails.send(once, { idempotencyKey: `client-test-${accepted.id}` });
    const again = await mailroom.emails.send(once, { idempotencyKey: `client-test-${accepted.id}` });
    expect(again.id).toBe(first.id);
  });

  it("turns the API's refusals into MailroomApiError with its code and details", async () => {
    const invalid = await apiError(mailroom.emails.send({ to: 'not an address', subject: 's', text: 't' }));
    expect(invalid).toMatchObject({ status: 400, code: 'validation_failed', attempts: 1 });
    expect(invalid.details).toBeDefined();

    const missing = await apiError(mailroom.emails.get('no-such-message'));
    expect(missing).toMatchObject({ status: 404, code: 'not_found' });

    const notPaused = await apiError(mailroom.account.resumeBulk());
    expect(notPaused).toMatchObject({ status: 409, code: 'not_paused' });
  });

  it('stores, reads, lists and deletes a template', async () => {
    const created = await mailroom.templates.put('client-welcome', {
      subject: 'Welcome {{first_name}}',
      html: '<p>Hi {{first_name}}</p>',
      text: 'Hi {{first_name}}',
    });
    const read = await mailroom.templates.get('client-welcome');
    const listed = await mailroom.templates.list({ limit: 100 });
    const all: string[] = [];
    for await (const template of mailroom.templates.all({ limit: 1 })) all.push(template.name);
    const viaTemplate = await mailroom.emails.send({
      to: 'jane@example.org',
      template: 'client-welcome',
      data: { first_name: 'Jane' },
    });
    await mailroom.templates.delete('client-welcome');

    expect(created).toMatchObject({ name: 'client-welcome', subject: 'Welcome {{first_name}}' });
    expect(read).toEqual(created);
    expect(listed.items.map((t) => t.name)).toContain('client-welcome');
    expect(all).toContain('client-welcome');
    expect(viaTemplate.status).toBe('queued');
    expect((await apiError(mailroom.templates.get('client-welcome'))).status).toBe(404);
  });

  it('runs a campaign of 50 recipients (25 as JSON rows, 25 as CSV) to completion', async () => {
    const campaign = await mailroom.campaigns.create({
      name: 'client test',
      subject: 'News for {{first_name}}',
      html: '<p>Hi {{first_name}}</p><p><a href="{{unsubscribe_url}}">Unsubscribe</a></p>',
      text: 'Hi {{first_name}}: {{unsubscribe_url}}',
    });
    const rows = Array.from({ length: 25 }, (_, i) => ({
      email: `json-${i}@example.org`,
      data: { first_name: `Json${i}` },
    }));
    const csv = [
      'email,First Name',
      ...Array.from({ length: 25 }, (_, i) => `csv-${i}@example.org,Csv${i}`),
      'not-an-address,Broken',
    ].join('\n');

    const fromJson = await mailroom.campaigns.addRecipients(campaign.id, rows);
    const fromCsv = await mailroom.campaigns.addRecipientsCsv(campaign.id, csv);
    const test = await mailroom.campaigns.test(campaign.id, {
      to: 'me@example.org',
      data: { first_name: 'Me' },
    });
    const started = await mailroom.campaigns.send(campaign.id);
    const done = await eventually<CampaignWithProgress>(
      async () => {
        const now = await mailroom.campaigns.get(campaign.id);
        return now.status === 'completed' ? now : undefined;
      },
      60_000,
      'the campaign to complete',
    );
    const recipient = await eventually(async () => {
      const r = await mailroom.campaigns.getRecipient(campaign.id, 'CSV-7@example.org');
      return r.headers.length > 0 ? r : undefined;
    });
    const listed = await mailroom.campaigns.list({ limit: 100 });

    expect(campaign).toMatchObject({ status: 'draft', name: 'client test' });
    expect(fromJson).toEqual({ added: 25, duplicates: 0, invalid: [] });
    expect(fromCsv).toMatchObject({ added: 25, duplicates: 0, invalid: [{ email: 'not-an-address' }] });
    expect(test.ids).toHaveLength(1);
    expect(started.status).toBe('sending');
    expect(done.totals).toMatchObject({ recipients: 50, sent: 50, failed: 0 });
    expect(done.progress).toBe(1);
    expect(recipient).toMatchObject({ email: 'csv-7@example.org', status: 'sent' });
    expect(listed.items.map((c) => c.id)).toContain(campaign.id);

    // The public unsubscribe routes, with the link the mail carried.
    const link = /<([^>]+)>/.exec(
      recipient.headers.find((h) => h.name.toLowerCase() === 'list-unsubscribe')?.value ?? '',
    )?.[1];
    expect(link).toMatch(/\/unsubscribe\?token=/);
    const page = await mailroom.unsubscribe.page(String(link));
    const oneClick = await mailroom.unsubscribe.oneClick(String(link));
    expect(page).toMatchObject({ status: 200, contentType: expect.stringMatching(/^text\/html/) });
    expect(oneClick.status).toBe(200);
    expect(await mailroom.suppressions.get('csv-7@example.org')).toMatchObject({ reason: 'unsubscribe' });
  });

  it('schedules, pauses, resumes and cancels a campaign', async () => {
    const campaign = await mailroom.campaigns.create({ name: 'client schedule', subject: 's', text: 'Hi' });
    await mailroom.campaigns.addRecipients(campaign.id, [{ email: 'later@example.org' }]);
    const at = new Date(Date.now() + 3_600_000).toISOString();

    const scheduled = await mailroom.campaigns.send(campaign.id, { at });
    const paused = await mailroom.campaigns.pause(campaign.id);
    const resumed = await mailroom.campaigns.resume(campaign.id);
    const cancelled = await mailroom.campaigns.cancel(campaign.id);

    expect(scheduled).toMatchObject({ status: 'scheduled', scheduledAt: at });
    expect(paused.status).toBe('paused');
    expect(resumed.status).toBe('scheduled');
    expect(cancelled.status).toBe('cancelled');
    const late = await apiError(mailroom.campaigns.addRecipients(campaign.id, [{ email: 'x@example.org' }]));
    expect(late).toMatchObject({ status: 409, code: 'invalid_state' });
  });

  it('adds, reads, lists and removes a suppression', async () => {
    const address = 'Client.Suppressed+tag@Example.org';

    const added = await mailroom.suppressions.put(address, { reason: 'manual', detail: 'asked by phone' });
    const read = await mailroom.suppressions.get(address);
    const listed = await mailroom.suppressions.list({ reason: 'manual', limit: 100 });
    const all: string[] = [];
    for await (const entry of mailroom.suppressions.all({ reason: 'manual' })) all.push(entry.email);
    await mailroom.suppressions.delete(address);

    expect(added).toMatchObject({
      email: 'client.suppressed+tag@example.org',
      reason: 'manual',
      scope: 'all',
    });
    expect(read).toEqual(added);
    expect(listed.items.map((s) => s.email)).toContain(added.email);
    expect(all).toContain(added.email);
    expect((await apiError(mailroom.suppressions.get(address))).code).toBe('not_found');
  });

  it('reads the account', async () => {
    const account = await mailroom.account.get();

    expect(account).toMatchObject({ sandbox: false, sendingEnabled: true, rateInUse: expect.any(Number) });
    expect(account.pausedStreams).toEqual([]);
  });
});
