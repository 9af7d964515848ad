import { REPUTATION_GUARD_DEFAULTS } from '../../contract/thresholds';
import type { Campaign } from '../campaigns/campaign';
import type { CampaignRepository } from '../campaigns/ports';
import type { ReputationCounts, ReputationStore } from './ports';

/** What the guard judges by; the defaults are the deployment contract's (contract/thresholds.ts). */
export interface GuardThresholds {
  /** Bulk bounce rate that trips the guard (SES reviews an account at 5 %). */
  bounceRate: number;
  /** Bulk complaint rate that trips the guard (SES reviews an account at 0.1 %). */
  complaintRate: number;
  /** Bulk mails in the window before a rate means anything. */
  minimumSample: number;
  windowHours: number;
}

/** The guard judges the last this many hours of bulk mail. */
export const GUARD_WINDOW_HOURS = 24;

/** The guard as a deploy that sets no thresholds gets it. */
export const DEFAULT_THRESHOLDS: GuardThresholds = {
  ...REPUTATION_GUARD_DEFAULTS,
  windowHours: GUARD_WINDOW_HOURS,
};

export const GUARD_PAUSED_BY = 'reputation-guard';

/** Hourly buckets, newest first: `bulk#2026-11-22T10`. */
export function hourBuckets(now: Date, hours: number): string[] {
  return Array.from(
    { length: hours },
    (_, i) => `bulk#${new Date(now.getTime() - i * 3_600_000).toISOString().slice(0, 13)}`,
  );
}

/** Bulk mail's rates over the guard's window, as the guard judges them. */
export interface BulkRates {
  /** Bulk mails sent in the window, and their bounces and complaints. */
  counts: ReputationCounts;
  /** bounced / sent; null while nothing was sent. */
  bounceRate: number | null;
  /** complained / sent; null while nothing was sent. */
  complaintRate: number | null;
  /** Whether there are enough mails (`minimumSample`) for the guard to judge the rates at all. */
  judged: boolean;
}

/** The rates the guard judges: the one computation the guard and `GET /v1/account` share. */
export function bulkRates(
  counts: ReputationCounts,
  thresholds: Pick<GuardThresholds, 'minimumSample'>,
): BulkRates {
  return {
    counts,
    bounceRate: counts.sent > 0 ? counts.bounced / counts.sent : null,
    complaintRate: counts.sent > 0 ? counts.complained / counts.sent : null,
    judged: counts.sent >= thresholds.minimumSample,
  };
}

/** The last `windowHours` of bulk mail's counts and rates, read from the guard's hourly buckets. */
export async function currentBulkRates(
  reputation: Pick<ReputationStore, 'total'>,
  thresholds: Pick<GuardThresholds, 'minimumSample' | 'windowHours'>,
  now: Date,
): Promise<BulkRates> {
  return bulkRates(await reputation.total(hourBuckets(now, thresholds.windowHours)), thresholds);
}

/** Why the guard should trip for these counts, or undefined. */
export function guardVerdict(counts: ReputationCounts, thresholds: GuardThresholds): string | undefined {
  const { bounceRate, complaintRate, judged } = bulkRates(counts, thresholds);
  if (!judged || bounceRate === null || complaintRate === null) return undefined;
  const pct = (rate: number) => `${(rate * 100).toFixed(rate < 0.01 ? 3 : 2)}%`;
  if (bounceRate >= thresholds.bounceRate) {
    return `bulk bounce rate ${pct(bounceRate)} over the last ${thresholds.windowHours} h reached ${pct(thresholds.bounceRate)}`;
  }
  if (complaintRate >= thresholds.complaintRate) {
    return `bulk complaint rate ${pct(complaintRate)} over the last ${thresholds.windowHours} h reached ${pct(thresholds.complaintRate)}`;
  }
  return undefined;
}

/** The guard's thresholds as a function's environment gives them (the events and api functions). */
export function guardThresholdsFrom(env: {
  BOUNCE_RATE_THRESHOLD: number;
  COMPLAINT_RATE_THRESHOLD: number;
  GUARD_MINIMUM_SAMPLE: number;
}): GuardThresholds {
  return {
    bounceRate: env.BOUNCE_RATE_THRESHOLD,
    complaintRate: env.COMPLAINT_RATE_THRESHOLD,
    minimumSample: env.GUARD_MINIMUM_SAMPLE,
    windowHours: GUARD_WINDOW_HOURS,
  };
}

/**
 * Looks at recent bulk mail and, when a rate crosses its threshold, pauses bulk sending: the guard
 * flag stops every bulk sender at once, and each running campaign is paused by the guard (so it shows
 * why). Transactional mail is not touched. Resuming takes an explicit API call.
 */
export async function checkReputation(deps: {
  reputation: ReputationStore;
  campaigns: Pick<CampaignRepository, 'inStatus' | 'transition'>;
  thresholds: GuardThresholds;
  now: () => Date;
  onTrip: (reason: string, paused: string[]) => Promise<void>;
}): Promise<string | undefined> {
  const now = deps.now();
  const { counts } = await currentBulkRates(deps.reputation, deps.thresholds, now);
  const reason = guardVerdict(counts, deps.thresholds);
  if (!reason || !(await deps.reputation.trip(reason, now))) return undefined;
  const paused: string[] = [];
  for (const status of ['sending', 'scheduled'] as const) {
    for (const campaign of await deps.campaigns.inStatus(status)) {
      const done = await pauseByGuard(campaign, deps.campaigns, now);
      if (done) paused.push(campaign.id);
    }
  }
  await deps.onTrip(reason, paused);
  return reason;
}

async function pauseByGuard(
  campaign: Pick<Campaign, 'id' | 'status' | 'fanoutGeneration'>,
  campaigns: Pick<CampaignRepository, 'transition'>,
  now: Date,
) {
  return campaigns.transition(
    campaign.id,
    [campaign.status],
    'paused',
    {
      pausedAt: now.toISOString(),
      pausedBy: GUARD_PAUSED_BY,
      fanoutGeneration: campaign.fanoutGeneration + 1,
    },
    now,
  );
}
