import {
  bulkRates,
  checkReputation,
  currentBulkRates,
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

describe('bulkRates', () => {
  it('gives the rates the guard judges, null before any mail, judged from the minimum sample on', () => {
    expect(bulkRates({ sent: 0, bounced: 0, complained: 0 }, DEFAULT_THRESHOLDS)).toEqual({
      counts: { sent: 0, bounced: 0, complained: 0 },
      bounceRate: null,
      complaintRate: null,
      judged: false,
    });
    const sample = DEFAULT_THRESHOLDS.minimumSample;
    expect(bulkRates({ sent: sample - 1, bounced: 1, complained: 0 }, DEFAULT_THRESHOLDS).judged).toBe(false);
    expect(bulkRates({ sent: sample, bounced: 8, complained: 1 }, DEFAULT_THRESHOLDS)).toEqual({
      counts: { sent: sample, bounced: 8, complained: 1 },
      bounceRate: 8 / sample,
      complaintRate: 1 / sample,
      judged: true,
    });
  });

  it("sums the guard's window of hourly buckets and nothing older", async () => {
    const reputation = new InMemoryDeliverability();
    const hours = hourBuckets(NOW, DEFAULT_THRESHOLDS.windowHours + 1);
    await reputation.add(hours[0] ?? '', { sent: 300, bounced: 3 });
    await reputation.add(hours[DEFAULT_THRESHOLDS.windowHours - 1] ?? '', { sent: 100, complained: 1 });
    await reputation.add(hours[DEFAULT_THRESHOLDS.windowHours] ?? '', { sent: 1000, bounced: 900 });

    const rates = await currentBulkRates(reputation, DEFAULT_THRESHOLDS, NOW);

    expect(rates).toEqual({
      counts: { sent: 400, bounced: 3, complained: 1 },
      bounceRate: 3 / 400,
      complaintRate: 1 / 400,
      judged: true,
    });
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
