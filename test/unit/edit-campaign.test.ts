import { UPLOAD_LEASE_MS, uploadEntry } from '../../lambdas/campaigns/campaign';
import {
  addRecipients,
  createCampaign,
  EDIT_FAILURES_SHOWN,
  sendCampaign,
  updateCampaign,
} from '../../lambdas/campaigns/manage-campaigns';
import { ApiError } from '../../lambdas/requests/errors';
import { campaignDeps } from './support/campaign-factories';
import { NOW } from './support/factories';

const draft = {
  name: 'Launch',
  subject: 'Hi {{first_name}}',
  text: 'Hello {{first_name}} {{unsubscribe_url}}',
};
/** New content that needs a variable the rows below may lack. */
const needsPlan = {
  name: 'Launch',
  subject: 'Your {{plan}} plan',
  text: 'Hello {{first_name}}, {{plan}} {{unsubscribe_url}}',
};

/** One row with `plan`, one without. */
const PLAN_ROWS = {
  json: {
    recipients: [
      { email: 'has@example.org', data: { first_name: 'A', plan: 'Pro' } },
      { email: 'lacks@example.org', data: { first_name: 'B' } },
    ],
  },
};

async function failure(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('expected an ApiError');
}

const rows = (...emails: string[]) => ({
  json: { recipients: emails.map((email) => ({ email, data: { first_name: 'X' } })) },
});

describe('editing a campaign (PATCH /v1/campaigns/{id})', () => {
  it('changes what the body names and keeps the rest, each edit a new content revision', async () => {
    const { deps } = campaignDeps();
    const created = await createCampaign(
      {
        ...draft,
        from: 'Élodie Müller <news@acme.test>',
        replyTo: 'Zoë <help@acme.test>',
        tags: { kind: 'news' },
      },
      deps,
    );
    const edited = await updateCampaign(
      created.id,
      { name: 'Launch v2', html: '<p>Hi {{first_name}}</p>', text: null },
      deps,
    );
    expect(edited).toMatchObject({
      id: created.id,
      name: 'Launch v2',
      status: 'draft',
      // The sender and reply-to as stored (encoded), untouched: never parsed back.
      from: created.from,
      replyTo: created.replyTo,
      content: { subject: draft.subject, html: '<p>Hi {{first_name}}</p>' },
      tags: { kind: 'news' },
    });
    // The HTML has no unsubscribe link: the same warning as at creation.
    expect(edited.warnings?.join(' ')).toMatch(/unsubscribe_url/);
    const stored = await deps.campaigns.get(created.id);
    expect(stored?.content).toEqual({ subject: draft.subject, html: '<p>Hi {{first_name}}</p>' });
    const first = stored?.contentRevision;
    expect(first).toBeDefined();
    const renamed = await updateCampaign(created.id, { name: 'Launch v3', tags: {} }, deps);
    expect(renamed).toMatchObject({ name: 'Launch v3', tags: {}, content: stored?.content });
    expect((await deps.campaigns.get(created.id))?.contentRevision).not.toBe(first);
  });

  it('refuses an edit that names nothing, or that would leave neither html nor text', async () => {
    const { deps } = campaignDeps();
    const { id } = await createCampaign(draft, deps);
    expect((await failure(updateCampaign(id, {}, deps))).code).toBe('validation_failed');
    const bodyless = await failure(updateCampaign(id, { text: null }, deps));
    expect([bodyless.status, bodyless.code]).toEqual([400, 'validation_failed']);
    expect((await failure(updateCampaign(id, { template: 'news', subject: 'x' }, deps))).code).toBe(
      'validation_failed',
    );
    expect((await deps.campaigns.get(id))?.content).toEqual({ subject: draft.subject, text: draft.text });
  });

  it('refuses content merged past what one content part holds (413), changing nothing', async () => {
    const { deps } = campaignDeps();
    const { id } = await createCampaign(draft, deps);
    const quarter = 'x'.repeat(200 * 1024);
    await updateCampaign(id, { html: `<p>${quarter}</p>` }, deps);
    const refused = await failure(updateCampaign(id, { text: quarter }, deps));
    expect([refused.status, refused.code]).toEqual([413, 'too_large']);
    expect((await deps.campaigns.get(id))?.content.text).toBe(draft.text);
  });

  it('copies a template in on edit, keeps it on a rename, and drops it for inline content', async () => {
    const { deps } = campaignDeps();
    await deps.templates.put({
      name: 'news',
      subject: 'S',
      html: '<p>T {{unsubscribe_url}}</p>',
      createdAt: '',
      updatedAt: '',
    });
    const { id } = await createCampaign(draft, deps);
    expect(await updateCampaign(id, { template: 'news' }, deps)).toMatchObject({
      template: 'news',
      content: { subject: 'S', html: '<p>T {{unsubscribe_url}}</p>' },
    });
    expect((await updateCampaign(id, { name: 'Renamed' }, deps)).template).toBe('news');
    const inline = await updateCampaign(id, { subject: 'Inline' }, deps);
    expect(inline.template).toBeUndefined();
    expect(inline.content).toEqual({ subject: 'Inline', html: '<p>T {{unsubscribe_url}}</p>' });
    expect((await deps.campaigns.get(id))?.template).toBeUndefined();
    expect((await failure(updateCampaign(id, { template: 'gone' }, deps))).code).toBe('unknown_template');
  });

  it('edits a scheduled campaign and leaves its schedule alone', async () => {
    const { deps } = campaignDeps();
    const { id } = await createCampaign(draft, deps);
    await addRecipients(id, rows('a@example.org'), deps);
    const at = new Date(NOW.getTime() + 3_600_000).toISOString();
    await sendCampaign(id, { at }, deps);
    const edited = await updateCampaign(id, { ...draft, subject: 'Soon, {{first_name}}' }, deps);
    expect(edited).toMatchObject({
      status: 'scheduled',
      scheduledAt: at,
      content: { subject: 'Soon, {{first_name}}' },
    });
  });

  it('refuses a campaign that has started, bad bodies and unknown ids, changing nothing', async () => {
    const { deps } = campaignDeps();
    const { id } = await createCampaign(draft, deps);
    await addRecipients(id, rows('a@example.org'), deps);
    await sendCampaign(id, {}, deps);
    const before = await deps.campaigns.get(id);
    const refused = await failure(updateCampaign(id, { ...draft, name: 'Late' }, deps));
    expect([refused.status, refused.code]).toEqual([409, 'invalid_state']);
    expect(refused.message).toMatch(/cannot edit a campaign that is sending/);
    const other = (await createCampaign(draft, deps)).id;
    expect((await failure(updateCampaign(other, { name: '' }, deps))).code).toBe('validation_failed');
    expect((await failure(updateCampaign(other, { unknown: 1 }, deps))).code).toBe('validation_failed');
    expect((await failure(updateCampaign(other, { ...draft, html: '{{#if x}}' }, deps))).code).toBe(
      'template_syntax_error',
    );
    expect((await failure(updateCampaign(other, { ...draft, from: 'a@elsewhere.test' }, deps))).code).toBe(
      'validation_failed',
    );
    expect((await failure(updateCampaign('nope', draft, deps))).code).toBe('not_found');
    expect(await deps.campaigns.get(id)).toEqual(before);
  });

  it('refuses new content that a stored row cannot render, naming the rows, and changes nothing', async () => {
    const { deps } = campaignDeps();
    const { id } = await createCampaign(draft, deps);
    await addRecipients(id, PLAN_ROWS, deps);
    const before = await deps.campaigns.get(id);
    const refused = await failure(updateCampaign(id, needsPlan, deps));
    expect([refused.status, refused.code]).toEqual([422, 'unrenderable_for_recipients']);
    expect(refused.details).toEqual({
      failures: [{ email: 'lacks@example.org', reason: 'missing variable "plan"' }],
    });
    expect(await deps.campaigns.get(id)).toEqual(before);
    // Content every row renders is taken.
    await updateCampaign(
      id,
      {
        ...needsPlan,
        text: 'Hello {{first_name}}{{#if plan}}, {{plan}}{{/if}} {{unsubscribe_url}}',
        subject: 'News',
      },
      deps,
    );
  });

  it(`names at most ${EDIT_FAILURES_SHOWN} rows, checking the whole list page by page`, async () => {
    const { deps } = campaignDeps();
    const { id } = await createCampaign(draft, deps);
    const emails = Array.from({ length: 2500 }, (_, i) => `r${String(i).padStart(4, '0')}@example.org`);
    for (let i = 0; i < emails.length; i += 1000)
      await addRecipients(id, rows(...emails.slice(i, i + 1000)), deps);
    // Only the last row lacks `plan`... every row lacks it here: the first ten are named.
    const refused = await failure(updateCampaign(id, needsPlan, deps));
    expect((refused.details as { failures: unknown[] }).failures).toHaveLength(EDIT_FAILURES_SHOWN);
    expect(refused.message).toMatch(/at least 10/);
    // One row on the third page lacks it, the others have it: still found.
    const { deps: deps2 } = campaignDeps();
    const second = await createCampaign(draft, deps2);
    const withPlan = emails.map((email) => ({ email, data: { first_name: 'X', plan: 'Pro' } }));
    withPlan[2400] = {
      email: emails[2400] as string,
      data: { first_name: 'X' },
    } as (typeof withPlan)[number];
    for (let i = 0; i < withPlan.length; i += 1000)
      await addRecipients(second.id, { json: { recipients: withPlan.slice(i, i + 1000) } }, deps2);
    const found = await failure(updateCampaign(second.id, needsPlan, deps2));
    expect(found.details).toEqual({ failures: [{ email: emails[2400], reason: 'missing variable "plan"' }] });
  });

  it('refuses new content it cannot check in time (409), but takes the other fields with the same content', async () => {
    const { deps } = campaignDeps();
    const { id } = await createCampaign(draft, deps);
    await addRecipients(id, rows('a@example.org', 'b@example.org'), deps);
    const refused = await failure(
      updateCampaign(id, { ...draft, subject: 'New' }, deps, { checkBudgetMs: -1 }),
    );
    expect([refused.status, refused.code]).toEqual([409, 'too_many_recipients_to_check']);
    expect((await deps.campaigns.get(id))?.content.subject).toBe(draft.subject);
    const renamed = await updateCampaign(id, { ...draft, name: 'Renamed' }, deps, { checkBudgetMs: -1 });
    expect(renamed.name).toBe('Renamed');
  });

  it('refuses an edit while an upload holds the fence, and takes it once the lease has run out', async () => {
    const { deps, advance } = campaignDeps();
    const { id } = await createCampaign(draft, deps);
    const leaseEnd = new Date(NOW.getTime() + UPLOAD_LEASE_MS);
    await deps.campaigns.registerUpload(id, uploadEntry('u1', leaseEnd), leaseEnd, ['draft'], undefined, NOW);
    const refused = await failure(updateCampaign(id, { ...draft, name: 'During' }, deps));
    expect([refused.status, refused.code]).toEqual([409, 'upload_in_progress']);
    advance(UPLOAD_LEASE_MS + 1);
    expect((await updateCampaign(id, { ...draft, name: 'After' }, deps)).name).toBe('After');
  });

  it('makes an upload that overlaps an edit check its rows against the new content', async () => {
    const { deps } = campaignDeps();
    const { id } = await createCampaign(draft, deps);
    // The edit lands after the upload checked its rows with the old content, before it registers.
    const register = deps.campaigns.registerUpload.bind(deps.campaigns);
    let edited = false;
    deps.campaigns.registerUpload = async (...args) => {
      if (!edited) {
        edited = true;
        await updateCampaign(id, needsPlan, deps);
      }
      return register(...args);
    };
    const result = await addRecipients(id, PLAN_ROWS, deps);
    expect(result).toEqual({
      added: 1,
      duplicates: 0,
      invalid: [{ row: 2, email: 'lacks@example.org', reason: 'missing variable "plan"' }],
    });
    expect(await deps.recipients.get(id, 'lacks@example.org')).toBeUndefined();
    expect((await deps.campaigns.get(id))?.totals.recipients).toBe(1);
  });

  it('refuses an edit when an upload came and went while it checked the rows (the rows it checked are not all)', async () => {
    const { deps } = campaignDeps();
    const { id } = await createCampaign(draft, deps);
    const page = deps.recipients.page.bind(deps.recipients);
    let uploaded = false;
    deps.recipients.page = async (...args) => {
      const read = await page(...args);
      if (!uploaded) {
        // Checked against the content before the edit: the row without `plan` is taken.
        uploaded = true;
        await addRecipients(id, PLAN_ROWS, deps);
      }
      return read;
    };
    const refused = await failure(updateCampaign(id, needsPlan, deps));
    expect([refused.status, refused.code]).toEqual([409, 'invalid_state']);
    expect((await deps.campaigns.get(id))?.content.subject).toBe(draft.subject);
    expect(await deps.recipients.get(id, 'lacks@example.org')).toBeDefined();
    // Sent again, the edit sees that row and says so.
    expect((await failure(updateCampaign(id, needsPlan, deps))).code).toBe('unrenderable_for_recipients');
  });

  it('lets one of two edits racing from the same revision win; the other is a 409 and changes nothing', async () => {
    const { deps } = campaignDeps();
    const { id } = await createCampaign(draft, deps);
    const edit = deps.campaigns.edit.bind(deps.campaigns);
    let raced = false;
    deps.campaigns.edit = async (...args) => {
      if (!raced) {
        raced = true;
        // The other edit read the same revision and writes first.
        await updateCampaign(id, { ...draft, name: 'Second' }, deps);
      }
      return edit(...args);
    };
    const refused = await failure(updateCampaign(id, { ...draft, name: 'First' }, deps));
    expect([refused.status, refused.code]).toEqual([409, 'invalid_state']);
    expect((await deps.campaigns.get(id))?.name).toBe('Second');
  });
});
