import { uploadEntry } from '../../lambdas/campaigns/campaign';
import { fanOut } from '../../lambdas/campaigns/fanout';
import {
  addRecipients,
  campaignView,
  createCampaign,
  pauseCampaign,
  sendCampaign,
  uploadKeyOf,
} from '../../lambdas/campaigns/manage-campaigns';
import { mergeVariableOfHeader } from '../../lambdas/campaigns/merge-variables';
import { checkRows, rowsFromCsv } from '../../lambdas/campaigns/recipient-import';
import { reconcileCampaign } from '../../lambdas/campaigns/reconcile';
import { tick } from '../../lambdas/campaigns/tick';
import { ApiError } from '../../lambdas/requests/errors';
import { aCampaign, campaignDeps, recipientsFor } from './support/campaign-factories';
import { NOW } from './support/factories';
import {
  InMemoryCampaigns,
  InMemoryRecipients,
  RecordingCampaignQueues,
} from './support/in-memory-campaigns';

function setup() {
  const { deps, advance } = campaignDeps();
  return { deps, advance };
}

const draft = { name: 'Launch', subject: 'Hi {{first_name}}', html: '<a href="{{unsubscribe_url}}">x</a>' };
const rows = (emails: string[]) => ({
  json: { recipients: emails.map((email) => ({ email, data: { first_name: 'X' } })) },
});

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    if (error instanceof ApiError) return error.code;
    throw error;
  }
}

describe('the upload fence', () => {
  it('refuses a start while an upload is registered, and lets it through once the upload is released', async () => {
    const { deps } = setup();
    const { id } = await createCampaign(draft, deps);
    await addRecipients(id, rows(['a@example.org']), deps);
    const entry = uploadEntry('u1', new Date(NOW.getTime() + 30_000));
    await deps.campaigns.registerUpload(
      id,
      entry,
      new Date(NOW.getTime() + 30_000),
      ['draft'],
      undefined,
      NOW,
    );

    expect(await codeOf(sendCampaign(id, {}, deps))).toBe('upload_in_progress');
    expect((await deps.campaigns.get(id))?.status).toBe('draft');

    await deps.campaigns.releaseUpload(id, entry, 0, NOW);
    expect(await codeOf(sendCampaign(id, {}, deps))).toBe('ok');
  });

  it('lets a start through once a dead upload’s lease has run out', async () => {
    const { deps, advance } = setup();
    const { id } = await createCampaign(draft, deps);
    await addRecipients(id, rows(['a@example.org']), deps);
    await deps.campaigns.registerUpload(
      id,
      uploadEntry('dead', new Date(NOW.getTime() + 30_000)),
      new Date(NOW.getTime() + 30_000),
      ['draft'],
      undefined,
      NOW,
    );

    advance(30_001);

    expect(await codeOf(sendCampaign(id, {}, deps))).toBe('ok');
    expect((await deps.campaigns.get(id))?.openUploads).toBeUndefined();
  });

  it('has a scheduled start wait on the queue while an upload is registered', async () => {
    const { deps } = setup();
    const { id } = await createCampaign(draft, deps);
    await addRecipients(id, rows(['a@example.org']), deps);
    await sendCampaign(id, { at: new Date(NOW.getTime() + 60_000).toISOString() }, deps);
    await deps.campaigns.registerUpload(
      id,
      uploadEntry('u1', new Date(NOW.getTime() + 30_000)),
      new Date(NOW.getTime() + 30_000),
      ['scheduled'],
      undefined,
      NOW,
    );
    // Rescheduled sooner while the upload is registered: the start must still wait for it.
    const scheduled = await sendCampaign(id, { at: new Date(NOW.getTime() + 5_000).toISOString() }, deps);
    const fanoutDeps = {
      ...deps,
      bulkRate: async () => 10,
      bulkPaused: async () => false,
      now: () => new Date(NOW.getTime() + 5_000),
    };

    const outcome = await fanOut(
      { kind: 'fanout', campaignId: id, generation: scheduled.fanoutGeneration },
      fanoutDeps,
    );

    expect(outcome).toBe('not_due');
    expect((await deps.campaigns.get(id))?.status).toBe('scheduled');
    expect(deps.queues.fanouts.at(-1)?.delaySeconds).toBe(2);
  });

  it('answers 409 and writes nothing once the campaign has started', async () => {
    const { deps } = setup();
    const { id } = await createCampaign(draft, deps);
    await addRecipients(id, rows(['a@example.org']), deps);
    await sendCampaign(id, {}, deps);

    expect(await codeOf(addRecipients(id, rows(['late@example.org']), deps))).toBe('invalid_state');
    expect(await deps.recipients.get(id, 'late@example.org')).toBeUndefined();
  });
});

describe('an upload that dies half-way', () => {
  it('is completed by its retry, which counts the rows the first attempt wrote but never counted', async () => {
    const { deps, advance } = setup();
    const { id } = await createCampaign(draft, deps);
    // The first attempt registered and wrote two of its three rows, then its process died.
    const leaseEnd = new Date(NOW.getTime() + 30_000);
    await deps.campaigns.registerUpload(
      id,
      uploadEntry('dead', leaseEnd),
      leaseEnd,
      ['draft'],
      undefined,
      NOW,
    );
    const written = recipientsFor(id, 2, 'pending').map((r) => ({ ...r, uploadId: 'dead' }));
    await deps.recipients.addNew(written);
    advance(31_000);

    const retry = await addRecipients(id, rows([...written.map((r) => r.email), 'third@example.org']), deps);

    expect(retry).toMatchObject({ added: 3, duplicates: 0 });
    expect((await deps.campaigns.get(id))?.totals.recipients).toBe(3);
    expect(await addRecipients(id, rows(['third@example.org']), deps)).toMatchObject({
      added: 0,
      duplicates: 1,
    });
  });

  it('stops writing at its write window, counts what it wrote and says to send it again', async () => {
    const { deps, advance } = setup();
    const { id } = await createCampaign(draft, deps);
    const realNow = deps.now;
    let calls = 0;
    // The clock jumps past the write window after registration (a very slow upload).
    deps.now = () => {
      if (++calls === 3) advance(21_000);
      return realNow();
    };

    expect(await codeOf(addRecipients(id, rows(['a@example.org', 'b@example.org']), deps))).toBe(
      'upload_incomplete',
    );
    deps.now = realNow;
    expect(await addRecipients(id, rows(['a@example.org', 'b@example.org']), deps)).toMatchObject({
      added: 2,
    });
    expect((await deps.campaigns.get(id))?.totals.recipients).toBe(2);
  });
});

describe('the campaign as the API shows it', () => {
  it('leaves out the bookkeeping the fence, the fan-out and the tick keep on the item', () => {
    const campaign = {
      ...aCampaign({ fanoutDone: true }),
      openUploads: new Set([uploadEntry('k.A', new Date('2026-11-30T00:00:30.000Z'))]),
      uploadFenceUntil: '2026-11-30T00:00:30.000Z',
      reconciledAt: '2026-11-30T00:00:00.000Z',
      recountTriedAt: '2026-11-30T00:00:00.000Z',
      startRequestedAt: '2026-11-30T00:00:00.000Z',
    };

    const shown = Object.keys(campaignView(campaign));

    for (const internal of [
      'openUploads',
      'uploadFenceUntil',
      'reconciledAt',
      'recountTriedAt',
      'startRequestedAt',
      'fanoutDone',
      'fanoutCursor',
    ]) {
      expect(shown).not.toContain(internal);
    }
    expect(shown).toEqual(expect.arrayContaining(['id', 'status', 'totals']));
  });
});

describe('completion and repair from the records', () => {
  it('does not complete a campaign whose counters say done while a record is pending: repairs them and queues it', async () => {
    const campaigns = new InMemoryCampaigns();
    const recipients = new InMemoryRecipients();
    const queues = new RecordingCampaignQueues();
    const campaign = aCampaign({ fanoutDone: true });
    campaign.totals = { ...campaign.totals, recipients: 1, sent: 1 };
    await campaigns.create(campaign);
    await recipients.addNew([
      ...recipientsFor('c1', 1, 'sent'),
      ...recipientsFor('c1', 2, 'pending').slice(1),
    ]);

    const result = await reconcileCampaign(campaign, {
      campaigns,
      recipients,
      queues,
      now: () => NOW,
      requeuePending: true,
    });

    expect(result).toEqual({ outcome: 'requeued', repaired: true });
    expect(await campaigns.get('c1')).toMatchObject({
      status: 'sending',
      totals: { recipients: 2, sent: 1 },
    });
    expect(queues.fanouts.at(-1)?.message.kind).toBe('fanout');
  });

  it('leaves a campaign that changed while its records were counted a candidate for the next recount', async () => {
    const campaigns = new InMemoryCampaigns();
    const recipients = new InMemoryRecipients();
    const campaign = aCampaign({ fanoutDone: true });
    campaign.totals = { ...campaign.totals, recipients: 2, sent: 1, queued: 1 };
    await campaigns.create(campaign);
    await recipients.addNew([
      ...recipientsFor('c1', 1, 'sent'),
      ...recipientsFor('c1', 2, 'queued').slice(1),
    ]);
    // A pause lands while the count runs: after the records were read, before the mark.
    const page = recipients.page.bind(recipients);
    recipients.page = async (...args: Parameters<typeof page>) => {
      const read = await page(...args);
      await campaigns.transition('c1', ['sending'], 'paused', {}, new Date(NOW.getTime() + 1_000));
      return read;
    };

    const result = await reconcileCampaign(campaign, {
      campaigns,
      recipients,
      queues: new RecordingCampaignQueues(),
      now: () => new Date(NOW.getTime() + 2_000),
    });

    expect(result.repaired).toBe(false);
    const after = await campaigns.get('c1');
    // Not marked as recounted at a time after its change: the tick still sees it as changed.
    expect(after?.reconciledAt === undefined || after.reconciledAt < after.updatedAt).toBe(true);
  });

  it('completes once every record is terminal, setting the counters from them', async () => {
    const campaigns = new InMemoryCampaigns();
    const recipients = new InMemoryRecipients();
    const campaign = aCampaign({ fanoutDone: true });
    campaign.totals = { ...campaign.totals, recipients: 2, sent: 1, queued: 1 };
    await campaigns.create(campaign);
    await recipients.addNew(recipientsFor('c1', 2, 'sent'));

    const result = await reconcileCampaign(campaign, {
      campaigns,
      recipients,
      queues: new RecordingCampaignQueues(),
      now: () => NOW,
    });

    expect(result).toEqual({ outcome: 'completed', repaired: true });
    expect(await campaigns.get('c1')).toMatchObject({
      status: 'completed',
      totals: { recipients: 2, sent: 2, queued: 0 },
    });
  });

  it('has the tick repair a quiet paused campaign (not only sending ones), once per change', async () => {
    const { deps, advance } = setup();
    const { id } = await createCampaign(draft, deps);
    await addRecipients(id, rows(['a@example.org', 'b@example.org']), deps);
    await sendCampaign(id, {}, deps);
    await pauseCampaign(id, deps);
    await deps.campaigns.addToTotals(id, { sent: 5 }, deps.now());
    advance(6 * 60_000);
    const tickDeps = {
      campaigns: deps.campaigns,
      recipients: deps.recipients,
      queues: deps.queues,
      now: deps.now,
    };

    expect((await tick(tickDeps)).repaired).toEqual([id]);
    expect((await deps.campaigns.get(id))?.totals).toMatchObject({ recipients: 2, sent: 0 });
    advance(6 * 60_000);
    expect((await tick(tickDeps)).reconciled).toEqual([]);
  });
});

describe('warnings', () => {
  it('warns when the HTML has no {{unsubscribe_url}} and when a send "at" is not in the future', async () => {
    const { deps } = setup();
    const created = await createCampaign({ name: 'x', subject: 'S', html: '<p>no link</p>' }, deps);
    expect(created.warnings).toHaveLength(1);
    await addRecipients(created.id, rows(['a@example.org']), deps);

    const sent = await sendCampaign(created.id, { at: '2020-01-01T00:00:00Z' }, deps);

    expect(sent.status).toBe('sending');
    expect(sent.warnings?.[0]).toMatch(/not in the future/);
    expect((await createCampaign(draft, deps)).warnings).toBeUndefined();
  });
});

describe('recipient data rules', () => {
  const content = { subject: 'Hi', text: 'x' };
  const reasons = (data: unknown) =>
    checkRows([{ email: 'a@example.org', data }], 'c1', content, NOW).invalid.map((r) => r.reason);

  it.each([
    ['an integer beyond 2^53', JSON.parse('{"id":12345678901234567}'), /2\^53/],
    ['a float beyond DynamoDB’s range', { x: 1e300 }, /2\^53/],
    ['a float too close to 0', { x: 1e-200 }, /too close to 0/],
    ['a nested one', { a: [{ b: 2 ** 60 }] }, /data\.a\[0\]\.b/],
    ['constructor', { constructor: 'x' }, /"constructor" is reserved/],
    ['__proto__', JSON.parse('{"__proto__":{"x":1}}'), /"__proto__" is reserved/],
    ['prototype, nested', { a: { prototype: 1 } }, /"prototype" is reserved/],
    ['an empty key', { '': 1 }, /must not be empty/],
  ])('refuses a row with %s, saying why', (_, data, reason) => {
    expect(reasons(data)).toEqual([expect.stringMatching(reason)]);
  });

  it('keeps what can be stored exactly', () => {
    expect(
      reasons({ n: 9007199254740991, f: 0.1, z: 0, s: '12345678901234567', b: true, nil: null }),
    ).toEqual([]);
  });
});

describe('CSV rules', () => {
  it('maps headers to merge variables: trimmed, lower case, spaces and hyphens as underscores', () => {
    expect(['First_Name', ' first name ', 'First-Name', 'EMAIL'].map(mergeVariableOfHeader)).toEqual([
      'first_name',
      'first_name',
      'first_name',
      'email',
    ]);
    expect(rowsFromCsv('Email,First_Name\na@x.io,Ann\n', 10)).toEqual([
      { email: 'a@x.io', data: { first_name: 'Ann' } },
    ]);
  });

  it('reads a first line in CRLF and the rest in LF, and reports a short row as an invalid row', () => {
    const parsed = rowsFromCsv('email,first_name\r\na@x.io,Ann\nb@x.io\nc@x.io,Cy\n', 10);
    const checked = checkRows(parsed, 'c1', { subject: '{{first_name}}' }, NOW);

    expect(checked.valid.map((r) => r.email)).toEqual(['a@x.io', 'c@x.io']);
    expect(checked.invalid).toEqual([{ row: 2, reason: 'has 1 cells; the header has 2' }]);
  });

  it('refuses two headers naming the same variable', () => {
    expect(() => rowsFromCsv('email,First Name,first_name\n', 10)).toThrow(/first_name/);
  });

  it('refuses a reserved key per row, as JSON does', () => {
    const checked = checkRows(
      rowsFromCsv('email,__proto__\na@x.io,1\nb@x.io,\n', 10),
      'c1',
      { subject: 'x' },
      NOW,
    );

    expect(checked.valid.map((r) => r.email)).toEqual(['b@x.io']);
    expect(checked.invalid).toEqual([
      { row: 1, email: 'a@x.io', reason: expect.stringMatching(/"__proto__" is reserved/) },
    ]);
  });
});

describe('uploads under the review of issue 11', () => {
  const emails = (n: number) =>
    Array.from({ length: n }, (_, i) => `p${String(i).padStart(4, '0')}@example.org`);

  it('S1: stops writing before the function is stopped and answers 503 itself', async () => {
    const { deps, advance } = setup();
    const { id } = await createCampaign(draft, deps);
    const realNow = deps.now;
    let calls = 0;
    deps.now = () => {
      if (++calls === 3) advance(9_000); // 9 s into a 10 s invocation, far inside the 20 s window
      return realNow();
    };

    const code = await codeOf(
      addRecipients(id, rows(['a@example.org']), deps, { deadline: new Date(NOW.getTime() + 10_000) }),
    );

    expect(code).toBe('upload_incomplete');
  });

  it('S2: a retry while the killed attempt’s lease still runs adopts and counts its rows', async () => {
    const { deps, advance } = setup();
    const { id } = await createCampaign(draft, deps);
    const all = emails(1_000);
    // Attempt A registered, wrote 900 rows and was killed at 10 s: its lease runs to 30 s.
    const key = uploadKeyOf(JSON.stringify([...all].sort()));
    const leaseEnd = new Date(NOW.getTime() + 30_000);
    await deps.campaigns.registerUpload(
      id,
      uploadEntry(`${key}.A`, leaseEnd),
      leaseEnd,
      ['draft'],
      undefined,
      NOW,
    );
    const template = recipientsFor(id, 1)[0];
    if (!template) throw new Error('no template row');
    await deps.recipients.addNew(
      all.slice(0, 900).map((email) => ({ ...template, email, address: email, uploadId: `${key}.A` })),
    );
    advance(11_000);

    const retry = await addRecipients(id, rows(all), deps);

    expect(retry).toMatchObject({ added: 1_000, duplicates: 0 });
    const campaign = await deps.campaigns.get(id);
    expect(campaign?.totals.recipients).toBe(1_000);
    expect(campaign?.openUploads).toBeUndefined();
    expect(await codeOf(sendCampaign(id, {}, deps))).toBe('ok');
  });

  it('S2: an unfinished upload keeps its registration and its retry (the same rows, in another order, case and with display names) counts every row once', async () => {
    const { deps, advance } = setup();
    const { id } = await createCampaign(draft, deps);
    const realNow = deps.now;
    let calls = 0;
    deps.now = () => {
      if (++calls === 3) advance(21_000);
      return realNow();
    };
    expect(await codeOf(addRecipients(id, rows(['a@example.org', 'b@example.org']), deps))).toBe(
      'upload_incomplete',
    );
    deps.now = realNow;

    const retry = await addRecipients(id, rows(['Bee <B@Example.org>', 'a@example.org']), deps);

    expect(retry).toMatchObject({ added: 2, duplicates: 0 });
    expect((await deps.campaigns.get(id))?.totals.recipients).toBe(2);
  });

  it('two concurrent retries of a half-written upload count every row once (only the newest attempt releases)', async () => {
    const { deps, advance } = setup();
    const { id } = await createCampaign(draft, deps);
    const all = Array.from({ length: 10 }, (_, i) => `p${i}@example.org`);
    // Attempt A writes 3 rows, then DynamoDB fails: 503, its registration kept.
    const addNew = deps.recipients.addNew.bind(deps.recipients);
    deps.recipients.addNew = async (r, o) => ({
      ...(await addNew(r.slice(0, 3), o)),
      unwritten: r.length - 3,
      error: new Error('Throttling'),
    });
    expect(await codeOf(addRecipients(id, rows(all), deps))).toBe('upload_incomplete');
    deps.recipients.addNew = addNew;
    advance(2_000);
    // Retries B and C: B registers first, C second; C writes (adopting A's rows) before B; B
    // releases before C. Before the fix B counted only its own 7 and C subtracted A's 3: 7 of 10.
    const gate = () => {
      let open = () => {};
      const opened = new Promise<void>((resolve) => {
        open = resolve;
      });
      return { opened, open };
    };
    const bRegistered = gate();
    const cWrote = gate();
    const bReleased = gate();
    const register = deps.campaigns.registerUpload.bind(deps.campaigns);
    let bEntry: string | undefined;
    deps.campaigns.registerUpload = async (...args) => {
      const registered = await register(...args);
      if (bEntry === undefined) {
        bEntry = args[1];
        bRegistered.open();
      }
      return registered;
    };
    let writes = 0;
    deps.recipients.addNew = async (r, o) => {
      const write = ++writes;
      if (write === 1) await cWrote.opened;
      const out = await addNew(r, o);
      if (write === 2) cWrote.open();
      return out;
    };
    const release = deps.campaigns.releaseUpload.bind(deps.campaigns);
    deps.campaigns.releaseUpload = async (...args) => {
      const isB = args[1] === bEntry;
      if (!isB) await bReleased.opened;
      const out = await release(...args);
      if (isB) bReleased.open();
      return out;
    };

    const b = codeOf(addRecipients(id, rows(all), deps));
    await bRegistered.opened;
    const c = codeOf(addRecipients(id, rows(all), deps));
    const answers = [await b, await c];

    // B finds C, registered after it, and leaves the counting to it.
    expect(answers).toEqual(['upload_incomplete', 'ok']);
    const campaign = await deps.campaigns.get(id);
    expect([...deps.recipients.items.values()].filter((r) => r.campaignId === id)).toHaveLength(10);
    expect(campaign?.totals.recipients).toBe(10);
    expect(campaign?.openUploads).toBeUndefined();
  });

  it('S3: a DynamoDB error part-way answers 503 upload_incomplete, and the retry finishes', async () => {
    const { deps } = setup();
    const { id } = await createCampaign(draft, deps);
    const addNew = deps.recipients.addNew.bind(deps.recipients);
    deps.recipients.addNew = async (recipients, options) => {
      const written = await addNew(recipients.slice(0, 1), options);
      return { ...written, unwritten: recipients.length - 1, error: new Error('ThrottlingException') };
    };
    expect(await codeOf(addRecipients(id, rows(['a@example.org', 'b@example.org']), deps))).toBe(
      'upload_incomplete',
    );
    deps.recipients.addNew = addNew;

    expect(await addRecipients(id, rows(['a@example.org', 'b@example.org']), deps)).toMatchObject({
      added: 2,
    });
    expect((await deps.campaigns.get(id))?.totals.recipients).toBe(2);
  });

  it('S4: an upload whose registration a start already dropped is a 409, not 200', async () => {
    const { deps } = setup();
    const { id } = await createCampaign(draft, deps);
    await addRecipients(id, rows(['first@example.org']), deps);
    const release = deps.campaigns.releaseUpload.bind(deps.campaigns);
    deps.campaigns.releaseUpload = async (...args) => {
      // Its lease ran out and the campaign started meanwhile, clearing the registration.
      const item = deps.campaigns.items.get(id);
      if (item) {
        item.status = 'sending';
        delete item.openUploads;
      }
      return release(...args);
    };

    expect(await codeOf(addRecipients(id, rows(['late@example.org']), deps))).toBe('upload_expired');
  });

  it('S4: a registration never moves the fence earlier', async () => {
    const { deps } = setup();
    const { id } = await createCampaign(draft, deps);
    const later = new Date(NOW.getTime() + 30_000);
    const sooner = new Date(NOW.getTime() + 10_000);
    await deps.campaigns.registerUpload(id, uploadEntry('a', later), later, ['draft'], undefined, NOW);
    await deps.campaigns.registerUpload(id, uploadEntry('b', sooner), sooner, ['draft'], undefined, NOW);

    expect((await deps.campaigns.get(id))?.uploadFenceUntil).toBe(later.toISOString());
  });

  it('N2: once a send waits on the fence, a new upload is refused until it has started', async () => {
    const { deps, advance } = setup();
    const { id } = await createCampaign(draft, deps);
    await addRecipients(id, rows(['a@example.org']), deps);
    const leaseEnd = new Date(NOW.getTime() + 30_000);
    await deps.campaigns.registerUpload(id, uploadEntry('u1', leaseEnd), leaseEnd, ['draft'], undefined, NOW);
    expect(await codeOf(sendCampaign(id, {}, deps))).toBe('upload_in_progress');

    expect(await codeOf(addRecipients(id, rows(['b@example.org']), deps))).toBe('start_pending');
    advance(30_001);
    expect(await codeOf(sendCampaign(id, {}, deps))).toBe('ok');
  });

  it('N2: a scheduled campaign takes no upload within a lease of its start', async () => {
    const { deps } = setup();
    const { id } = await createCampaign(draft, deps);
    await addRecipients(id, rows(['a@example.org']), deps);
    await sendCampaign(id, { at: new Date(NOW.getTime() + 20_000).toISOString() }, deps);

    expect(await codeOf(addRecipients(id, rows(['b@example.org']), deps))).toBe('start_pending');
  });
});
