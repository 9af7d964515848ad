import { z } from 'zod';
import {
  type Mailer,
  type OutgoingMail,
  type Requeue,
  type SendSlot,
  STALE_CLAIM_MS,
  settle,
} from '../emails/delivery';
import type { Failure } from '../emails/message';
import { type BulkContentDeps, renderForRecipient } from './bulk-content';
import type { Campaign, CampaignRecipient, RecipientStatus } from './campaign';
import type { CampaignRepository, RecipientRepository, TotalsDelta } from './ports';

export const bulkMessageSchema = z.strictObject({
  campaignId: z.string().min(1).max(100),
  email: z.string().min(3).max(254),
});

/** While the daily quota is used up, bulk mail waits on the queue this long between looks. */
export const QUOTA_WAIT_SECONDS = 300;

export type BulkOutcome =
  | 'sent'
  | 'failed'
  | 'requeued'
  | 'duplicate'
  | 'orphan'
  | 'stale_claim_failed'
  | 'released'
  | 'cancelled'
  | 'waiting_for_quota';

export interface BulkDeliveryDeps {
  /** The campaign as of at most a few seconds ago: pause and cancel take effect within that. */
  campaign: (id: string) => Promise<Campaign | undefined>;
  campaigns: CampaignRepository;
  recipients: RecipientRepository;
  mailer: Mailer;
  requeue: Requeue;
  content: BulkContentDeps;
  /** True while the reputation guard holds all bulk mail (`fresh`: not from a cache). */
  bulkPaused: (options?: { fresh: boolean }) => Promise<boolean>;
  /** True while the 24-hour quota has no room left for bulk mail. */
  quotaExhausted: () => Promise<boolean>;
  now: () => Date;
  slot: SendSlot;
}

/**
 * Sends one campaign recipient their mail, once, if the campaign is still sending. A paused
 * campaign's recipient goes back to pending (resume queues them again); a cancelled one's is marked
 * cancelled; every move of a recipient is conditional and counted exactly once on the campaign.
 */
export async function deliverBulk(body: string, deps: BulkDeliveryDeps): Promise<BulkOutcome> {
  const { campaignId, email } = bulkMessageSchema.parse(JSON.parse(body));
  let campaign = await deps.campaign(campaignId);
  if (!campaign) return 'orphan';
  const move = (from: RecipientStatus[], to: RecipientStatus, changes: Partial<CampaignRecipient> = {}) =>
    deps.recipients.transition(campaignId, email, from, to, {
      updatedAt: deps.now().toISOString(),
      ...changes,
    });
  // The counters are a view; the campaign completes when the fan-out's watch (or the tick) has
  // counted the records (campaign-reconcile.ts), never on these counters alone.
  const count = async (delta: TotalsDelta) => {
    await deps.campaigns.addToTotals(campaignId, delta, deps.now());
  };

  const statusOf = async (current: Campaign, fresh: boolean) =>
    current.status === 'sending' && (await deps.bulkPaused({ fresh })) ? 'paused' : current.status;
  let status = await statusOf(campaign, false);
  if (status === 'paused' || status === 'scheduled' || status === 'draft') {
    // Only an uncached look may release a recipient. A cached "paused" can predate a resume whose
    // fan-out has already queued this recipient again; releasing on it would leave the recipient
    // pending with nothing on the queue (the pause-and-resume test caught this under load).
    const current = await deps.campaigns.get(campaignId);
    if (!current) return 'orphan';
    campaign = current;
    status = await statusOf(current, true);
  }
  switch (status) {
    case 'paused':
    case 'scheduled':
    case 'draft': {
      const moved = await move(['queued'], 'pending');
      if (moved) await count({ queued: -1 });
      return 'released';
    }
    case 'cancelled': {
      const moved = await move(['pending', 'queued'], 'cancelled');
      if (moved) await count({ cancelled: 1, queued: moved.previous.status === 'queued' ? -1 : 0 });
      return 'cancelled';
    }
    case 'completed':
      return 'duplicate';
    case 'sending':
      break;
  }

  if (await deps.quotaExhausted()) {
    if (!campaign.waitingForQuotaSince) await deps.campaigns.setWaitingForQuota(campaignId, deps.now());
    await deps.requeue.requeue(body, QUOTA_WAIT_SECONDS);
    return 'waiting_for_quota';
  }
  if (campaign.waitingForQuotaSince) await deps.campaigns.setWaitingForQuota(campaignId, undefined);

  // The claim records the status it leaves (queued, or pending when the fan-out had not marked it
  // yet), so a claim abandoned by a crash can still be counted right. Queued is the usual case: one write.
  const claimedAt = deps.now().toISOString();
  const claim =
    (await move(['queued'], 'sending', { claimedAt, claimedFrom: 'queued' })) ??
    (await move(['pending'], 'sending', { claimedAt, claimedFrom: 'pending' }));
  if (!claim) return handleUnclaimed(campaignId, email, deps, count);
  const previous = claim.previous;
  const wasQueued = previous.status === 'queued' ? -1 : 0;

  let mail: OutgoingMail;
  try {
    mail = outgoing(campaign, previous, deps.content);
  } catch (error) {
    const failure: Failure = {
      code: 'Unrenderable',
      message: error instanceof Error ? error.message : String(error),
    };
    await move(['sending'], 'failed', { failure });
    await count({ failed: 1, queued: wasQueued });
    return 'failed';
  }

  await deps.slot.untilSlot();
  return settle(await deps.mailer.send(mail), {
    sent: async (sesMessageId) => {
      await move(['sending'], 'sent', { sesMessageId });
      await count({ sent: 1, queued: wasQueued });
    },
    failed: async (failure) => {
      await move(['sending'], 'failed', { failure });
      await count({ failed: 1, queued: wasQueued });
    },
    // Back to where it was: its queue message is about to be put back.
    release: async () => {
      await move(['sending'], previous.status);
    },
    requeue: (delaySeconds) => deps.requeue.requeue(body, delaySeconds),
    onThrottle: deps.slot.onThrottle,
    // A recipient record keeps no count of sends tried: a throttled bulk mail waits 1–2 s each time.
    attempts: 1,
    firstThrottleAtOnce: false,
  });
}

async function handleUnclaimed(
  campaignId: string,
  email: string,
  deps: BulkDeliveryDeps,
  count: (delta: TotalsDelta) => Promise<void>,
): Promise<BulkOutcome> {
  const current = await deps.recipients.get(campaignId, email);
  if (!current) return 'orphan';
  if (current.status === 'sending' && current.claimedAt) {
    const age = deps.now().getTime() - Date.parse(current.claimedAt);
    if (age > STALE_CLAIM_MS) {
      const failure: Failure = {
        code: 'OutcomeUnknown',
        message:
          'The sender stopped after claiming this recipient; SES may or may not have sent the mail, so it is not retried',
      };
      const moved = await deps.recipients.transition(campaignId, email, ['sending'], 'failed', {
        failure,
        updatedAt: deps.now().toISOString(),
      });
      if (moved) await count({ failed: 1, queued: moved.previous.claimedFrom === 'queued' ? -1 : 0 });
      return 'stale_claim_failed';
    }
  }
  return 'duplicate';
}

function outgoing(campaign: Campaign, recipient: CampaignRecipient, content: BulkContentDeps): OutgoingMail {
  const rendered = renderForRecipient(campaign, recipient, content);
  return {
    stream: 'bulk',
    from: campaign.from,
    to: [recipient.address],
    cc: [],
    bcc: [],
    replyTo: campaign.replyTo,
    subject: rendered.subject,
    ...(rendered.html === undefined ? {} : { html: rendered.html }),
    ...(rendered.text === undefined ? {} : { text: rendered.text }),
    headers: rendered.headers,
    tags: [
      { name: 'stream', value: 'bulk' },
      { name: 'campaignId', value: campaign.id },
      ...Object.entries(campaign.tags).map(([name, value]) => ({ name, value })),
    ],
  };
}
