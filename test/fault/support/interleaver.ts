/**
 * A seeded random interleaver (what fast-check's scheduler does, without the dependency): every
 * call through a wrapped collaborator waits at a gate, and only one gate opens at a time, chosen
 * by a seeded random number generator once every live task is waiting at a gate or finished. The
 * order of all repository and queue calls across concurrent tasks is therefore one random
 * interleaving, the same again for the same seed, and a failing seed can be replayed.
 */
export class Interleaver {
  private readonly waiting: Array<() => void> = [];
  private live = 0;
  /** When false, gates open at once (the settle phase runs sequentially). */
  active = true;
  steps = 0;

  constructor(private readonly random: () => number) {}

  gate = (): Promise<void> => {
    if (!this.active) return Promise.resolve();
    return new Promise((open) => this.waiting.push(open));
  };

  /** Starts `task` as one of the concurrent tasks; resolves its result or the error it threw. */
  spawn<T>(task: () => Promise<T>): Promise<{ value: T } | { error: unknown }> {
    this.live++;
    return task().then(
      (value) => {
        this.live--;
        return { value };
      },
      (error: unknown) => {
        this.live--;
        return { error };
      },
    );
  }

  /** Opens gates one at a time until every task has finished. */
  async run(maxSteps = 100_000): Promise<void> {
    for (;;) {
      await this.quiescent();
      if (this.live === 0) return;
      if (++this.steps > maxSteps) throw new Error(`no end after ${maxSteps} steps`);
      const index = Math.floor(this.random() * this.waiting.length);
      const [open] = this.waiting.splice(index, 1);
      open?.();
    }
  }

  /** Waits until every live task waits at a gate (I/O against an emulator takes real time). */
  private async quiescent(): Promise<void> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      await new Promise((resolve) => setImmediate(resolve));
      if (this.waiting.length >= this.live) return;
      if (Date.now() > deadline) throw new Error('a task neither finished nor reached a gate in 30 s');
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }

  /** `target` with a gate before each of its methods. */
  wrap<T extends object>(target: T): T {
    return new Proxy(target, {
      get: (object, property, receiver) => {
        const value = Reflect.get(object, property, receiver);
        if (typeof value !== 'function') return value;
        return async (...args: unknown[]) => {
          await this.gate();
          return (value as (...a: unknown[]) => unknown).apply(object, args);
        };
      },
    });
  }
}
