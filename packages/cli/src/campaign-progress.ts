import type { CampaignWithProgress } from '@mailroom/client';
import { bar, count, duration, type ProgressLine } from './output';

/** Statuses after which nothing changes any more (the API's campaign lifecycle). */
const FINAL: ReadonlySet<string> = new Set(['completed', 'cancelled']);

/** Recipients that reached a final state: sent, failed, suppressed or cancelled. */
export function settled(campaign: CampaignWithProgress): number {
  const { sent, failed, suppressed, cancelled } = campaign.totals;
  return sent + failed + suppressed + cancelled;
}

/** One line: `sending ███░░ 2,345/5,000 47%  120/s  ETA 0:22  delivered 2,100  bounced 3 …`. */
export function progressLine(campaign: CampaignWithProgress): string {
  const total = campaign.totals.recipients;
  const events = campaign.events;
  const parts = [
    `${campaign.status.padEnd(9)} ${bar(campaign.progress)} ${count(settled(campaign))}/${count(total)} ${Math.floor(campaign.progress * 100)}%`,
    `${campaign.currentRate.toFixed(campaign.currentRate < 10 ? 1 : 0)}/s`,
    `ETA ${campaign.etaSeconds === null ? '-' : duration(campaign.etaSeconds)}`,
    `delivered ${count(events?.delivered ?? 0)}`,
    `bounced ${count(events?.bounced ?? 0)}`,
    `complained ${count(events?.complained ?? 0)}`,
    `opens ${count(events?.opens ?? 0)}`,
    `clicks ${count(events?.clicks ?? 0)}`,
  ];
  if (campaign.totals.failed > 0) parts.push(`failed ${count(campaign.totals.failed)}`);
  if (campaign.totals.suppressed > 0) parts.push(`suppressed ${count(campaign.totals.suppressed)}`);
  if (campaign.waitingForQuota) parts.push('waiting for the 24-hour quota');
  if (campaign.status === 'paused' && campaign.pausedBy) parts.push(`paused by ${campaign.pausedBy}`);
  return parts.join('  ');
}

/** A campaign's status for people, several lines. */
export function describeCampaign(campaign: CampaignWithProgress): string[] {
  const { totals } = campaign;
  const lines = [
    `${campaign.id}  ${campaign.name}`,
    `  status      ${campaign.status}${campaign.scheduledAt && campaign.status === 'scheduled' ? ` (starts ${campaign.scheduledAt})` : ''}`,
    `  progress    ${progressLine(campaign)}`,
    `  recipients  ${count(totals.recipients)}: sent ${count(totals.sent)}, queued ${count(totals.queued)}, failed ${count(totals.failed)}, suppressed ${count(totals.suppressed)}, cancelled ${count(totals.cancelled)}`,
  ];
  if (campaign.events) {
    const e = campaign.events;
    lines.push(
      `  events      delivered ${count(e.delivered)}, bounced ${count(e.bounced)}, complained ${count(e.complained)}, rejected ${count(e.rejected)}, opens ${count(e.opens)} (${count(e.uniqueOpens)} unique), clicks ${count(e.clicks)} (${count(e.uniqueClicks)} unique), unsubscribed ${count(e.unsubscribed)}`,
    );
  }
  return lines;
}

export interface WatchOptions {
  /** Reads the campaign (the client's `campaigns.get`). */
  get: () => Promise<CampaignWithProgress>;
  intervalMs: number;
  /** Redrawn on every read (a terminal). */
  line: ProgressLine;
  /** For output that is not a terminal: a line now and then, when something changed. */
  log?: (line: string) => void;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Reads a campaign until it is completed or cancelled (a draft has nothing to wait for: returned
 * as it is), drawing its progress on the way. A paused campaign is waited for: it may be resumed.
 */
export async function watchCampaign(options: WatchOptions): Promise<CampaignWithProgress> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((done) => setTimeout(done, ms)));
  let logged = '';
  let loggedAt = 0;
  for (;;) {
    const campaign = await options.get();
    const text = progressLine(campaign);
    options.line.update(text, true);
    const final = FINAL.has(campaign.status) || campaign.status === 'draft';
    // Without a terminal: a line when the status changes, else at most every 10 s.
    const key = `${campaign.status} ${settled(campaign)}`;
    if (
      options.log &&
      key !== logged &&
      (final || !logged.startsWith(campaign.status) || Date.now() - loggedAt >= 10_000)
    ) {
      options.log(text);
      logged = key;
      loggedAt = Date.now();
    }
    if (final) {
      options.line.done();
      return campaign;
    }
    await sleep(options.intervalMs);
  }
}
