import { tick } from '../../lambdas/campaigns/tick';
import { aCampaign, recipientsFor } from './support/campaign-factories';
import { NOW } from './support/factories';
import {
  InMemoryCampaigns,
  InMemoryRecipients,
  RecordingCampaignQueues,
} from './support/in-memory-campaigns';

const at = (offsetMs: number) => new Date(NOW.getTime() + offsetMs).toISOString();

describe('tick', () => {
  it('queues the start of a campaign due within the minute, delayed to its second, once', async () => {
    const campaigns = new InMemoryCampaigns();
    const queues = new RecordingCampaignQueues();
    await campaigns.create(
      aCampaign({ id: 'soon', status: 'scheduled', scheduledAt: at(42_000), fanoutGeneration: 3 }),
    );
    await campaigns.create(aCampaign({ id: 'later', status: 'scheduled', scheduledAt: at(3_600_000) }));
    const deps = { campaigns, recipients: new InMemoryRecipients(), queues, now: () => NOW };

    expect((await tick(deps)).started).toEqual(['soon']);
    expect(queues.fanouts).toEqual([
      { message: { kind: 'fanout', campaignId: 'soon', generation: 3 }, delaySeconds: 42 },
    ]);
    expect((await tick(deps)).started).toEqual([]);
  });

  it('restarts a fan-out chain that stopped moving, in a new generation', async () => {
    const campaigns = new InMemoryCampaigns();
    const queues = new RecordingCampaignQueues();
    await campaigns.create(
      aCampaign({ id: 'dead', fanoutUpdatedAt: at(-10 * 60_000), fanoutCursor: 'x', fanoutGeneration: 4 }),
    );
    await campaigns.create(aCampaign({ id: 'alive', fanoutUpdatedAt: at(-10_000) }));
    const result = await tick({ campaigns, recipients: new InMemoryRecipients(), queues, now: () => NOW });
    expect(result.restarted).toEqual(['dead']);
    expect(queues.fanouts[0]?.message).toEqual({ kind: 'fanout', campaignId: 'dead', generation: 5 });
    expect((await campaigns.get('dead'))?.fanoutCursor).toBeUndefined();
  });
});

describe('tick reconciliation', () => {
  it('recounts a quiet campaign from its records and completes it', async () => {
    const campaigns = new InMemoryCampaigns();
    const recipients = new InMemoryRecipients();
    const queues = new RecordingCampaignQueues();
    // The counters missed two sends (the sender died between the record and the counter).
    await campaigns.create(
      aCampaign({
        fanoutDone: true,
        updatedAt: at(-6 * 60_000),
        totals: { ...aCampaign().totals, recipients: 3, sent: 1, queued: 2 },
      }),
    );
    await recipients.addNew(recipientsFor('c1', 3, 'sent'));
    const result = await tick({ campaigns, recipients, queues, now: () => NOW });
    expect(result.reconciled).toEqual(['c1']);
    expect(await campaigns.get('c1')).toMatchObject({
      status: 'completed',
      totals: { recipients: 3, sent: 3, queued: 0 },
    });
  });

  it('queues again recipients whose queue messages were lost, in a new generation', async () => {
    const campaigns = new InMemoryCampaigns();
    const recipients = new InMemoryRecipients();
    const queues = new RecordingCampaignQueues();
    await campaigns.create(aCampaign({ fanoutDone: true, updatedAt: at(-30 * 60_000), fanoutGeneration: 2 }));
    await recipients.addNew(recipientsFor('c1', 2, 'queued'));
    await tick({ campaigns, recipients, queues, now: () => NOW });
    expect(queues.fanouts).toEqual([
      { message: { kind: 'fanout', campaignId: 'c1', generation: 3 }, delaySeconds: 0 },
    ]);
    expect(await campaigns.get('c1')).toMatchObject({ fanoutDone: false, totals: { queued: 2 } });
  });

  it('leaves a campaign alone while its counters still move', async () => {
    const campaigns = new InMemoryCampaigns();
    await campaigns.create(aCampaign({ fanoutDone: true, updatedAt: at(-10_000) }));
    const result = await tick({
      campaigns,
      recipients: new InMemoryRecipients(),
      queues: new RecordingCampaignQueues(),
      now: () => NOW,
    });
    expect(result.reconciled).toEqual([]);
  });
});

describe('tick recount budget (issue 11 review, B2)', () => {
  /**
   * The tick's clock: every recipient page read costs `pageMs` of the function's 30 s, and the
   * function is killed (the page read throws) when none is left, as Lambda would.
   */
  function slowRecipients(pageMs: number) {
    const recipients = new InMemoryRecipients();
    let remaining = 30_000;
    const page = recipients.page.bind(recipients);
    recipients.page = async (campaignId, limit, cursor) => {
      remaining -= pageMs;
      if (remaining <= 0) throw new Error('Task timed out after 30.00 seconds');
      return page(campaignId, limit, cursor);
    };
    return {
      recipients,
      remainingMs: () => remaining,
      newInvocation: () => {
        remaining = 30_000;
      },
    };
  }

  it('recounts the other campaigns although one huge quiet campaign cannot be counted in one tick', async () => {
    const campaigns = new InMemoryCampaigns();
    const { recipients, remainingMs, newInvocation } = slowRecipients(1_000);
    // One huge sending campaign, fanned out and quiet (waiting for quota), looked at longest ago:
    // 30,000 records are 30 pages of 1,000: 30 s at 1 s a page (a 100,000-recipient campaign on a
    // slow day), more than the function has.
    await campaigns.create(
      aCampaign({
        id: 'huge',
        fanoutDone: true,
        updatedAt: at(-60 * 60_000),
        waitingForQuotaSince: at(-60 * 60_000),
      }),
    );
    await recipients.addNew(recipientsFor('huge', 30_000, 'queued'));
    const others = Array.from({ length: 20 }, (_, i) => `old-${i}`);
    for (const id of others) {
      await campaigns.create(
        aCampaign({
          id,
          status: 'paused',
          updatedAt: at(-30 * 60_000),
          totals: { ...aCampaign().totals, recipients: 0 },
        }),
      );
      await recipients.addNew(recipientsFor(id, 1, 'pending'));
    }
    const deps = {
      campaigns,
      recipients,
      queues: new RecordingCampaignQueues(),
      now: () => NOW,
      remainingMs,
    };

    const first = await tick(deps);
    newInvocation();
    const second = await tick(deps);

    expect(remainingMs()).toBeGreaterThan(0);
    expect([...first.reconciled, ...second.reconciled].sort()).toEqual([...others].sort());
    for (const id of others) expect((await campaigns.get(id))?.totals.recipients).toBe(1);
    expect((await campaigns.get('huge'))?.recountTriedAt).toBe(NOW.toISOString());
  });

  it('does not read a finished cancelled campaign again, and backs off a quiet sending one', async () => {
    const campaigns = new InMemoryCampaigns();
    const recipients = new InMemoryRecipients();
    const queues = new RecordingCampaignQueues();
    await campaigns.create(
      aCampaign({
        id: 'gone',
        status: 'cancelled',
        fanoutDone: true,
        updatedAt: at(-60 * 60_000),
        totals: { ...aCampaign().totals, recipients: 1, cancelled: 1 },
      }),
    );
    await recipients.addNew(recipientsFor('gone', 1, 'cancelled'));
    await campaigns.create(
      aCampaign({
        id: 'quiet',
        fanoutDone: true,
        updatedAt: at(-10 * 60_000),
        totals: { ...aCampaign().totals, recipients: 1, queued: 1 },
      }),
    );
    await recipients.addNew(recipientsFor('quiet', 1, 'queued'));
    let now = NOW.getTime();
    const deps = { campaigns, recipients, queues, now: () => new Date(now) };

    const first = await tick(deps);
    now += 60_000;
    const second = await tick(deps);
    now += 15 * 60_000;
    const later = await tick(deps);

    expect(first.reconciled.sort()).toEqual(['gone', 'quiet']);
    expect(second.reconciled).toEqual([]);
    expect(later.reconciled).toEqual(['quiet']);
    expect(
      await campaigns.recountCandidates('cancelled', new Date(now), new Date(now - 15 * 60_000)),
    ).toEqual([]);
  });

  it('reads summaries only: never a campaign’s content', async () => {
    const campaigns = new InMemoryCampaigns();
    await campaigns.create(aCampaign({ fanoutDone: true, updatedAt: at(-10 * 60_000) }));
    const [summary] = await campaigns.recountCandidates('sending', NOW, NOW);
    expect(summary).toBeDefined();
    expect(summary).not.toHaveProperty('content');
  });
});
