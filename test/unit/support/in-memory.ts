import type { StoredMessage } from '../../../lambdas/emails/message';
import type {
  ClaimResult,
  IdempotencyClaim,
  IdempotencyStore,
  MessageClaims,
  MessageRepository,
  SendQueue,
  SubmitResponse,
} from '../../../lambdas/emails/ports';
import type { SuppressionList } from '../../../lambdas/feedback/ports';
import type { Suppression, SuppressionReason } from '../../../lambdas/feedback/suppression';
import type { OutgoingMail, Stream } from '../../../lambdas/sending/outgoing-mail';
import type { Failure, Mailer, Requeue, SendResult } from '../../../lambdas/sending/ports';
import type { SendSchedule, SlotGrant, SlotRequest } from '../../../lambdas/sending/send-schedule';
import type { StoredTemplate, TemplateRepository } from '../../../lambdas/templates/ports';

/** Plain-map stand-ins for the adapters, with the same conditional semantics. */
export class InMemoryMessages implements MessageRepository, MessageClaims {
  readonly items = new Map<string, StoredMessage>();

  async create(message: StoredMessage): Promise<boolean> {
    if (this.items.has(message.id)) return false;
    this.items.set(message.id, structuredClone(message));
    return true;
  }
  async get(id: string) {
    const item = this.items.get(id);
    return item && structuredClone(item);
  }
  async delete(id: string) {
    this.items.delete(id);
  }
  async claim(id: string, now: Date): Promise<ClaimResult> {
    const item = this.items.get(id);
    if (item?.status !== 'queued')
      return item ? { claimed: false, current: structuredClone(item) } : { claimed: false };
    Object.assign(item, { status: 'sending', claimedAt: now.toISOString(), attempts: item.attempts + 1 });
    item.history.push({ type: 'sending', at: now.toISOString() });
    return { claimed: true, message: structuredClone(item) };
  }
  async markSent(id: string, sesMessageId: string, now: Date) {
    const item = this.fromSending(id);
    Object.assign(item, { status: 'sent', sesMessageId, sentAt: now.toISOString() });
    item.history.push({ type: 'sent', at: now.toISOString() });
  }
  async markFailed(id: string, failure: Failure, now: Date, expectedClaimedAt?: string) {
    const item = this.fromSending(id);
    if (expectedClaimedAt !== undefined && item.claimedAt !== expectedClaimedAt)
      throw new Error('claim changed');
    Object.assign(item, { status: 'failed', failure, failedAt: now.toISOString() });
    item.history.push({ type: 'failed', at: now.toISOString() });
  }
  async release(id: string, event: string, now: Date) {
    const item = this.fromSending(id);
    item.status = 'queued';
    delete item.claimedAt;
    item.history.push({ type: event, at: now.toISOString() });
  }
  private fromSending(id: string): StoredMessage {
    const item = this.items.get(id);
    if (item?.status !== 'sending') throw new Error(`ConditionalCheckFailed: ${id} is not sending`);
    return item;
  }
}

export class InMemoryTemplates implements TemplateRepository {
  readonly items = new Map<string, StoredTemplate>();
  async get(name: string) {
    return this.items.get(name);
  }
  async put(template: StoredTemplate) {
    this.items.set(template.name, template);
  }
  async delete(name: string) {
    return this.items.delete(name);
  }
  async list(limit: number) {
    return { items: [...this.items.values()].slice(0, limit) };
  }
}

/** The suppression list: `entries` maps an address to its scope, `full` keeps whole entries. */
export class InMemorySuppressions implements SuppressionList, SuppressionList {
  readonly full = new Map<string, Suppression>();
  constructor(readonly entries = new Map<string, 'all' | 'bulk'>()) {}
  async suppressedAmong(addresses: string[], stream: Stream) {
    return new Set(
      addresses.filter((a) => this.entries.get(a) === 'all' || (this.entries.has(a) && stream === 'bulk')),
    );
  }
  async get(email: string) {
    return this.full.get(email);
  }
  async add(entry: Suppression) {
    const existing = this.entries.get(entry.email);
    if (existing === 'all' || (existing === 'bulk' && entry.scope === 'bulk')) return false;
    await this.put(entry);
    return true;
  }
  async put(entry: Suppression) {
    this.entries.set(entry.email, entry.scope);
    this.full.set(entry.email, entry);
  }
  async delete(email: string) {
    this.full.delete(email);
    return this.entries.delete(email);
  }
  async list(reason: SuppressionReason | undefined, limit: number) {
    return { items: [...this.full.values()].filter((e) => !reason || e.reason === reason).slice(0, limit) };
  }
}

export class InMemoryIdempotency implements IdempotencyStore {
  readonly items = new Map<string, { fingerprint: string; messageId: string; response?: SubmitResponse }>();
  async claim(key: string, fingerprint: string, messageId: string): Promise<IdempotencyClaim> {
    const existing = this.items.get(key);
    if (!existing) {
      this.items.set(key, { fingerprint, messageId });
      return { outcome: 'claimed', messageId };
    }
    if (existing.fingerprint !== fingerprint) return { outcome: 'mismatch' };
    return existing.response
      ? { outcome: 'replay', response: existing.response }
      : { outcome: 'in_progress' };
  }
  async complete(key: string, response: SubmitResponse) {
    const existing = this.items.get(key);
    if (existing) existing.response = response;
  }
  async release(key: string) {
    this.items.delete(key);
  }
}

export class RecordingQueue implements SendQueue, Requeue {
  readonly enqueued: string[] = [];
  readonly requeued: { body: string; delaySeconds: number }[] = [];
  failNext = false;
  async enqueue(messageId: string) {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('SQS unavailable');
    }
    this.enqueued.push(messageId);
  }
  async requeue(body: string, delaySeconds: number) {
    this.requeued.push({ body, delaySeconds });
  }
}

/** A mailer that answers from a script, then accepts; records what it was asked to send. */
export class ScriptedMailer implements Mailer {
  readonly sent: OutgoingMail[] = [];
  private counter = 0;
  constructor(private readonly script: SendResult[] = []) {}
  async send(mail: OutgoingMail): Promise<SendResult> {
    this.sent.push(mail);
    return this.script.shift() ?? { kind: 'accepted', sesMessageId: `ses-${++this.counter}` };
  }
}

/** The shared send schedule as a variable, with the DynamoDB adapter's semantics. */
export class InMemorySendSchedule implements SendSchedule {
  nextFreeAt: number | undefined;
  reservations = 0;
  failNext = false;

  async reserve({ count, spacingMs, now, latestStart }: SlotRequest): Promise<SlotGrant> {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('DynamoDB unavailable');
    }
    const start = Math.max(this.nextFreeAt ?? now, now);
    if (start > latestStart) return { granted: false, nextFreeAt: start };
    this.nextFreeAt = start + count * spacingMs;
    this.reservations++;
    return { granted: true, firstAt: start };
  }

  async hold(holdMs: number, now: number): Promise<void> {
    this.nextFreeAt = Math.max(this.nextFreeAt ?? now, now) + holdMs;
  }
}
