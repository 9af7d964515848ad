import type {
  AccountSuppressionList,
  CampaignEventTotals,
  EventDelta,
  EventRecords,
  ProductEvent,
  ProductEventPublisher,
  ReputationCounts,
  ReputationStore,
  TransientBounceCounter,
} from '../../../lambdas/feedback/ports';
import type { MailEvent } from '../../../lambdas/feedback/ses-events';

export class InMemoryDeliverability implements TransientBounceCounter, ReputationStore {
  readonly bounces = new Map<string, Map<string, number>>();
  readonly buckets = new Map<string, ReputationCounts>();
  guardState: { paused: boolean; reason?: string; at?: string } = { paused: false };

  async record(email: string, eventKey: string, at: Date, windowMs: number) {
    const seen = this.bounces.get(email) ?? new Map<string, number>();
    seen.set(eventKey, at.getTime());
    this.bounces.set(email, seen);
    return [...seen.values()].filter((t) => t > at.getTime() - windowMs).length;
  }
  async add(bucket: string, delta: Partial<ReputationCounts>) {
    const current = this.buckets.get(bucket) ?? { sent: 0, bounced: 0, complained: 0 };
    this.buckets.set(bucket, {
      sent: current.sent + (delta.sent ?? 0),
      bounced: current.bounced + (delta.bounced ?? 0),
      complained: current.complained + (delta.complained ?? 0),
    });
  }
  async total(buckets: string[]) {
    return buckets
      .map((b) => this.buckets.get(b))
      .reduce<ReputationCounts>(
        (sum, c) => ({
          sent: sum.sent + (c?.sent ?? 0),
          bounced: sum.bounced + (c?.bounced ?? 0),
          complained: sum.complained + (c?.complained ?? 0),
        }),
        { sent: 0, bounced: 0, complained: 0 },
      );
  }
  async trip(reason: string, at: Date) {
    if (this.guardState.paused) return false;
    this.guardState = { paused: true, reason, at: at.toISOString() };
    return true;
  }
  async guard() {
    return this.guardState;
  }
  async clear() {
    const was = this.guardState.paused;
    this.guardState = { paused: false };
    return was;
  }
}

export class InMemoryEventRecords implements EventRecords {
  readonly messageEvents = new Map<string, string[]>();
  readonly recipientEvents = new Map<string, { keys: Set<string>; kinds: Set<string> }>();
  constructor(
    readonly knownMessages = new Set<string>(),
    readonly knownRecipients = new Set<string>(),
  ) {}

  async onMessage(messageId: string, event: MailEvent, email: string) {
    if (!this.knownMessages.has(messageId)) return false;
    const list = this.messageEvents.get(messageId) ?? [];
    const key = `${event.key}|${email}`;
    if (list.includes(key)) return false;
    this.messageEvents.set(messageId, [...list, key]);
    return true;
  }
  async onRecipient(campaignId: string, email: string, event: MailEvent) {
    const id = `${campaignId}|${email}`;
    if (!this.knownRecipients.has(id)) return undefined;
    const record = this.recipientEvents.get(id) ?? { keys: new Set<string>(), kinds: new Set<string>() };
    if (record.keys.has(event.key)) return undefined;
    const first = !record.kinds.has(event.kind);
    record.keys.add(event.key);
    record.kinds.add(event.kind);
    this.recipientEvents.set(id, record);
    return { first };
  }
}

export class RecordingEventTotals implements CampaignEventTotals {
  readonly totals = new Map<string, EventDelta>();
  async addEvents(campaignId: string, delta: EventDelta) {
    const current = this.totals.get(campaignId) ?? {};
    for (const [name, n] of Object.entries(delta) as [keyof EventDelta, number][])
      current[name] = (current[name] ?? 0) + n;
    this.totals.set(campaignId, current);
  }
}

export class RecordingProductEvents implements ProductEventPublisher {
  readonly events: ProductEvent[] = [];
  async publish(events: ProductEvent[]) {
    this.events.push(...events);
  }
}

export class FakeAccountSuppressions implements AccountSuppressionList {
  constructor(readonly listed = new Set<string>()) {}
  async remove(email: string) {
    return this.listed.delete(email);
  }
}
