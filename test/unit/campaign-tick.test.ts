import { tick } from '../../lambdas/shared/domain/campaign-tick';
import { aCampaign } from './support/campaign-factories';
import { NOW } from './support/factories';
import { InMemoryCampaigns, RecordingCampaignQueues } from './support/in-memory-campaigns';

const at = (offsetMs: number) => new Date(NOW.getTime() + offsetMs).toISOString();

describe('tick', () => {
  it('queues the start of a campaign due within the minute, delayed to its second, once', async () => {
    const campaigns = new InMemoryCampaigns();
    const queues = new RecordingCampaignQueues();
    await campaigns.create(
      aCampaign({ id: 'soon', status: 'scheduled', scheduledAt: at(42_000), fanoutGeneration: 3 }),
    );
    await campaigns.create(aCampaign({ id: 'later', status: 'scheduled', scheduledAt: at(3_600_000) }));
    const deps = { campaigns, queues, now: () => NOW };

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
    const result = await tick({ campaigns, queues, now: () => NOW });
    expect(result.restarted).toEqual(['dead']);
    expect(queues.fanouts[0]?.message).toEqual({ kind: 'fanout', campaignId: 'dead', generation: 5 });
    expect((await campaigns.get('dead'))?.fanoutCursor).toBeUndefined();
  });
});
