export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * Hands out send slots evenly spaced at `ratePerSecond`. Slots are reserved synchronously, so many
 * concurrent callers still get distinct slots, and the wait is measured from the previous slot, not
 * from the end of the previous send: a send's own latency never slows the rate down (the trap of
 * `await send(); sleep(1000 / rate)`), and sends overlap as much as latency requires.
 *
 * Even spacing rather than a burst-then-wait window, because SES counts over any trailing second.
 * `margin` keeps a little headroom for the jitter between our clock and SES's.
 */
export class Pacer {
  private nextSlotAt = 0;
  private intervalMs: number;

  constructor(
    ratePerSecond: number,
    private readonly clock: Clock = systemClock,
    private readonly margin = 0.01,
  ) {
    this.intervalMs = this.toInterval(ratePerSecond);
  }

  get ratePerSecond(): number {
    return 1000 / (this.intervalMs / (1 + this.margin));
  }

  setRate(ratePerSecond: number): void {
    this.intervalMs = this.toInterval(ratePerSecond);
  }

  /** How long the next caller of acquire() would wait. */
  delayUntilNextSlot(): number {
    return Math.max(0, this.nextSlotAt - this.clock.now());
  }

  async acquire(): Promise<void> {
    const now = this.clock.now();
    const slot = Math.max(now, this.nextSlotAt);
    this.nextSlotAt = slot + this.intervalMs;
    if (slot > now) await this.clock.sleep(slot - now);
  }

  /** After a throttle: SES thinks we are too fast, so leave a gap before the next slot. */
  pause(ms: number): void {
    this.nextSlotAt = Math.max(this.nextSlotAt, this.clock.now() + ms);
  }

  private toInterval(ratePerSecond: number): number {
    if (!(ratePerSecond > 0) || !Number.isFinite(ratePerSecond)) {
      throw new RangeError(`send rate must be a positive number, got ${ratePerSecond}`);
    }
    return (1000 / ratePerSecond) * (1 + this.margin);
  }
}
