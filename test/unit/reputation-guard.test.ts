import {
  checkReputation,
  DEFAULT_THRESHOLDS,
  GUARD_PAUSED_BY,
  guardVerdict,
  hourBuckets,
} from '../../lambdas/feedback/reputation-guard';
import { aCampaign } from './support/campaign-factories';
import { NOW } from './support/factories';
import { InMemoryCampaigns } from './support/in-memory-campaigns';
import { InMemoryDeliverability } from './support/in-memory-feedback';

describe('guardVerdict', () => {
  it('trips at the configured bounce and complaint rates, given enough mail', () => {
    expect(guardVerdict({ sent: 1000, bounced: 39, complained: 0 }, DEFAULT_THRESHOLDS)).toBeUndefined();
    expect(guardVerdict({ sent: 1000, bounced: 40, complained: 0 }, DEFAULT_THRESHOLDS)).toMatch(
      /bounce rate 4.00%/,
    );
    expect(guardVerdict({ sent: 10_000, bounced: 0, complained: 8 }, DEFAULT_THRESHOLDS)).toMatch(
      /complaint rate 0.080%/,
    );
    expect(guardVerdict({ sent: 100, bounced: 50, complained: 0 }, DEFAULT_THRESHOLDS)).toBeUndefined();
  });
});

describe('checkReputation', () => {
  it('pauses bulk sending and every running campaign once, saying why', async () => {
    const reputation = new InMemoryDeliverability();
    await reputation.add(hourBuckets(NOW, 1)[0] ?? '', { sent: 500, bounced: 30 });
    const campaigns = new InMemoryCampaigns();
    await campaigns.create(aCampaign({ id: 'running' }));
    await campaigns.create(aCampaign({ id: 'finished', status: 'completed' }));
    const trips: string[][] = [];
    const deps = {
      reputation,
      campaigns,
      thresholds: DEFAULT_THRESHOLDS,
      now: () => NOW,
      onTrip: async (_: string, paused: string[]) => {
        trips.push(paused);
      },
    };

    expect(await checkReputation(deps)).toMatch(/bounce rate/);
    expect(await checkReputation(deps)).toBeUndefined();
    expect(trips).toEqual([['running']]);
    expect(await campaigns.get('running')).toMatchObject({ status: 'paused', pausedBy: GUARD_PAUSED_BY });
    expect((await campaigns.get('finished'))?.status).toBe('completed');
    expect((await reputation.guard()).paused).toBe(true);
  });
});
