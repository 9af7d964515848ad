import { tick } from '../../lambdas/shared/domain/campaign-tick';
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
