import { type CampaignSummary, type CampaignTotals, COUNTER_NAMES, type RecipientStatus } from './campaign';
import type { CampaignRepository, FanoutQueue, RecipientRepository } from './ports';

const PAGE = 1000;
/** Longer than any message can legitimately wait (15 min SQS delay + a 6 min visibility timeout). */
const LOST_AFTER_MS = 25 * 60_000;

export interface ReconcileDeps {
  campaigns: CampaignRepository;
  recipients: RecipientRepository;
  queues: FanoutQueue;
  now: () => Date;
  /**
   * Re-queue at once when records are still `pending` after the fan-out reached the end (the
   * watch asks for this: nothing else would queue them); otherwise only after LOST_AFTER_MS.
   */
  requeuePending?: boolean;
  /** Checked between pages: true stops the count (outcome `stopped`, nothing written). */
  shouldStop?: () => boolean;
}

export interface ReconcileResult {
  outcome: 'completed' | 'requeued' | 'counted' | 'refused' | 'stopped';
  /** The counters disagreed with the records and were set from them. */
  repaired: boolean;
}

/**
 * Invariant 3 (campaign.ts): the recipient records are the truth and the counters a view of them.
 * This is the only code that moves a campaign to `completed`, and only when the records it has
 * just counted say every recipient is terminal. It also sets the counters from the records when
 * they disagree (a sender dying between a record and its counter, an upload dying before counting
 * its rows) and says so, for the metric and the alarm. Run by the fan-out's watch when the counters
 * say a campaign is done, and by the tick on every quiet campaign that is not finished.
 *
 * A sending campaign with recipients still waiting and nothing moving for longer than any queue
 * message could take lost its queue messages: a new fan-out generation queues them again (the
 * sender's claims make a duplicate harmless). A cancelled campaign whose sweep left someone
 * waiting is swept again.
 */
export async function reconcileCampaign(
  campaign: CampaignSummary,
  deps: ReconcileDeps,
): Promise<ReconcileResult> {
  const counted = await countStatuses(campaign.id, deps.recipients, deps.shouldStop);
  if (!counted) return { outcome: 'stopped', repaired: false };
  const { counts, claimedFromQueued } = counted;
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
  const repaired = !COUNTER_NAMES.every((name) => campaign.totals[name] === totals[name]);
  // A sending campaign is written only when it differs: an unchanged one keeps its updatedAt, which
  // is what tells "quiet for 25 minutes" below. Any other is marked reconciled, so the tick leaves
  // it alone until it changes again.
  // It is still marked as looked at (reconciledAt alone), so the tick backs off (campaign-tick.ts).
  const unchanged = !repaired && campaign.status === 'sending';
  if (unchanged) await deps.campaigns.markReconciled(campaign.id, campaign.updatedAt, now);
  const updated = unchanged
    ? campaign
    : await deps.campaigns.recount(campaign.id, campaign.status, totals, campaign.uploadFenceUntil, now);
  // Refused: it changed status, or an upload registered meanwhile (a count taken while rows were
  // written is never stored). The next look counts again.
  if (!updated) return { outcome: 'refused', repaired: false };

  const waiting = (counts.pending ?? 0) + (counts.queued ?? 0);
  const unfinished = waiting + (counts.sending ?? 0);
  if (updated.status === 'sending' && updated.fanoutDone && unfinished === 0) {
    const completed = await deps.campaigns.transition(
      campaign.id,
      ['sending'],
      'completed',
      { completedAt: now.toISOString() },
      now,
    );
    if (completed) return { outcome: 'completed', repaired };
  }

  const quiet = now.getTime() - Date.parse(campaign.updatedAt) > LOST_AFTER_MS;
  const lost =
    updated.status === 'sending' &&
    updated.fanoutDone &&
    !campaign.waitingForQuotaSince &&
    ((deps.requeuePending && (counts.pending ?? 0) > 0) || (waiting > 0 && quiet));
  const unswept = updated.status === 'cancelled' && updated.fanoutDone && waiting > 0;
  if (lost || unswept) {
    const generation = updated.fanoutGeneration + 1;
    const restarted = await deps.campaigns.transition(
      campaign.id,
      [updated.status],
      updated.status,
      {
        fanoutGeneration: generation,
        fanoutCursor: undefined,
        fanoutDone: false,
        fanoutUpdatedAt: now.toISOString(),
      },
      now,
    );
    if (restarted) {
      await deps.queues.fanout(
        { kind: unswept ? 'cancel' : 'fanout', campaignId: campaign.id, generation },
        0,
      );
      return { outcome: 'requeued', repaired };
    }
  }
  return { outcome: 'counted', repaired };
}

async function countStatuses(
  campaignId: string,
  recipients: RecipientRepository,
  shouldStop: () => boolean = () => false,
) {
  const counts: Partial<Record<RecipientStatus, number>> = {};
  let claimedFromQueued = 0;
  let cursor: string | undefined;
  do {
    if (shouldStop()) return undefined;
    const page = await recipients.page(campaignId, PAGE, cursor);
    for (const r of page.items) {
      counts[r.status] = (counts[r.status] ?? 0) + 1;
      if (r.status === 'sending' && r.claimedFrom === 'queued') claimedFromQueued++;
    }
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return { counts, claimedFromQueued };
}
