import { type Campaign, type CampaignTotals, COUNTER_NAMES, type RecipientStatus } from './campaign';
import type { CampaignQueues, CampaignRepository, RecipientRepository } from './campaign-ports';
import { completeIfSettled } from './fanout';

const PAGE = 1000;
/** Longer than any message can legitimately wait (15 min SQS delay + a 6 min visibility timeout). */
export const LOST_AFTER_MS = 25 * 60_000;

export interface ReconcileDeps {
  campaigns: CampaignRepository;
  recipients: RecipientRepository;
  queues: CampaignQueues;
  now: () => Date;
}

/**
 * Sets a campaign's counters from its recipient records, which are the truth: the counters are
 * moved one write after each record, so a sender that dies between the two leaves them short.
 * Run by the tick on sending campaigns that have gone quiet. If recipients still wait with nothing
 * moving for longer than any queue message could take, their queue messages were lost: a new
 * fan-out generation queues them again (the sender's claims make a duplicate harmless).
 */
export async function reconcileCampaign(
  campaign: Campaign,
  deps: ReconcileDeps,
): Promise<'completed' | 'requeued' | 'counted'> {
  const { counts, claimedFromQueued } = await countStatuses(campaign.id, deps.recipients);
  const totals: CampaignTotals = {
    recipients: Object.values(counts).reduce((a, b) => a + b, 0),
    // A claim taken from `queued` still counts as queued until it ends (its end takes one off).
    queued: (counts.queued ?? 0) + claimedFromQueued,
    sent: counts.sent ?? 0,
    failed: counts.failed ?? 0,
    suppressed: counts.suppressed ?? 0,
    cancelled: counts.cancelled ?? 0,
  };
  const now = deps.now();
  // Written only when it differs: an unchanged campaign keeps its updatedAt, which is what tells
  // "quiet for 25 minutes" below.
  const same = COUNTER_NAMES.every((name) => campaign.totals[name] === totals[name]);
  const updated = same
    ? campaign
    : await deps.campaigns.transition(campaign.id, ['sending'], 'sending', { totals }, now);
  if (!updated) return 'counted';
  if (await completeIfSettled(campaign.id, deps, updated)) return 'completed';

  const waiting = (counts.pending ?? 0) + (counts.queued ?? 0);
  const quiet = now.getTime() - Date.parse(campaign.updatedAt) > LOST_AFTER_MS;
  if (waiting > 0 && quiet && !campaign.waitingForQuotaSince) {
    const generation = updated.fanoutGeneration + 1;
    const restarted = await deps.campaigns.transition(
      campaign.id,
      ['sending'],
      'sending',
      {
        fanoutGeneration: generation,
        fanoutCursor: undefined,
        fanoutDone: false,
        fanoutUpdatedAt: now.toISOString(),
      },
      now,
    );
    if (restarted) {
      await deps.queues.fanout({ kind: 'fanout', campaignId: campaign.id, generation }, 0);
      return 'requeued';
    }
  }
  return 'counted';
}

async function countStatuses(campaignId: string, recipients: RecipientRepository) {
  const counts: Partial<Record<RecipientStatus, number>> = {};
  let claimedFromQueued = 0;
  let cursor: string | undefined;
  do {
    const page = await recipients.page(campaignId, PAGE, cursor);
    for (const r of page.items) {
      counts[r.status] = (counts[r.status] ?? 0) + 1;
      if (r.status === 'sending' && r.claimedFrom === 'queued') claimedFromQueued++;
    }
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return { counts, claimedFromQueued };
}
