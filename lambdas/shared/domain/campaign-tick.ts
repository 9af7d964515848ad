import type { Campaign, CampaignStatus } from './campaign';
import type { CampaignQueues, CampaignRepository, RecipientRepository } from './campaign-ports';
import { reconcileCampaign } from './campaign-reconcile';

/** How far ahead the tick looks: with a one-minute tick, a start is never late. */
export const LOOKAHEAD_MS = 60_000;
/** A sending campaign whose fan-out has not moved for this long lost its chain (a crash). */
export const STALLED_AFTER_MS = 5 * 60_000;

/** A sending campaign whose counters have not moved for this long gets them recounted. */
export const QUIET_AFTER_MS = 5 * 60_000;

export interface TickDeps {
  campaigns: CampaignRepository;
  recipients: RecipientRepository;
  queues: CampaignQueues;
  now: () => Date;
}

/**
 * Runs once a minute. Scheduled campaigns due within the next minute get their fan-out message,
 * delayed to the second they are due (the fan-out itself moves them to sending); fan-out chains
 * that died (a crash between two links) are restarted in a new generation from the top of the list,
 * which queues only recipients still waiting.
 */
export async function tick(
  deps: TickDeps,
): Promise<{ started: string[]; restarted: string[]; reconciled: string[]; repaired: string[] }> {
  const now = deps.now();
  const started: string[] = [];
  for (const campaign of await deps.campaigns.dueScheduled(new Date(now.getTime() + LOOKAHEAD_MS))) {
    const marked = await deps.campaigns.transition(
      campaign.id,
      ['scheduled'],
      'scheduled',
      { startQueued: true },
      now,
    );
    if (!marked) continue;
    const delay = Math.max(0, Math.ceil((Date.parse(campaign.scheduledAt ?? '') - now.getTime()) / 1000));
    await deps.queues.fanout(
      { kind: 'fanout', campaignId: campaign.id, generation: campaign.fanoutGeneration },
      delay,
    );
    started.push(campaign.id);
  }

  const restarted: string[] = [];
  for (const campaign of await deps.campaigns.stalledFanouts(new Date(now.getTime() - STALLED_AFTER_MS))) {
    const generation = campaign.fanoutGeneration + 1;
    const reset = await deps.campaigns.transition(
      campaign.id,
      [campaign.status],
      campaign.status,
      { fanoutGeneration: generation, fanoutCursor: undefined, fanoutUpdatedAt: now.toISOString() },
      now,
    );
    if (!reset) continue;
    const kind = campaign.status === 'cancelled' ? 'cancel' : 'fanout';
    await deps.queues.fanout({ kind, campaignId: campaign.id, generation }, 0);
    restarted.push(campaign.id);
  }
  // Invariant 3 (campaign.ts): every campaign that is not finished is recounted from its records
  // once it has gone quiet, so counters that drifted are repaired (and reported) wherever it is.
  // A sending one that has fanned out is recounted on every tick while quiet (that is how lost queue
  // messages are found); any other once per change (reconciledAt).
  const reconciled: string[] = [];
  const repaired: string[] = [];
  const quietBefore = now.getTime() - QUIET_AFTER_MS;
  const candidates = [];
  for (const status of RECONCILED_STATUSES) candidates.push(...(await deps.campaigns.inStatus(status)));
  for (const campaign of candidates) {
    if (Date.parse(campaign.updatedAt) >= quietBefore) continue;
    if (campaign.status === 'sending' ? !campaign.fanoutDone : alreadyReconciled(campaign)) continue;
    // A cancel sweep still running is the stalled-fan-out check's business.
    if (campaign.status === 'cancelled' && !campaign.fanoutDone) continue;
    const result = await reconcileCampaign(campaign, deps);
    reconciled.push(campaign.id);
    if (result.repaired) repaired.push(campaign.id);
  }
  return { started, restarted, reconciled, repaired };
}

/** Every status in which records can still move or be added; `completed` is final. */
const RECONCILED_STATUSES: readonly CampaignStatus[] = [
  'sending',
  'paused',
  'scheduled',
  'draft',
  'cancelled',
];

function alreadyReconciled(campaign: Campaign): boolean {
  return campaign.reconciledAt !== undefined && campaign.reconciledAt >= campaign.updatedAt;
}
