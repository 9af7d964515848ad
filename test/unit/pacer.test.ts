import { type Clock, Pacer } from '../../lambdas/shared/domain/pacer';

/** A clock that only moves when someone sleeps on it. */
class ManualClock implements Clock {
  time = 0;
  now = () => this.time;
  sleep = async (ms: number) => {
    this.time += ms;
  };
}

function maxInAnyWindow(times: number[], windowMs: number): number {
  let best = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while ((times[i] ?? 0) - (times[j] ?? 0) >= windowMs) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

describe('Pacer', () => {
  it.each([1, 14, 100, 1000])('never hands out more than %i slots in any one-second window', async (rate) => {
    const clock = new ManualClock();
    const pacer = new Pacer(rate, clock);
    const slots: number[] = [];
    for (let i = 0; i < rate * 5; i++) {
      await pacer.acquire();
      slots.push(clock.now());
    }
    expect(maxInAnyWindow(slots, 1000)).toBeLessThanOrEqual(rate);
    // ...and keeps within 2% of the rate over the run.
    const achieved = (slots.length - 1) / (((slots.at(-1) ?? 0) - (slots[0] ?? 0)) / 1000);
    expect(achieved).toBeGreaterThanOrEqual(rate * 0.98);
  });

  it('lets the first send of an idle sender go at once', async () => {
    const clock = new ManualClock();
    const pacer = new Pacer(14, clock);
    clock.time = 50_000;
    await pacer.acquire();
    expect(clock.now()).toBe(50_000);
  });

  it('gives concurrent callers distinct slots', async () => {
    // Sleeps that never end: time stands still while the callers wait.
    const clock: Clock = { now: () => 0, sleep: () => new Promise(() => {}) };
    const pacer = new Pacer(10, clock);
    const before = [pacer.delayUntilNextSlot()];
    void pacer.acquire();
    before.push(pacer.delayUntilNextSlot());
    void pacer.acquire();
    before.push(pacer.delayUntilNextSlot());
    expect(before[0]).toBe(0);
    expect(before[1]).toBeCloseTo(101, 0);
    expect(before[2]).toBeCloseTo(202, 0);
  });

  it('leaves a gap after a throttle', async () => {
    const clock = new ManualClock();
    const pacer = new Pacer(100, clock);
    pacer.pause(1000);
    await pacer.acquire();
    expect(clock.now()).toBe(1000);
  });

  it('refuses a rate that is not a positive number', () => {
    expect(() => new Pacer(0)).toThrow(RangeError);
    expect(() => new Pacer(Number.NaN)).toThrow(RangeError);
  });
});
