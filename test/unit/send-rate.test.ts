import { type AccountQuota, CachedQuota, rateInUse } from '../../lambdas/sending/send-rate';

const production: AccountQuota = {
  productionAccess: true,
  sendingEnabled: true,
  maxSendRate: 14,
  max24HourSend: 50_000,
  sentLast24Hours: 0,
};

describe('rateInUse', () => {
  it('uses MaxSendRate out of the sandbox, 1/s in it, and the override above both', () => {
    expect(rateInUse(production, undefined)).toBe(14);
    expect(rateInUse({ ...production, productionAccess: false, maxSendRate: 14 }, undefined)).toBe(1);
    expect(rateInUse(production, 5)).toBe(5);
    expect(rateInUse(undefined, undefined)).toBe(1);
  });

  it("paces to this stack's share of the account rate, so stacks sharing an account stay under it together", () => {
    expect(rateInUse(production, undefined, 0.5)).toBe(7);
    expect(rateInUse(production, undefined, 0.5) + rateInUse(production, undefined, 0.5)).toBe(14);
    expect(rateInUse({ ...production, productionAccess: false }, undefined, 0.25)).toBe(0.25);
    // Whole mails per second: 9.8 and 4.2 would put 10 + 5 mails into some second of a 14/s account.
    expect(rateInUse(production, undefined, 0.7)).toBe(9);
    expect(rateInUse(production, undefined, 0.3)).toBe(4);
    expect(rateInUse(production, undefined, 1)).toBe(14);
    // An override is an absolute figure the integrator chose: not divided again.
    expect(rateInUse(production, 5, 0.5)).toBe(5);
  });
});

describe('CachedQuota', () => {
  it('asks SES at most once a minute', async () => {
    let now = 0;
    let calls = 0;
    const quota = new CachedQuota(
      async () => {
        calls++;
        return production;
      },
      () => now,
    );
    await quota.get();
    now = 59_000;
    await quota.get();
    expect(calls).toBe(1);
    now = 60_000;
    await quota.get();
    expect(calls).toBe(2);
  });

  it('keeps the last known answer when a refresh fails', async () => {
    let now = 0;
    let fail = false;
    const errors: unknown[] = [];
    const quota = new CachedQuota(
      async () => {
        if (fail) throw new Error('SES down');
        return production;
      },
      () => now,
      60_000,
      (e) => errors.push(e),
    );
    await quota.get();
    fail = true;
    now = 120_000;
    await expect(quota.get()).resolves.toEqual(production);
    expect(errors).toHaveLength(1);
  });

  it('shares one request between concurrent callers', async () => {
    let calls = 0;
    const quota = new CachedQuota(async () => {
      calls++;
      return production;
    });
    await Promise.all([quota.get(), quota.get(), quota.get()]);
    expect(calls).toBe(1);
  });
});
