import type {
  DeliveryLog,
  DeliveryMessage,
  DeliveryQueue,
  PostResult,
  PostWebhook,
  WebhookRegistry,
} from '../../../lambdas/webhooks/ports';
import type { DeliveryAttempt, StoredWebhook } from '../../../lambdas/webhooks/webhook-schemas';

/** The registry and the delivery log in memory, with DynamoWebhookStore's conditions. */
export class InMemoryWebhooks implements WebhookRegistry, DeliveryLog {
  readonly items = new Map<string, StoredWebhook>();
  readonly attempts = new Map<string, DeliveryAttempt[]>();

  async create(webhook: StoredWebhook, max: number) {
    if (this.items.size >= max || this.items.has(webhook.id)) return false;
    this.items.set(webhook.id, structuredClone(webhook));
    return true;
  }
  async get(id: string) {
    return structuredClone(this.items.get(id));
  }
  async list() {
    return [...this.items.values()].map((w) => structuredClone(w));
  }
  async delete(id: string) {
    return this.items.delete(id);
  }
  async disable(id: string, reason: string, at: Date, failingSince: Date) {
    const webhook = this.items.get(id);
    if (webhook?.status !== 'enabled') return undefined;
    if (webhook.lastSuccessAt && webhook.lastSuccessAt >= failingSince.toISOString()) return undefined;
    Object.assign(webhook, { status: 'disabled', disabledAt: at.toISOString(), disabledReason: reason });
    return structuredClone(webhook);
  }
  async enable(id: string) {
    const webhook = this.items.get(id);
    if (!webhook) return undefined;
    webhook.status = 'enabled';
    delete webhook.disabledAt;
    delete webhook.disabledReason;
    return structuredClone(webhook);
  }
  async succeeded(id: string, at: Date) {
    const webhook = this.items.get(id);
    if (webhook) webhook.lastSuccessAt = at.toISOString();
  }
  async record(webhookId: string, attempt: DeliveryAttempt) {
    this.attempts.set(webhookId, [attempt, ...(this.attempts.get(webhookId) ?? [])]);
  }
  async listDeliveries(webhookId: string, limit: number) {
    return { items: (this.attempts.get(webhookId) ?? []).slice(0, limit) };
  }
}

/** Records what is queued, with its delay. */
export class RecordingDeliveryQueue implements DeliveryQueue {
  readonly sent: { message: DeliveryMessage; delaySeconds: number }[] = [];
  async enqueue(message: DeliveryMessage, delaySeconds: number) {
    this.sent.push({ message: structuredClone(message), delaySeconds });
  }
  /** Takes the oldest queued message off. */
  take(): DeliveryMessage {
    const next = this.sent.shift();
    if (!next) throw new Error('nothing queued');
    return next.message;
  }
}

/** An endpoint that answers from a script: each call takes the next result (the last one repeats). */
export function scriptedEndpoint(results: Partial<PostResult>[]): PostWebhook & {
  calls: { url: string; headers: Record<string, string>; body: string }[];
} {
  const calls: { url: string; headers: Record<string, string>; body: string }[] = [];
  const post = async (url: string, headers: Record<string, string>, body: string): Promise<PostResult> => {
    calls.push({ url, headers, body });
    const result = results[Math.min(calls.length - 1, results.length - 1)] ?? {};
    return { ok: false, latencyMs: 12, ...result };
  };
  return Object.assign(post, { calls });
}
