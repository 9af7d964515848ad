import type { Clock } from '../../../lambdas/sending/send-schedule';

export { seededRandom } from '../../../bench/support/stats';

/**
 * Virtual time: `sleep` moves the clock instead of waiting, so five minutes of stale-claim age or a
 * six-minute visibility timeout cost nothing. Starts at a fixed instant so runs are comparable.
 */
export class SimClock implements Clock {
  private time = Date.parse('2026-11-22T10:00:00.000Z');
  now = () => this.time;
  date = () => new Date(this.time);
  sleep = async (ms: number) => {
    this.time += Math.max(0, ms);
    // Let other simulated work interleave, as it would during a real wait.
    await new Promise((resolve) => setImmediate(resolve));
  };
  advanceTo(ms: number): void {
    this.time = Math.max(this.time, ms);
  }
}

interface SimMessage {
  id: string;
  body: string;
  visibleAt: number;
  receiveCount: number;
}

export interface SimQueueOptions {
  /** As in the stack: six times the 60 s function timeout. */
  visibilityTimeoutMs?: number;
  /** Receives after which the message moves to the DLQ instead (the redrive policy). */
  maxReceiveCount?: number;
  /** Share of sends that SQS delivers twice (at-least-once delivery). */
  duplicateRate?: number;
  random: () => number;
}

/**
 * An SQS standard queue with its DLQ, in virtual time: delays, visibility timeout, receive counts,
 * redrive after `maxReceiveCount`, and duplicate deliveries at `duplicateRate`.
 */
export class SimQueue {
  private readonly messages = new Map<string, SimMessage>();
  readonly deadLetters: string[] = [];
  private counter = 0;
  duplicatesMade = 0;

  constructor(
    readonly name: string,
    private readonly clock: SimClock,
    private readonly options: SimQueueOptions,
  ) {}

  async send(body: string, delaySeconds = 0): Promise<void> {
    const copies = this.options.random() < (this.options.duplicateRate ?? 0) ? 2 : 1;
    if (copies === 2) this.duplicatesMade++;
    for (let i = 0; i < copies; i++) {
      const id = `${this.name}-${++this.counter}`;
      this.messages.set(id, { id, body, visibleAt: this.clock.now() + delaySeconds * 1000, receiveCount: 0 });
    }
  }

  /** Up to `max` visible messages; each stays invisible for the visibility timeout. */
  receive(max: number): { messageId: string; body: string }[] {
    const now = this.clock.now();
    const out: { messageId: string; body: string }[] = [];
    for (const message of this.messages.values()) {
      if (out.length === max) break;
      if (message.visibleAt > now) continue;
      if (message.receiveCount >= (this.options.maxReceiveCount ?? 5)) {
        this.messages.delete(message.id);
        this.deadLetters.push(message.body);
        continue;
      }
      message.receiveCount++;
      message.visibleAt = now + (this.options.visibilityTimeoutMs ?? 360_000);
      out.push({ messageId: message.id, body: message.body });
    }
    return out;
  }

  delete(messageId: string): void {
    this.messages.delete(messageId);
  }

  get size(): number {
    return this.messages.size;
  }

  /** When the next message becomes visible, or undefined when the queue is empty. */
  nextVisibleAt(): number | undefined {
    let next: number | undefined;
    for (const message of this.messages.values()) {
      if (next === undefined || message.visibleAt < next) next = message.visibleAt;
    }
    return next;
  }
}
