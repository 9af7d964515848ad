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

/** Why the guard should trip for these counts, or undefined. */
export function guardVerdict(counts: ReputationCounts, thresholds: GuardThresholds): string | undefined {
  if (counts.sent < thresholds.minimumSample) return undefined;
  const bounceRate = counts.bounced / counts.sent;
  const complaintRate = counts.complained / counts.sent;
  const pct = (rate: number) => `${(rate * 100).toFixed(rate < 0.01 ? 3 : 2)}%`;
  if (bounceRate >= thresholds.bounceRate) {
    return `bulk bounce rate ${pct(bounceRate)} over the last ${thresholds.windowHours} h reached ${pct(thresholds.bounceRate)}`;
  }
  if (complaintRate >= thresholds.complaintRate) {
    return `bulk complaint rate ${pct(complaintRate)} over the last ${thresholds.windowHours} h reached ${pct(thresholds.complaintRate)}`;
  }
  return undefined;
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
  const counts = await deps.reputation.total(hourBuckets(now, deps.thresholds.windowHours));
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
