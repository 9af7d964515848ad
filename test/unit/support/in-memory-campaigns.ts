import type {
  Campaign,
  CampaignRecipient,
  CampaignStatus,
  CampaignSummary,
  RecipientStatus,
} from '../../../lambdas/campaigns/campaign';
import {
  type CampaignTotals,
  COUNTER_NAMES,
  SUMMARY_FIELDS,
  uploadHoldsFence,
  uploadsClosed,
} from '../../../lambdas/campaigns/campaign';
import type {
  AddRecipientsOptions,
  BulkMessage,
  CampaignEdit,
  CampaignQueues,
  CampaignRepository,
  FanoutMessage,
  RateLedger,
  RecipientRepository,
  TotalsDelta,
} from '../../../lambdas/campaigns/ports';
import type { Stream } from '../../../lambdas/sending/outgoing-mail';

/** Applies changes the way the DynamoDB adapters do: undefined removes the attribute. */
function apply<T extends object>(target: T, changes: Partial<T>): void {
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) delete (target as Record<string, unknown>)[key];
    else (target as Record<string, unknown>)[key] = value;
  }
}

/** Only the summary's attributes, as the DynamoDB adapter's ProjectionExpression returns them. */
function summaryOf(campaign: Campaign): CampaignSummary {
  const summary: Record<string, unknown> = {};
  for (const field of SUMMARY_FIELDS)
    if (campaign[field] !== undefined) summary[field] = structuredClone(campaign[field]);
  return summary as unknown as CampaignSummary;
}

export class InMemoryCampaigns implements CampaignRepository {
  readonly items = new Map<string, Campaign>();

  async create(campaign: Campaign) {
    if (this.items.has(campaign.id)) throw new Error('exists');
    this.items.set(campaign.id, structuredClone(campaign));
  }
  async get(id: string) {
    const item = this.items.get(id);
    return item && structuredClone(item);
  }
  async list(limit: number) {
    return { items: [...this.items.values()].slice(0, limit).map((c) => structuredClone(c)) };
  }
  async transition(
    id: string,
    from: CampaignStatus[],
    to: CampaignStatus,
    changes: Partial<Campaign>,
    now: Date,
  ) {
    const item = this.items.get(id);
    if (!item || !from.includes(item.status)) return undefined;
    // The upload fence, as the DynamoDB adapter enforces it.
    const starting = to === 'sending' && from.some((status) => status !== 'sending');
    if (starting && uploadHoldsFence(item, now)) return undefined;
    apply(item, {
      ...changes,
      status: to,
      updatedAt: now.toISOString(),
      ...(starting
        ? { openUploads: undefined, uploadFenceUntil: undefined, startRequestedAt: undefined }
        : {}),
    });
    return structuredClone(item);
  }
  async edit(
    id: string,
    changes: CampaignEdit,
    seen: Pick<Campaign, 'contentRevision' | 'uploadRegistrations'>,
    newRevision: string,
    open: readonly CampaignStatus[],
    now: Date,
  ) {
    // The conditions of the DynamoDB adapter: status, fence, revision.
    const item = this.items.get(id);
    if (!item || !open.includes(item.status) || uploadHoldsFence(item, now)) return undefined;
    if (item.contentRevision !== seen.contentRevision) return undefined;
    if (item.uploadRegistrations !== seen.uploadRegistrations) return undefined;
    apply(item, {
      ...structuredClone(changes),
      template: changes.template,
      contentRevision: newRevision,
      updatedAt: now.toISOString(),
    });
    return structuredClone(item);
  }
  async registerUpload(
    id: string,
    entry: string,
    leaseEnd: Date,
    open: readonly CampaignStatus[],
    checkedRevision: string | undefined,
    now: Date,
  ) {
    const item = this.items.get(id);
    if (!item || !open.includes(item.status) || uploadsClosed(item, now)) return undefined;
    if (item.contentRevision !== checkedRevision) return undefined;
    item.openUploads = new Set([...(item.openUploads ?? []), entry]);
    item.uploadRegistrations = (item.uploadRegistrations ?? 0) + 1;
    if ((item.uploadFenceUntil ?? '') <= leaseEnd.toISOString())
      item.uploadFenceUntil = leaseEnd.toISOString();
    item.updatedAt = now.toISOString();
    return structuredClone(item);
  }
  async releaseUpload(
    id: string,
    entry: string,
    added: number,
    now: Date,
    alsoRemove: readonly string[] = [],
    registeredCount?: number,
  ) {
    const item = this.items.get(id);
    if (!item?.openUploads?.has(entry)) return false;
    if (!alsoRemove.every((other) => item.openUploads?.has(other))) return false;
    if (registeredCount !== undefined && item.openUploads.size !== registeredCount) return false;
    item.openUploads.delete(entry);
    for (const other of alsoRemove) item.openUploads.delete(other);
    if (item.openUploads.size === 0) delete item.openUploads;
    item.totals.recipients += added;
    item.updatedAt = now.toISOString();
    return true;
  }
  async recount(
    id: string,
    status: CampaignStatus,
    totals: CampaignTotals,
    seenFenceUntil: string | undefined,
    now: Date,
  ) {
    const item = this.items.get(id);
    if (!item || item.status !== status || uploadHoldsFence(item, now)) return undefined;
    if (item.uploadFenceUntil !== seenFenceUntil) return undefined;
    apply(item, {
      totals: { ...totals },
      updatedAt: now.toISOString(),
      reconciledAt: now.toISOString(),
      openUploads: undefined,
      uploadFenceUntil: undefined,
    });
    return structuredClone(item);
  }
  async addToTotals(id: string, delta: TotalsDelta, now: Date) {
    const item = this.items.get(id);
    if (!item) throw new Error(`no campaign ${id}`);
    for (const counter of COUNTER_NAMES) item.totals[counter] += delta[counter] ?? 0;
    item.updatedAt = now.toISOString();
  }
  async advanceFanout(
    id: string,
    generation: number,
    expected: string | undefined,
    next: { cursor?: string; done: boolean },
    now: Date,
  ) {
    const item = this.items.get(id);
    if (
      !item ||
      item.fanoutGeneration !== generation ||
      item.status !== 'sending' ||
      item.fanoutCursor !== expected
    )
      return false;
    apply(item, { fanoutCursor: next.cursor, fanoutDone: next.done, fanoutUpdatedAt: now.toISOString() });
    return true;
  }
  async setWaitingForQuota(id: string, since: Date | undefined) {
    const item = this.items.get(id);
    if (item) apply(item, { waitingForQuotaSince: since?.toISOString() });
  }
  /** Calls to recountCandidates, for tests that check what the tick reads. */
  candidateReads = 0;
  async recountCandidates(status: CampaignStatus, quietBefore: Date, recheckBefore: Date) {
    this.candidateReads++;
    const quiet = quietBefore.toISOString();
    const recheck = recheckBefore.toISOString();
    return [...this.items.values()]
      .filter((c) => {
        if (c.status !== status || c.updatedAt >= quiet) return false;
        const changed = c.reconciledAt === undefined || c.reconciledAt < c.updatedAt;
        if (status === 'sending') return c.fanoutDone && (changed || (c.reconciledAt ?? '') < recheck);
        if (status === 'cancelled') return c.fanoutDone && changed;
        return changed;
      })
      .map((c) => summaryOf(c));
  }
  async markReconciled(id: string, seenUpdatedAt: string, now: Date) {
    const item = this.items.get(id);
    if (item && item.updatedAt === seenUpdatedAt) {
      apply(item, { reconciledAt: now.toISOString(), recountTriedAt: undefined });
    }
  }
  async markRecountTried(id: string, now: Date) {
    const item = this.items.get(id);
    if (item) item.recountTriedAt = now.toISOString();
  }
  async inStatus(status: CampaignStatus) {
    return [...this.items.values()].filter((c) => c.status === status).map((c) => structuredClone(c));
  }
  async dueScheduled(before: Date) {
    return [...this.items.values()]
      .filter(
        (c) =>
          c.status === 'scheduled' && !c.startQueued && Date.parse(c.scheduledAt ?? '') <= before.getTime(),
      )
      .map((c) => summaryOf(c));
  }
  async stalledFanouts(before: Date) {
    return [...this.items.values()]
      .filter(
        (c) =>
          (c.status === 'sending' || c.status === 'cancelled') &&
          !c.fanoutDone &&
          Date.parse(c.fanoutUpdatedAt ?? c.updatedAt) < before.getTime(),
      )
      .map((c) => summaryOf(c));
  }
}

export class InMemoryRecipients implements RecipientRepository {
  readonly items = new Map<string, CampaignRecipient>();
  private key = (campaignId: string, email: string) => `${campaignId}\u0000${email}`;

  async addNew(recipients: CampaignRecipient[], options: AddRecipientsOptions = {}) {
    const added = new Set<string>();
    const adopted = new Map<string, number>();
    const adopt = new Set(options.adoptFrom ?? []);
    for (const [i, r] of recipients.entries()) {
      if (options.writeUntil !== undefined && (options.now ?? Date.now)() > options.writeUntil)
        return { added, adopted, unwritten: recipients.length - i };
      const key = this.key(r.campaignId, r.email);
      const existing = this.items.get(key);
      if (existing && !(existing.status === 'pending' && adopt.has(existing.uploadId ?? ''))) continue;
      if (existing?.uploadId) adopted.set(existing.uploadId, (adopted.get(existing.uploadId) ?? 0) + 1);
      this.items.set(key, structuredClone(r));
      added.add(r.email);
    }
    return { added, adopted, unwritten: 0 };
  }
  async get(campaignId: string, email: string) {
    const item = this.items.get(this.key(campaignId, email));
    return item && structuredClone(item);
  }
  async page(campaignId: string, limit: number, cursor?: string) {
    const all = [...this.items.values()]
      .filter((r) => r.campaignId === campaignId)
      .sort((a, b) => (a.email < b.email ? -1 : 1));
    const start = cursor === undefined ? 0 : all.findIndex((r) => r.email > cursor);
    const items = start < 0 ? [] : all.slice(start, start + limit);
    const last = items.at(-1);
    const more = start >= 0 && start + limit < all.length;
    return {
      items: items.map((r) => structuredClone(r)),
      ...(more && last ? { nextCursor: last.email } : {}),
    };
  }
  async transition(
    campaignId: string,
    email: string,
    from: RecipientStatus[],
    to: RecipientStatus,
    changes: Partial<CampaignRecipient>,
  ) {
    const item = this.items.get(this.key(campaignId, email));
    if (!item || !from.includes(item.status)) return undefined;
    const previous = structuredClone(item);
    apply(item, { ...changes, status: to });
    return { previous };
  }
  statuses(campaignId: string): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const r of this.items.values())
      if (r.campaignId === campaignId) counts[r.status] = (counts[r.status] ?? 0) + 1;
    return counts;
  }
}

export class RecordingCampaignQueues implements CampaignQueues {
  readonly fanouts: { message: FanoutMessage; delaySeconds: number }[] = [];
  readonly bulkMessages: BulkMessage[] = [];
  async fanout(message: FanoutMessage, delaySeconds: number) {
    this.fanouts.push({ message, delaySeconds });
  }
  async bulk(messages: BulkMessage[]) {
    this.bulkMessages.push(...messages);
  }
}

export class FixedLedger implements RateLedger {
  constructor(readonly rates: Partial<Record<Stream, number>> = {}) {}
  async report() {}
  async current(stream: Stream) {
    return this.rates[stream] ?? 0;
  }
}
