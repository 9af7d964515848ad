import { FUNCTIONS } from '../../contract/functions';
import { type CampaignStatus, type CampaignSummary, QUIET_AFTER_MS } from './campaign';
import type { CampaignRepository, FanoutQueue, RecipientRepository } from './ports';
import { reconcileCampaign } from './reconcile';

/** How far ahead the tick looks: with a one-minute tick, a start is never late. */
const LOOKAHEAD_MS = 60_000;
/** A sending campaign whose fan-out has not moved for this long lost its chain (a crash). */
const STALLED_AFTER_MS = 5 * 60_000;

export interface TickDeps {
  campaigns: CampaignRepository;
  recipients: RecipientRepository;
  queues: FanoutQueue;
  now: () => Date;
  /** Milliseconds left before the function's timeout (Lambda's getRemainingTimeInMillis). */
  remainingMs?: () => number;
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
  // The work is bounded (issue 11 review, B2): the store returns only quiet candidates, and only
  // the attributes this needs (no content); a candidate is recounted when it changed since its
  // last recount, or (sending, fanned out) when its last recount is RECHECK_AFTER_MS old
  // (QUOTA_RECHECK_AFTER_MS while the daily quota holds it: nothing can move then). The longest
  // unlooked-at go first, and the pass stops while the function still has TICK_RESERVE_MS left: a
  // recount cut short is recorded as tried and goes to the back, so a huge campaign cannot starve
  // the ones after it.
  const reconciled: string[] = [];
  const repaired: string[] = [];
  const quietBefore = new Date(now.getTime() - QUIET_AFTER_MS);
  const candidates = [];
  for (const status of RECONCILED_STATUSES)
    candidates.push(
      ...(await deps.campaigns.recountCandidates(
        status,
        quietBefore,
        new Date(now.getTime() - RECHECK_AFTER_MS),
      )),
    );
  const due = candidates
    .filter((campaign) => recountDue(campaign, now))
    .sort((a, b) => lastLook(a).localeCompare(lastLook(b)) || a.updatedAt.localeCompare(b.updatedAt));
  const remaining = deps.remainingMs ?? defaultBudget(now, deps.now);
  for (const campaign of due) {
    if (remaining() < TICK_RESERVE_MS) break;
    const result = await reconcileCampaign(campaign, {
      ...deps,
      shouldStop: () => remaining() < TICK_RESERVE_MS,
    });
    if (result.outcome === 'stopped') {
      await deps.campaigns.markRecountTried(campaign.id, deps.now());
      break;
    }
    reconciled.push(campaign.id);
    if (result.repaired) repaired.push(campaign.id);
  }
  return { started, restarted, reconciled, repaired };
}

/** A fanned-out sending campaign unchanged since its last recount is recounted again this often. */
const RECHECK_AFTER_MS = 15 * 60_000;
/** …and this often while the daily quota holds it back (nothing is sent or lost meanwhile). */
const QUOTA_RECHECK_AFTER_MS = 60 * 60_000;
/** The tick starts no recount (and cuts one short) with less than this left before its timeout. */
const TICK_RESERVE_MS = 5_000;
/** Without an invocation context (local mode): as if the tick had its timeout (contract/functions.ts). */
const DEFAULT_TICK_MS = FUNCTIONS.scheduler.timeoutSeconds * 1000;

function defaultBudget(start: Date, clock: () => Date): () => number {
  return () => DEFAULT_TICK_MS - (clock().getTime() - start.getTime());
}

function lastLook(campaign: CampaignSummary): string {
  const reconciled = campaign.reconciledAt ?? '';
  const tried = campaign.recountTriedAt ?? '';
  return reconciled > tried ? reconciled : tried;
}

/** Whether a quiet campaign is due a recount now (the store's filter states the same, more loosely). */
function recountDue(campaign: CampaignSummary, now: Date): boolean {
  if (Date.parse(campaign.updatedAt) >= now.getTime() - QUIET_AFTER_MS) return false;
  // A fan-out or cancel sweep still running is the stalled-fan-out check's business.
  if ((campaign.status === 'sending' || campaign.status === 'cancelled') && !campaign.fanoutDone)
    return false;
  const changed = campaign.reconciledAt === undefined || campaign.reconciledAt < campaign.updatedAt;
  if (changed) return true;
  if (campaign.status !== 'sending') return false;
  const backOff = campaign.waitingForQuotaSince ? QUOTA_RECHECK_AFTER_MS : RECHECK_AFTER_MS;
  return Date.parse(lastLook(campaign)) < now.getTime() - backOff;
}

/** Every status in which records can still move or be added; `completed` is final. */
const RECONCILED_STATUSES: readonly CampaignStatus[] = [
  'sending',
  'paused',
  'scheduled',
  'draft',
  'cancelled',
];
