import { bulkRate, dailyQuotaExhausted, RecentSends } from '../../lambdas/sending/send-rate';

describe('bulkRate', () => {
  it('is the whole rate while transactional mail is quiet', () => {
    expect(bulkRate(100, 0)).toBeCloseTo(100);
  });

  it('is what transactional mail leaves', () => {
    expect(bulkRate(100, 40)).toBeCloseTo(60);
  });

  it('never stops completely', () => {
    expect(bulkRate(100, 150)).toBeCloseTo(1);
  });
});

describe('dailyQuotaExhausted', () => {
  const quota = {
    productionAccess: true,
    sendingEnabled: true,
    maxSendRate: 14,
    max24HourSend: 1000,
    sentLast24Hours: 970,
  };

  it('stops bulk mail just short of Max24HourSend, counting sends SES has not reported yet', () => {
    expect(dailyQuotaExhausted(quota, 0)).toBe(false);
    expect(dailyQuotaExhausted(quota, 10)).toBe(true);
    expect(dailyQuotaExhausted(undefined, 10)).toBe(false);
  });
});

describe('RecentSends', () => {
  it('reports the rate over the last five seconds', () => {
    const recent = new RecentSends();
    for (let t = 0; t < 10_000; t += 100) recent.record(t);
    expect(recent.perSecond(10_000)).toBeCloseTo(10, 0);
    expect(recent.since(9_000)).toBe(10);
  });
});
