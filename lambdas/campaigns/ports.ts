import type { Stream } from '../sending/outgoing-mail';
import type {
  Campaign,
  CampaignRecipient,
  CampaignStatus,
  CampaignSummary,
  CampaignTotals,
  RecipientStatus,
} from './campaign';

export type TotalsDelta = Partial<Record<keyof CampaignTotals, number>>;

/** What an edit of a campaign replaces; `template` absent removes it (the content is inline). */
export type CampaignEdit = Pick<Campaign, 'name' | 'from' | 'replyTo' | 'content' | 'tags'> &
  Partial<Pick<Campaign, 'template'>>;

/** Campaigns in storage. Every status change is conditional on the status it leaves. */
export interface CampaignRepository {
  create(campaign: Campaign): Promise<void>;
  get(id: string): Promise<Campaign | undefined>;
  list(limit: number, cursor?: string): Promise<{ items: Campaign[]; nextCursor?: string }>;
  /**
   * Moves a campaign from one of `from` to `to`, applying `changes` (undefined values remove the
   * attribute). Resolves the updated campaign, or undefined when its status was not one of `from`.
   *
   * The upload fence (campaign.ts, invariant 4) is enforced here, for every caller: a move into
   * `sending` from any other status also requires that no registered upload's lease runs
   * (`uploadHoldsFence` is false), and clears the upload registrations (all dead by then: the
   * records they wrote are read by the fan-out and counted by the reconcile). Resolves undefined
   * when the fence holds.
   */
  transition(
    id: string,
    from: CampaignStatus[],
    to: CampaignStatus,
    changes: Partial<Campaign>,
    now: Date,
  ): Promise<Campaign | undefined>;
  /**
   * Replaces what an edit may change (name, sender, tags, content) if the campaign's status is one
   * of `open`, no upload holds the fence (`uploadHoldsFence`), and neither its content revision nor
   * its count of upload registrations moved since `seen` was read (campaign.ts, invariant 5: no
   * upload registered meanwhile, even one that has finished since); the content becomes revision
   * `newRevision`.
   * Resolves the campaign afterwards, or undefined (changing nothing) when any of these fails.
   */
  edit(
    id: string,
    changes: CampaignEdit,
    seen: Pick<Campaign, 'contentRevision' | 'uploadRegistrations'>,
    newRevision: string,
    open: readonly CampaignStatus[],
    now: Date,
  ): Promise<Campaign | undefined>;
  /**
   * Registers an upload (`entry` from `uploadEntry`) if the campaign's status is one of `open`,
   * uploads are not closed (`uploadsClosed`) and its content is still at `checkedRevision` (the
   * revision the upload checked its rows against), raising the fence to the entry's lease end
   * (never lowering it) and counting the registration (`uploadRegistrations`). Resolves the campaign afterwards, or undefined when there is no such
   * campaign or it cannot take this upload.
   */
  registerUpload(
    id: string,
    entry: string,
    leaseEnd: Date,
    open: readonly CampaignStatus[],
    checkedRevision: string | undefined,
    now: Date,
  ): Promise<Campaign | undefined>;
  /**
   * Releases a registered upload and counts the recipients it added, in one write, also removing
   * the registrations `alsoRemove` (earlier attempts whose rows it adopted). Resolves false
   * (counting nothing) when any of these registrations is gone, or, given `registeredCount`, when
   * the campaign does not hold exactly that many registrations (one registered or left meanwhile).
   */
  releaseUpload(
    id: string,
    entry: string,
    added: number,
    now: Date,
    alsoRemove?: readonly string[],
    registeredCount?: number,
  ): Promise<boolean>;
  /**
   * Sets the counters to what the records say (the reconcile), marks the campaign reconciled and
   * clears upload registrations, provided it is still in `status`, the fence is clear and no upload
   * registered since the records were read (`uploadFenceUntil` still `seenFenceUntil`): a count
   * taken while rows were being written is never stored. Resolves undefined when refused.
   */
  recount(
    id: string,
    status: CampaignStatus,
    totals: CampaignTotals,
    seenFenceUntil: string | undefined,
    now: Date,
  ): Promise<Campaign | undefined>;
  /**
   * Adds to the counters atomically (many writers at once never lose each other's counts) and keeps
   * `updatedAt` within the tick's quiet period of the latest count (campaign.ts, QUIET_AFTER_MS).
   */
  addToTotals(id: string, delta: TotalsDelta, now: Date): Promise<void>;
  /**
   * Advances the fan-out position only if it is still at `expectedCursor` in `generation`: a
   * duplicate fan-out message loses here and cannot fork a second chain.
   */
  advanceFanout(
    id: string,
    generation: number,
    expectedCursor: string | undefined,
    next: { cursor?: string; done: boolean },
    now: Date,
  ): Promise<boolean>;
  /** Marks (or clears) that the daily quota holds the campaign back; only writes on a change. */
  setWaitingForQuota(id: string, since: Date | undefined): Promise<void>;
  /**
   * Campaigns in `status` that may be due a recount (the tick): quiet since `quietBefore`, and
   * changed since their last recount or (sending) last looked at before `recheckBefore`. Summaries
   * only (SUMMARY_FIELDS): never the content.
   */
  recountCandidates(
    status: CampaignStatus,
    quietBefore: Date,
    recheckBefore: Date,
  ): Promise<CampaignSummary[]>;
  /**
   * Records a recount that found the counters right, without touching `updatedAt`, provided the
   * campaign has not changed since it was read (`updatedAt` still `seenUpdatedAt`): a change made
   * while the records were counted must leave the campaign a candidate for the next recount.
   */
  markReconciled(id: string, seenUpdatedAt: string, now: Date): Promise<void>;
  /** Records a recount cut short for lack of time, without touching `updatedAt`. */
  markRecountTried(id: string, now: Date): Promise<void>;
  /** Every campaign in `status` (campaigns are few; a status index finds them). */
  inStatus(status: CampaignStatus): Promise<CampaignSummary[]>;
  /** Scheduled campaigns due at or before `before` (summaries). */
  dueScheduled(before: Date): Promise<CampaignSummary[]>;
  /** Sending (or cancelled) campaigns whose fan-out (or cancel sweep) has not moved since `before`: a chain that died. */
  stalledFanouts(before: Date): Promise<CampaignSummary[]>;
}

export interface AddRecipientsOptions {
  /**
   * Uploads whose rows may be taken over (dead ones, and earlier attempts of the same upload): a
   * row one of them wrote (still pending) is rewritten as ours and counted by us.
   */
  adoptFrom?: readonly string[];
  /** No row is written after this instant (ms); the rest are left for a retry. */
  writeUntil?: number;
  now?: () => number;
}

export interface AddOutcome {
  /** Addresses written (or adopted) by this call: the ones to count. */
  added: Set<string>;
  /** Of `added`, how many rows were taken over from each earlier upload (by its uploadId). */
  adopted?: Map<string, number>;
  /** Rows not attempted because `writeUntil` passed, or because a write failed (`error`). */
  unwritten: number;
  error?: unknown;
}

export interface RecipientRepository {
  /**
   * Stores recipients not already in the campaign (each recipient's `uploadId` says who wrote
   * it). Never rejects once it has started writing: what was written is in `added`, and a failure
   * stops the rest, so the caller can always count what it wrote.
   */
  addNew(recipients: CampaignRecipient[], options?: AddRecipientsOptions): Promise<AddOutcome>;
  get(campaignId: string, email: string): Promise<CampaignRecipient | undefined>;
  page(
    campaignId: string,
    limit: number,
    cursor?: string,
  ): Promise<{ items: CampaignRecipient[]; nextCursor?: string }>;
  /**
   * Moves a recipient from one of `from` to `to`. Resolves the status it had before, or undefined
   * (changing nothing) when it was in none of `from`.
   */
  transition(
    campaignId: string,
    email: string,
    from: RecipientStatus[],
    to: RecipientStatus,
    changes: Partial<CampaignRecipient>,
  ): Promise<{ previous: CampaignRecipient } | undefined>;
}

export interface FanoutMessage {
  kind: 'fanout' | 'cancel';
  campaignId: string;
  generation: number;
  cursor?: string;
}

export interface BulkMessage {
  campaignId: string;
  email: string;
}

/** The fan-out queue: what starts, continues, restarts and cancels a campaign's chain of links. */
export interface FanoutQueue {
  fanout(message: FanoutMessage, delaySeconds: number): Promise<void>;
}

/** The fan-out's queues: its own, for the next link, and the bulk queue it fills (the fan-out alone sends there). */
export interface CampaignQueues extends FanoutQueue {
  /** Puts recipients on the bulk queue, ten to a SendMessageBatch. */
  bulk(messages: BulkMessage[]): Promise<void>;
}

/** How fast each stream is sending right now, as reported by the senders themselves. */
export interface RateLedger {
  report(stream: Stream, worker: string, perSecond: number, now: Date): Promise<void>;
  /** The summed rate of `stream` over the senders that reported in the last few seconds. */
  current(stream: Stream, now: Date): Promise<number>;
}
