import type { Clock } from '../../../lambdas/sending/send-schedule';

/**
 * Discrete-event time for tests: `sleep` parks the caller, and `run` moves the clock to the
 * earliest sleeper whenever everything else is waiting. Concurrent sleepers wake in time order,
 * as they would on a real clock, without the test waiting for real.
 */
export class VirtualClock implements Clock {
  time = 0;
  private sleepers: { at: number; seq: number; wake: () => void }[] = [];
  private seq = 0;

  now = () => this.time;

  sleep = (ms: number) =>
    new Promise<void>((wake) => {
      this.sleepers.push({ at: this.time + Math.max(0, ms), seq: this.seq++, wake });
    });

  /** Drives time forward until `work` settles, and returns what it returns. */
  async run<T>(work: Promise<T>): Promise<T> {
    let settled = false;
    const watched = work.finally(() => {
      settled = true;
    });
    for (;;) {
      // Let everything that can run without time passing run.
      await new Promise((resolve) => setImmediate(resolve));
      if (settled) return watched;
      this.sleepers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.sleepers.shift();
      if (!next) throw new Error('the work waits on something other than the clock');
      this.time = Math.max(this.time, next.at);
      next.wake();
    }
  }
}
