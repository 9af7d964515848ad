import type { SuppressionList } from '../feedback/ports';
import { GUARD_PAUSED_BY } from '../feedback/reputation-guard';
import { MAX_QUEUE_DELAY_SECONDS } from '../sending/retry';
import { type Campaign, settled, uploadHoldsFence } from './campaign';
import type {
  CampaignQueues,
  CampaignRepository,
  FanoutMessage,
  RecipientRepository,
  TotalsDelta,
} from './ports';
import { reconcileCampaign } from './reconcile';

/** Recipients read per page (one Query). */
const FANOUT_PAGE_SIZE = 100;
/** Recipients one fan-out invocation puts on the bulk queue before handing over to a continuation. */
export const FANOUT_BATCH = 1000;
/** How long a start or a sweep waits, on the queue, for an upload that holds the fence. */
const FENCE_RETRY_SECONDS = 2;
/**
 * After the last page the chain goes on as a watch: links whose cursor starts `~watch:` (page
 * cursors are base64url, never `~`; watchCursor), advanced with the same conditional write, so the watch cannot
 * fork either. A watch link looks at the counters (one read) and, once they say every recipient is
 * settled, has the reconcile count the records and complete the campaign.
 */
const WATCH_PREFIX = '~watch:';
/**
 * A watch that finds the counters short of settled and standing still this long (the watch links
 * carry what they saw: watchCursor) recounts the records anyway. Counts a sender could not write
 * (a failed flush, a function that died before it: counter-buffer.ts) would otherwise hold the
 * completion back until the tick's recount of quiet campaigns (5 minutes and more, tick.ts). A
 * sending campaign's counters move with every batch; standing still this long while mail is free
 * to flow, they are short, not slow (at worst, while transactional mail takes the whole rate, the
 * recount finds nothing to repair). Not while the daily quota or the reputation guard holds bulk
 * mail: nothing moves then by design, and the tick rechecks those.
 */
export const WATCH_RECOUNT_QUIET_MS = 60_000;

export interface FanoutDeps {
  campaigns: CampaignRepository;
  recipients: RecipientRepository;
  suppressions: Pick<SuppressionList, 'suppressedAmong'>;
  queues: CampaignQueues;
  /** The bulk stream's rate in use, to space continuations so the queue holds minutes, not hours. */
  bulkRate: () => Promise<number>;
  /** True while the reputation guard holds bulk mail: a due start is paused instead. */
  bulkPaused: () => Promise<boolean>;
  now: () => Date;
}

export type FanoutOutcome =
  | 'stale'
  | 'not_due'
  | 'continued'
  | 'done'
  | 'swept'
  | 'skipped'
  | 'watching'
  | 'completed'
  | 'requeued'
  /** The records and the counters disagreed and the counters were repaired (ops get an alarm). */
  | 'repaired';

/**
 * One link of the fan-out chain: reads up to FANOUT_BATCH recipients from where the last link
 * stopped, leaves out suppressed ones (in batches), puts the rest on the bulk queue (in batches of
 * ten) and hands over to a continuation message. No invocation runs long whatever the list size.
 *
 * Crash-safety: recipients are queued before they are marked `queued`, so a crash can only queue
 * someone twice (the sender's claim makes that harmless), never lose them; the cursor advances with
 * a conditional write, so a redelivered link cannot fork the chain.
 */
export async function fanOut(message: FanoutMessage, deps: FanoutDeps): Promise<FanoutOutcome> {
  let campaign = await deps.campaigns.get(message.campaignId);
  if (!campaign || campaign.fanoutGeneration !== message.generation) return 'stale';
  if (message.kind === 'cancel') return sweepCancelled(campaign, message, deps);

  if (campaign.status === 'scheduled') {
    const dueIn = Date.parse(campaign.scheduledAt ?? '') - deps.now().getTime();
    if (dueIn > 1000) {
      // Early (the tick looks a minute ahead): wait on the queue for the rest.
      await deps.queues.fanout(message, Math.min(MAX_QUEUE_DELAY_SECONDS, Math.ceil(dueIn / 1000)));
      return 'not_due';
    }
    if (await deps.bulkPaused()) {
      await deps.campaigns.transition(
        campaign.id,
        ['scheduled'],
        'paused',
        { pausedAt: deps.now().toISOString(), pausedBy: GUARD_PAUSED_BY },
        deps.now(),
      );
      return 'skipped';
    }
    const started = await deps.campaigns.transition(
      campaign.id,
      ['scheduled'],
      'sending',
      { startedAt: deps.now().toISOString(), fanoutDone: false, fanoutCursor: undefined },
      deps.now(),
    );
    if (!started) {
      // The upload fence: an upload is being written, and the start waits for it on the queue.
      // (Still scheduled in this generation means the fence refused it, even if the upload has
      // finished since: dropping the message would leave the campaign scheduled for ever.)
      const current = await deps.campaigns.get(campaign.id);
      if (current?.status === 'scheduled' && current.fanoutGeneration === message.generation) {
        await deps.queues.fanout(message, FENCE_RETRY_SECONDS);
        return 'not_due';
      }
      return 'stale';
    }
    campaign = started;
  }
  if (campaign.status !== 'sending' || campaign.fanoutCursor !== message.cursor) return 'skipped';
  if (message.cursor?.startsWith(WATCH_PREFIX)) return watch(campaign, message, deps);

  let cursor = message.cursor;
  let queued = 0;
  do {
    const page = await deps.recipients.page(campaign.id, FANOUT_PAGE_SIZE, cursor);
    // `queued` too: after a pause or a restarted chain, someone may be marked queued with no queue
    // message left; queueing them again is harmless (the sender's claim lets one send through).
    const waiting = page.items.filter((r) => r.status === 'pending' || r.status === 'queued');
    queued += await queuePage(
      campaign.id,
      waiting.map((r) => r.email),
      deps,
    );
    cursor = page.nextCursor;
  } while (cursor !== undefined && queued < FANOUT_BATCH);

  const done = cursor === undefined;
  if (done) {
    const first = watchCursor({ link: 1, settled: settled(campaign.totals), sinceMs: deps.now().getTime() });
    const watching = await watchLater(campaign, message, first, deps);
    return watching ? 'done' : 'stale';
  }
  const advanced = await deps.campaigns.advanceFanout(
    campaign.id,
    message.generation,
    message.cursor,
    { cursor, done },
    deps.now(),
  );
  if (!advanced) return 'stale';
  const rate = Math.max(0.1, await deps.bulkRate());
  // Hand over when about half of what was just queued has gone out: the bulk queue stays short, so a
  // pause or cancel leaves little to put back.
  const delay = Math.min(MAX_QUEUE_DELAY_SECONDS, Math.floor(queued / rate / 2));
  await deps.queues.fanout({ ...message, cursor }, delay);
  return 'continued';
}

async function queuePage(campaignId: string, waiting: string[], deps: FanoutDeps): Promise<number> {
  if (waiting.length === 0) return 0;
  const suppressed = await deps.suppressions.suppressedAmong(waiting, 'bulk');
  const toQueue = waiting.filter((email) => !suppressed.has(email));
  await deps.queues.bulk(toQueue.map((email) => ({ campaignId, email })));

  const delta: TotalsDelta = { queued: 0, suppressed: 0 };
  const now = deps.now().toISOString();
  await Promise.all([
    ...[...suppressed].map(async (email) => {
      const moved = await deps.recipients.transition(campaignId, email, ['pending', 'queued'], 'suppressed', {
        updatedAt: now,
      });
      if (!moved) return;
      delta.suppressed = (delta.suppressed ?? 0) + 1;
      if (moved.previous.status === 'queued') delta.queued = (delta.queued ?? 0) - 1;
    }),
    ...toQueue.map(async (email) => {
      // Lost to the sender already (it claims pending too)? Then it is not counted as queued.
      const moved = await deps.recipients.transition(campaignId, email, ['pending'], 'queued', {
        updatedAt: now,
      });
      if (moved) delta.queued = (delta.queued ?? 0) + 1;
    }),
  ]);
  if (delta.queued || delta.suppressed) await deps.campaigns.addToTotals(campaignId, delta, deps.now());
  return toQueue.length;
}

/** Marks every recipient not yet sent as cancelled, page by page, in continuation messages. */
async function sweepCancelled(
  campaign: Campaign,
  message: FanoutMessage,
  deps: FanoutDeps,
): Promise<FanoutOutcome> {
  if (message.cursor === undefined && uploadHoldsFence(campaign, deps.now())) {
    // An upload registered before the cancel may still be writing rows, possibly behind where a
    // pass would already be: a pass starts only once the fence is down, when no row can come any
    // more, so it sees every row (invariant 1).
    await deps.queues.fanout(message, FENCE_RETRY_SECONDS);
    return 'not_due';
  }
  let cursor = message.cursor;
  let seen = 0;
  const now = deps.now().toISOString();
  do {
    const page = await deps.recipients.page(campaign.id, FANOUT_PAGE_SIZE, cursor);
    const delta: TotalsDelta = { cancelled: 0, queued: 0 };
    await Promise.all(
      page.items
        .filter((r) => r.status === 'pending' || r.status === 'queued')
        .map(async (r) => {
          const moved = await deps.recipients.transition(
            campaign.id,
            r.email,
            ['pending', 'queued'],
            'cancelled',
            { updatedAt: now },
          );
          if (!moved) return;
          delta.cancelled = (delta.cancelled ?? 0) + 1;
          if (moved.previous.status === 'queued') delta.queued = (delta.queued ?? 0) - 1;
        }),
    );
    if (delta.cancelled) await deps.campaigns.addToTotals(campaign.id, delta, deps.now());
    seen += page.items.length;
    cursor = page.nextCursor;
  } while (cursor !== undefined && seen < FANOUT_BATCH);
  await deps.campaigns.transition(
    campaign.id,
    ['cancelled'],
    'cancelled',
    { fanoutCursor: cursor, fanoutDone: cursor === undefined, fanoutUpdatedAt: now },
    deps.now(),
  );
  if (cursor === undefined) return 'swept';
  await deps.queues.fanout({ ...message, cursor }, 0);
  return 'continued';
}

/**
 * A watch link: while the counters say recipients are still unsettled, look again when they should
 * be (at the bulk rate); once they say all are settled, the reconcile counts the records, repairs
 * the counters if they were wrong, queues anyone the records say was missed, and completes the
 * campaign only if every record is terminal (invariant 3).
 */
async function watch(campaign: Campaign, message: FanoutMessage, deps: FanoutDeps): Promise<FanoutOutcome> {
  const seen = parseWatchCursor(message.cursor ?? '');
  const now = deps.now().getTime();
  const settledNow = settled(campaign.totals);
  // The counters moved since the link that last saw them move: the time they stand still starts now.
  const sinceMs = settledNow === seen.settled ? seen.sinceMs : now;
  const later = (since: number) => watchCursor({ link: seen.link + 1, settled: settledNow, sinceMs: since });
  const stuck = now - sinceMs >= WATCH_RECOUNT_QUIET_MS && (await mailFreeToFlow(campaign, deps));
  if (campaign.totals.recipients - settledNow > 0 && !stuck) {
    return (await watchLater(campaign, message, later(sinceMs), deps)) ? 'watching' : 'stale';
  }
  const result = await reconcileCampaign(campaign, { ...deps, requeuePending: true });
  if (result.outcome === 'completed' || result.outcome === 'requeued')
    return result.repaired ? 'repaired' : result.outcome;
  // Counted: a campaign that stays short is recounted once per WATCH_RECOUNT_QUIET_MS, not per link.
  const watching = await watchLater(campaign, message, later(now), deps);
  return result.repaired ? 'repaired' : watching ? 'watching' : 'stale';
}

/** False while the daily quota or the reputation guard holds bulk mail: counters stand still then by design. */
async function mailFreeToFlow(campaign: Campaign, deps: FanoutDeps): Promise<boolean> {
  if (campaign.status !== 'sending' || campaign.waitingForQuotaSince) return false;
  return !(await deps.bulkPaused());
}

/**
 * A watch link's cursor: `~watch:<link>:<settled>:<since>`, the settled count the previous link saw
 * and since when it has stood (epoch ms). The chain carries it, so telling "counters stood still"
 * needs no write and no clock on the campaign item (whose `updatedAt` a count moves at most once
 * a minute per container).
 */
export function watchCursor(watch: { link: number; settled: number; sinceMs: number }): string {
  return `${WATCH_PREFIX}${watch.link}:${watch.settled}:${watch.sinceMs}`;
}

function parseWatchCursor(cursor: string): { link: number; settled: number; sinceMs: number } {
  const [link, settledCount, sinceMs] = cursor.slice(WATCH_PREFIX.length).split(':').map(Number);
  // A link from before this format (`~watch:<n>`) starts the stand-still clock afresh.
  return {
    link: Number.isFinite(link) ? (link as number) : 0,
    settled: Number.isFinite(settledCount) ? (settledCount as number) : -1,
    sinceMs: Number.isFinite(sinceMs) ? (sinceMs as number) : Number.POSITIVE_INFINITY,
  };
}

/** Moves the chain to watch link `cursor` (conditionally, so it cannot fork) and queues it. */
async function watchLater(
  campaign: Campaign,
  message: FanoutMessage,
  cursor: string,
  deps: FanoutDeps,
): Promise<boolean> {
  const advanced = await deps.campaigns.advanceFanout(
    campaign.id,
    message.generation,
    message.cursor,
    { cursor, done: true },
    deps.now(),
  );
  if (!advanced) return false;
  const current = (await deps.campaigns.get(campaign.id)) ?? campaign;
  const unsettled = Math.max(0, current.totals.recipients - settled(current.totals));
  const rate = Math.max(0.1, await deps.bulkRate());
  const delay = Math.min(MAX_QUEUE_DELAY_SECONDS, Math.max(1, Math.ceil(unsettled / rate)));
  await deps.queues.fanout({ ...message, cursor }, delay);
  return true;
}
