import type {
  Campaign,
  CampaignRecipient,
  CampaignStatus,
  CampaignTotals,
  RecipientStatus,
} from './campaign';
import type { Stream } from './message';

export type TotalsDelta = Partial<Record<keyof CampaignTotals, number>>;

/** Campaigns in storage. Every status change is conditional on the status it leaves. */
export interface CampaignRepository {
  create(campaign: Campaign): Promise<void>;
  get(id: string): Promise<Campaign | undefined>;
  list(limit: number, cursor?: string): Promise<{ items: Campaign[]; nextCursor?: string }>;
  /**
   * Moves a campaign from one of `from` to `to`, applying `changes` (undefined values remove the
   * attribute). Resolves the updated campaign, or undefined when its status was not one of `from`.
   */
  transition(
    id: string,
    from: CampaignStatus[],
    to: CampaignStatus,
    changes: Partial<Campaign>,
    now: Date,
  ): Promise<Campaign | undefined>;
  /** Adds to the counters atomically; resolves the campaign as it is afterwards. */
  addToTotals(id: string, delta: TotalsDelta, now: Date): Promise<Campaign>;
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
  /** Every campaign in `status` (campaigns are few; a status index finds them). */
  inStatus(status: CampaignStatus): Promise<Campaign[]>;
  /** Scheduled campaigns due at or before `before`. */
  dueScheduled(before: Date): Promise<Campaign[]>;
  /** Sending (or cancelled) campaigns whose fan-out (or cancel sweep) has not moved since `before`: a chain that died. */
  stalledFanouts(before: Date): Promise<Campaign[]>;
}

export interface RecipientRepository {
  /** Stores recipients not already in the campaign; resolves which addresses were new. */
  addNew(recipients: CampaignRecipient[]): Promise<Set<string>>;
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

export interface CampaignQueues {
  fanout(message: FanoutMessage, delaySeconds: number): Promise<void>;
  /** Puts recipients on the bulk queue, ten to a SendMessageBatch. */
  bulk(messages: BulkMessage[]): Promise<void>;
}

/** How fast each stream is sending right now, as reported by the senders themselves. */
export interface RateLedger {
  report(stream: Stream, worker: string, perSecond: number, now: Date): Promise<void>;
  /** The summed rate of `stream` over the senders that reported in the last few seconds. */
  current(stream: Stream, now: Date): Promise<number>;
}
