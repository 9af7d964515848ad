import { FANOUT_BATCH, fanOut, WATCH_RECOUNT_QUIET_MS } from '../../lambdas/campaigns/fanout';
import { aCampaign, recipientsFor } from './support/campaign-factories';
import { NOW } from './support/factories';
import { InMemorySuppressions } from './support/in-memory';
import {
  InMemoryCampaigns,
  InMemoryRecipients,
  RecordingCampaignQueues,
} from './support/in-memory-campaigns';

async function setup(count: number, campaign = aCampaign()) {
  const campaigns = new InMemoryCampaigns();
  const recipients = new InMemoryRecipients();
  const queues = new RecordingCampaignQueues();
  const suppressions = new InMemorySuppressions();
  await campaigns.create({ ...campaign, totals: { ...campaign.totals, recipients: count } });
  await recipients.addNew(recipientsFor(campaign.id, count));
  let guard = false;
  const deps = {
    campaigns,
    recipients,
    suppressions,
    queues,
    bulkRate: async () => 100,
    bulkPaused: async () => guard,
    now: () => NOW,
  };
  return { deps, campaigns, recipients, queues, suppressions, holdBulk: () => (guard = true) };
}

const link = { kind: 'fanout' as const, campaignId: 'c1', generation: 1 };

describe('fanOut', () => {
  it('queues one batch, then hands over to a delayed continuation', async () => {
    const { deps, queues, campaigns, recipients } = await setup(2500);
    await expect(fanOut(link, deps)).resolves.toBe('continued');
    expect(queues.bulkMessages).toHaveLength(FANOUT_BATCH);
    expect(queues.fanouts).toHaveLength(1);
    const next = queues.fanouts[0];
    expect(next?.message.cursor).toBeDefined();
    // 1,000 queued at 100/s: the next link comes when about half have gone out.
    expect(next?.delaySeconds).toBe(5);
    expect((await campaigns.get('c1'))?.totals.queued).toBe(FANOUT_BATCH);
    expect(recipients.statuses('c1')).toEqual({ queued: 1000, pending: 1500 });
  });

  it('walks the whole list in links, marking the fan-out done at the end', async () => {
    const { deps, queues, campaigns } = await setup(2500);
    let message = link as Parameters<typeof fanOut>[0];
    for (;;) {
      const outcome = await fanOut(message, deps);
      if (outcome === 'done') break;
      const next = queues.fanouts.at(-1)?.message;
      if (!next) throw new Error('no continuation');
      message = next;
    }
    expect(new Set(queues.bulkMessages.map((m) => m.email)).size).toBe(2500);
    expect((await campaigns.get('c1'))?.fanoutDone).toBe(true);
  });

  it('leaves suppressed recipients out and counts them', async () => {
    const { deps, queues, campaigns, suppressions } = await setup(10);
    suppressions.entries.set('r0003@example.org', 'all');
    suppressions.entries.set('r0004@example.org', 'bulk');
    await fanOut(link, deps);
    expect(queues.bulkMessages.map((m) => m.email)).not.toContain('r0003@example.org');
    expect(queues.bulkMessages.map((m) => m.email)).not.toContain('r0004@example.org');
    expect((await campaigns.get('c1'))?.totals).toMatchObject({ suppressed: 2, queued: 8 });
  });

  it('cannot fork the chain: a redelivered link after its continuation changes nothing more', async () => {
    const { deps, queues } = await setup(2500);
    await fanOut(link, deps);
    await expect(fanOut(link, deps)).resolves.toBe('skipped');
    expect(queues.fanouts).toHaveLength(1);
  });

  it('ignores a link from before a pause or restart (an older generation)', async () => {
    const { deps, queues } = await setup(10, aCampaign({ fanoutGeneration: 2 }));
    await expect(fanOut(link, deps)).resolves.toBe('stale');
    expect(queues.bulkMessages).toEqual([]);
  });

  it('queues nothing for a paused campaign', async () => {
    const { deps, queues } = await setup(10, aCampaign({ status: 'paused' }));
    await expect(fanOut(link, deps)).resolves.toBe('skipped');
    expect(queues.bulkMessages).toEqual([]);
  });

  it('starts a due scheduled campaign, and waits on the queue for one not yet due', async () => {
    const due = await setup(3, aCampaign({ status: 'scheduled', scheduledAt: NOW.toISOString() }));
    await expect(fanOut(link, due.deps)).resolves.toBe('done');
    expect((await due.campaigns.get('c1'))?.status).toBe('sending');

    const early = await setup(
      3,
      aCampaign({ status: 'scheduled', scheduledAt: new Date(NOW.getTime() + 30_000).toISOString() }),
    );
    await expect(fanOut(link, early.deps)).resolves.toBe('not_due');
    expect(early.queues.fanouts[0]?.delaySeconds).toBe(30);
    expect((await early.campaigns.get('c1'))?.status).toBe('scheduled');
  });

  it('sweeps a cancelled campaign: every unsent recipient becomes cancelled, counted once', async () => {
    const { deps, campaigns, recipients } = await setup(5, aCampaign({ status: 'cancelled' }));
    await recipients.transition('c1', 'r0000@example.org', ['pending'], 'sent', {});
    await recipients.transition('c1', 'r0001@example.org', ['pending'], 'queued', {});
    await campaigns.addToTotals('c1', { sent: 1, queued: 1 }, NOW);
    await expect(fanOut({ ...link, kind: 'cancel' }, deps)).resolves.toBe('swept');
    expect(recipients.statuses('c1')).toEqual({ sent: 1, cancelled: 4 });
    expect((await campaigns.get('c1'))?.totals).toMatchObject({ sent: 1, cancelled: 4, queued: 0 });
  });
});

describe('the watch after the last page', () => {
  /** Fans out `count` recipients, then has the sender send them all but write only `counted` of the counts. */
  async function sentButShortCounted(count: number, counted: number) {
    let now = NOW.getTime();
    const fixture = await setup(count);
    const deps = { ...fixture.deps, now: () => new Date(now) };
    let message = link as Parameters<typeof fanOut>[0];
    while ((await fanOut(message, deps)) !== 'done') {
      message = fixture.queues.fanouts.at(-1)?.message ?? message;
    }
    for (const { email } of fixture.queues.bulkMessages) {
      await fixture.recipients.transition('c1', email, ['queued'], 'sent', {
        updatedAt: new Date(now).toISOString(),
      });
    }
    // The sender's flush of the rest failed (counter-buffer.ts): the records say sent, the counters queued.
    await fixture.campaigns.addToTotals('c1', { queued: -counted, sent: counted }, new Date(now));
    const watchLink = () => fixture.queues.fanouts.at(-1)?.message ?? message;
    const later = (ms: number) => {
      now += ms;
    };
    return { ...fixture, deps, watchLink, later };
  }

  it('recounts counters that stopped short once the campaign is quiet, and completes it from the records', async () => {
    const { deps, campaigns, watchLink, later } = await sentButShortCounted(20, 15);
    // The first link to see the counters at 15 starts the clock they stand still by.
    await expect(fanOut(watchLink(), deps)).resolves.toBe('watching');

    later(WATCH_RECOUNT_QUIET_MS - 1_000);
    await expect(fanOut(watchLink(), deps)).resolves.toBe('watching');
    expect((await campaigns.get('c1'))?.status).toBe('sending');

    later(2_000);
    await expect(fanOut(watchLink(), deps)).resolves.toBe('repaired');
    expect(await campaigns.get('c1')).toMatchObject({
      status: 'completed',
      totals: { recipients: 20, queued: 0, sent: 20 },
    });
  });

  it('does not recount while the reputation guard holds bulk mail: nothing moves then by design', async () => {
    const { deps, campaigns, watchLink, later, holdBulk } = await sentButShortCounted(20, 15);
    holdBulk();
    await fanOut(watchLink(), deps);

    later(WATCH_RECOUNT_QUIET_MS + 1_000);
    await expect(fanOut(watchLink(), deps)).resolves.toBe('watching');
    expect((await campaigns.get('c1'))?.totals).toMatchObject({ queued: 5, sent: 15 });
  });

  it('never recounts a campaign whose counters keep moving, however long it sends', async () => {
    const { deps, campaigns, recipients, watchLink, later } = await sentButShortCounted(20, 10);
    const pages = jest.spyOn(recipients, 'page');
    for (let minute = 0; minute < 5; minute++) {
      await expect(fanOut(watchLink(), deps)).resolves.toBe('watching');
      later(WATCH_RECOUNT_QUIET_MS - 1_000);
      await campaigns.addToTotals('c1', { queued: -1, sent: 1 }, deps.now());
    }
    expect(pages).not.toHaveBeenCalled();
  });

  it('recounts a campaign that stays short once per quiet period, not at every watch link', async () => {
    const { deps, recipients, watchLink, later } = await sentButShortCounted(20, 15);
    // One record really is still queued (its mail on the queue): the recount cannot complete it.
    await recipients.transition('c1', 'r0000@example.org', ['sent'], 'queued', {
      updatedAt: NOW.toISOString(),
    });
    const pages = jest.spyOn(recipients, 'page');
    await fanOut(watchLink(), deps);
    expect(pages).not.toHaveBeenCalled();

    later(WATCH_RECOUNT_QUIET_MS + 1_000);
    await fanOut(watchLink(), deps);
    const afterFirst = pages.mock.calls.length;
    later(5_000);
    await expect(fanOut(watchLink(), deps)).resolves.toBe('watching');

    expect(afterFirst).toBeGreaterThan(0);
    expect(pages.mock.calls.length).toBe(afterFirst);
  });
});
