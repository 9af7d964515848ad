import type * as z from 'zod';
import { CAMPAIGN_SUMMARY_ATTRIBUTES } from '../../contract/tables';
import type { MessageEvent } from '../emails/message';
import { EVENT_COUNTER_NAMES, type EventCounter } from '../feedback/ports';
import type { MessageHeader } from '../sending/outgoing-mail';
import type { TemplateContent } from '../templates/template-rules';
import type { campaignRecipientSchema } from './campaign-response';

/**
 * A campaign's life: draft → (scheduled →) sending ⇄ paused → completed, or cancelled from any
 * state before completion. `pausedBy` says who paused it (an operator, or the reputation guard).
 */
export type CampaignStatus = 'draft' | 'scheduled' | 'sending' | 'paused' | 'completed' | 'cancelled';

export type RecipientStatus =
  | 'pending'
  | 'queued'
  | 'sending'
  | 'sent'
  | 'failed'
  | 'suppressed'
  | 'cancelled';

/** Counters on the campaign item; `queued` is what is on the bulk queue right now. */
export interface CampaignTotals {
  recipients: number;
  queued: number;
  sent: number;
  failed: number;
  suppressed: number;
  cancelled: number;
}

export const COUNTER_NAMES = ['recipients', 'queued', 'sent', 'failed', 'suppressed', 'cancelled'] as const;

export interface Campaign {
  id: string;
  name: string;
  status: CampaignStatus;
  from: string;
  replyTo: string[];
  /**
   * Inline content, or the template's content copied at creation (or at an edit), so later edits
   * of the template cannot change the campaign. Changed only by an edit, only before it starts.
   */
  content: TemplateContent;
  /**
   * Which edit of the content this is, an id of its own (absent: the content it was created with). Every row of the
   * campaign was checked against this revision's content (invariant 5): an upload registers only
   * if the content it checked its rows against is still the campaign's, and an edit is written only
   * if no upload is registered and the revision it checked the rows against is still current.
   */
  contentRevision?: string;
  template?: string;
  tags: Record<string, string>;
  createdAt: string;
  updatedAt: string;
  scheduledAt?: string;
  startedAt?: string;
  completedAt?: string;
  pausedAt?: string;
  pausedBy?: string;
  cancelledAt?: string;
  /** Set while the daily sending quota holds the campaign back. */
  waitingForQuotaSince?: string;
  /** Bumped on every (re)start, so a fan-out chain from before a pause stops by itself. */
  fanoutGeneration: number;
  /** Where the fan-out chain is in the recipient list (an opaque page cursor). */
  fanoutCursor?: string;
  fanoutUpdatedAt?: string;
  fanoutDone: boolean;
  /** A scheduled start already has its delayed fan-out message on the queue. */
  startQueued?: boolean;
  /**
   * Uploads registered and not yet released, each `"<uploadId>|<lease end, ISO>"` (see the upload
   * fence below). DynamoDB drops the attribute when the last one is released.
   */
  openUploads?: Set<string>;
  /**
   * How many uploads ever registered (only ever grows): an edit is written only if none registered
   * since it read the campaign (invariant 5), even one that has finished since.
   */
  uploadRegistrations?: number;
  /** The latest lease end of a registered upload: the fence holds until then while any is open. */
  uploadFenceUntil?: string;
  /** A send the fence refused: no new upload registers for a lease's length after it (uploadsClosed). */
  startRequestedAt?: string;
  /** When the campaign was last recounted from its records (by the tick or the fan-out's watch). */
  reconciledAt?: string;
  /** When the tick last cut a recount of it short (out of time): it goes to the back of the line. */
  recountTriedAt?: string;
  totals: CampaignTotals;
  /** What SES reported back: delivered, bounced, complained, opens and clicks (total and unique)… */
  events: Record<EventCounter, number>;
}

/** What the sender reads of a campaign: everything but the counters, which it only adds to. */
export type SendableCampaign = Omit<Campaign, 'totals' | 'events'>;

/**
 * A campaign whose counters have not moved for this long is quiet: the tick recounts it from its
 * records (tick.ts). The store moves `updatedAt` with counts at least this often (campaign-store.ts).
 */
export const QUIET_AFTER_MS = 5 * 60_000;

/**
 * What the tick and the reconcile read of a campaign: no content, name or event counters, so the
 * tick's queries stay small however large the campaigns' HTML is. Exactly what the campaigns index
 * projects (contract/tables.ts), so every query of that index can be answered from it.
 */
export const SUMMARY_FIELDS = CAMPAIGN_SUMMARY_ATTRIBUTES satisfies readonly (keyof Campaign)[];

export type CampaignSummary = Pick<Campaign, (typeof SUMMARY_FIELDS)[number]>;

export interface CampaignRecipient {
  campaignId: string;
  /** Normalized (lower-case) address: the key, so the same person is added once. */
  email: string;
  /** The address as given (display name dropped), used to send. */
  address: string;
  data: Record<string, unknown>;
  status: RecipientStatus;
  updatedAt: string;
  sesMessageId?: string;
  failure?: { code: string; message: string };
  claimedAt?: string;
  /** Set on a claim taken from `queued`: the queued counter must drop when the claim ends. */
  claimedFrom?: RecipientStatus;
  /** SES's events about this recipient, each once, in the order they arrived. */
  history?: MessageEvent[];
  /** The List-Unsubscribe headers as SES reported them on its events (`mail.headers`). */
  headers?: MessageHeader[];
  /** The upload that wrote (or adopted) the record: a retry adopts rows of an upload that died. */
  uploadId?: string;
}

/**
 * Campaign integrity (DESIGN.md, README "Guarantees"): where each invariant is enforced.
 * 1. Every recipient record that exists when a campaign starts is mailed exactly once or ends
 *    terminal with a reason: the fan-out reads the records page by page from the top on every
 *    (re)start (fanout.ts), the sender's conditional claim lets one send through
 *    (bulk-delivery.ts), the cancel sweep marks the rest cancelled and does not finish while an
 *    upload holds the fence (fanout.ts, sweepCancelled).
 * 2. An upload fully succeeds or leaves nothing a campaign can lose, and a retry completes it:
 *    addRecipients (manage-campaigns.ts) checks every row before writing (recipient-import.ts), so
 *    no write can fail on the data; rows are written under a registered upload and counted when it
 *    is released; a retry adopts (and counts) rows a dead upload wrote and never counted
 *    (RecipientRepository.addNew), and whatever is still uncounted is counted from the records at
 *    completion and by the tick.
 * 3. `completed` only when the records say every recipient is terminal: reconcileCampaign
 *    (campaign-reconcile.ts) is the only code that completes a campaign, and it counts the records
 *    first; the counters are a view it repairs (with a metric) when they disagree.
 * 4. Once a campaign cannot take recipients (anything but draft and scheduled: RECIPIENTS_OPEN),
 *    an upload is a 409 with no window: an upload registers on the campaign item with a write
 *    conditional on the status, and no move into `sending` happens while a registered upload's
 *    lease runs (the upload fence, CampaignRepository.transition). Uploads stop writing
 *    UPLOAD_WRITE_MS after registering, well inside their lease, so every row of an upload exists
 *    before the fan-out that could miss it starts.
 * 5. Every row of a campaign renders with its content (a row that does not is refused at upload,
 *    with its reason): an upload checks its rows against the content of one revision and registers
 *    only if that revision is still the campaign's (CampaignRepository.registerUpload); an edit of
 *    the content (updateCampaign, manage-campaigns.ts) checks every row already stored against the
 *    new content first, and is written only if no upload is registered and the revision has not
 *    moved (CampaignRepository.edit): no row can arrive between its check and its write.
 */
export const RECIPIENTS_OPEN: readonly CampaignStatus[] = ['draft', 'scheduled'];
/** How long a registered upload holds the fence, unless released earlier (the API times out at 10 s). */
export const UPLOAD_LEASE_MS = 30_000;
/** An upload writes no row later than this after registering: its rows all land inside its lease. */
export const UPLOAD_WRITE_MS = 20_000;

export function uploadEntry(uploadId: string, leaseEnd: Date): string {
  return `${uploadId}|${leaseEnd.toISOString()}`;
}

/** An entry of `openUploads`, read back. */
export function parseUploadEntry(entry: string): { uploadId: string; leaseEnd: number } {
  const bar = entry.lastIndexOf('|');
  return { uploadId: entry.slice(0, bar), leaseEnd: Date.parse(entry.slice(bar + 1)) };
}

/**
 * The upload fence: true while an upload may still be writing rows. The DynamoDB adapter states the
 * same rule as a condition expression (campaign-store.ts, FENCE_CLEAR).
 */
export function uploadHoldsFence(campaign: Campaign, now: Date): boolean {
  if (!campaign.openUploads || campaign.openUploads.size === 0) return false;
  return Date.parse(campaign.uploadFenceUntil ?? '') >= now.getTime();
}

/**
 * Why no new upload may register now, though the campaign is still open (issue 11 review, N2): back
 * to back uploads would otherwise hold a due start back indefinitely, each new lease extending the
 * fence. Closed within a lease's length of a scheduled start, and for a lease's length after a send
 * the fence refused (until it starts). The DynamoDB adapter states the same rule as a condition.
 */
export function uploadsClosed(campaign: Campaign, now: Date): string | undefined {
  const horizon = now.getTime() + UPLOAD_LEASE_MS;
  if (campaign.status === 'scheduled' && Date.parse(campaign.scheduledAt ?? '') <= horizon) {
    return `it starts at ${campaign.scheduledAt}; recipients can no longer be added within ${UPLOAD_LEASE_MS / 1000} s of a scheduled start (reschedule it to add more)`;
  }
  if (
    campaign.startRequestedAt !== undefined &&
    Date.parse(campaign.startRequestedAt) >= now.getTime() - UPLOAD_LEASE_MS
  ) {
    return `a send is waiting for the uploads in progress to finish; no new upload is taken until it has started (send it again), or for ${UPLOAD_LEASE_MS / 1000} s`;
  }
  return undefined;
}

const ALLOWED: Record<string, CampaignStatus[]> = {
  send: ['draft'],
  schedule: ['draft', 'scheduled'],
  pause: ['sending', 'scheduled'],
  resume: ['paused'],
  cancel: ['draft', 'scheduled', 'sending', 'paused'],
  addRecipients: [...RECIPIENTS_OPEN],
  edit: [...RECIPIENTS_OPEN],
};

export type CampaignAction = keyof typeof ALLOWED;

/** Why `action` is not allowed in `status`, or undefined when it is. */
export function transitionProblem(action: CampaignAction, status: CampaignStatus): string | undefined {
  const allowed = ALLOWED[action] ?? [];
  if (allowed.includes(status)) return undefined;
  const verb = action === 'addRecipients' ? 'add recipients to' : action;
  return `cannot ${verb} a campaign that is ${status} (allowed when ${allowed.join(' or ')})`;
}

export function emptyTotals(): CampaignTotals {
  return { recipients: 0, queued: 0, sent: 0, failed: 0, suppressed: 0, cancelled: 0 };
}

export function emptyEventTotals(): Record<EventCounter, number> {
  return Object.fromEntries(EVENT_COUNTER_NAMES.map((name) => [name, 0])) as Record<EventCounter, number>;
}

/** Recipients with a final state. */
export function settled(totals: CampaignTotals): number {
  return totals.sent + totals.failed + totals.suppressed + totals.cancelled;
}

/** What `GET /v1/campaigns/{id}` shows beyond the stored fields. */
export function campaignProgress(campaign: Campaign, currentRate: number) {
  const done = settled(campaign.totals);
  const remaining = Math.max(0, campaign.totals.recipients - done);
  const sending = campaign.status === 'sending';
  return {
    progress: campaign.totals.recipients === 0 ? 0 : done / campaign.totals.recipients,
    currentRate: sending ? currentRate : 0,
    etaSeconds: sending && currentRate > 0 ? Math.ceil(remaining / currentRate) : null,
    waitingForQuota: campaign.waitingForQuotaSince !== undefined,
  };
}

/** What `GET /v1/campaigns/{id}/recipients/{email}` shows: state, reason and what SES reported. */
export function recipientView(recipient: CampaignRecipient): z.output<typeof campaignRecipientSchema> {
  return {
    campaignId: recipient.campaignId,
    email: recipient.email,
    address: recipient.address,
    status: recipient.status,
    updatedAt: recipient.updatedAt,
    sesMessageId: recipient.sesMessageId ?? null,
    reason: reasonFor(recipient),
    failure: recipient.failure ?? null,
    events: recipient.history ?? [],
    headers: recipient.headers ?? [],
  };
}

function reasonFor(recipient: CampaignRecipient): string | null {
  switch (recipient.status) {
    case 'failed':
      return recipient.failure ? `${recipient.failure.code}: ${recipient.failure.message}` : 'failed';
    case 'suppressed':
      return 'the address was on the suppression list when its turn came';
    case 'cancelled':
      return 'the campaign was cancelled before this recipient was sent';
    default:
      return null;
  }
}
