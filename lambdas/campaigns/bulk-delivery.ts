import * as z from 'zod';
import {
  type ClaimLostOutcome,
  claimLost,
  type SendingDeps,
  type SettledOutcome,
  sendClaimed,
} from '../sending/claim-and-settle';
import { type OutgoingMail, outgoingMail } from '../sending/outgoing-mail';
import type { Failure } from '../sending/ports';
import { type BulkContentDeps, renderForRecipient } from './bulk-content';
import type { CampaignRecipient, RecipientStatus, SendableCampaign } from './campaign';
import type { CampaignRepository, RecipientRepository, TotalsDelta } from './ports';

const bulkMessageSchema = z.strictObject({
  campaignId: z.string().min(1).max(100),
  email: z.string().min(3).max(254),
});

/** While the daily quota is used up, bulk mail waits on the queue this long between looks. */
const QUOTA_WAIT_SECONDS = 300;
/**
 * Claims tried while the record says it is still to be sent. A recipient moves from pending to
 * queued once per fan-out pass, so the second try wins unless something else is wrong.
 */
const CLAIM_TRIES = 3;

export type BulkOutcome = SettledOutcome | ClaimLostOutcome | 'released' | 'cancelled' | 'waiting_for_quota';

export interface BulkDeliveryDeps extends SendingDeps {
  /** The campaign as of at most a few seconds ago: pause and cancel take effect within that. */
  campaign: (id: string) => Promise<SendableCampaign | undefined>;
  /** `addToTotals` may only buffer the count (the sender writes a batch's counts at once: counter-buffer.ts). */
  campaigns: Pick<CampaignRepository, 'get' | 'setWaitingForQuota'> & {
    addToTotals(id: string, delta: TotalsDelta, now: Date): Promise<unknown>;
  };
  recipients: RecipientRepository;
  content: BulkContentDeps;
  /** True while the reputation guard holds all bulk mail (`fresh`: not from a cache). */
  bulkPaused: (options?: { fresh: boolean }) => Promise<boolean>;
  /** True while the 24-hour quota has no room left for bulk mail. */
  quotaExhausted: () => Promise<boolean>;
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

  const statusOf = async (current: SendableCampaign, fresh: boolean) =>
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
  const claimOnce = async () =>
    (await move(['queued'], 'sending', { claimedAt, claimedFrom: 'queued' })) ??
    (await move(['pending'], 'sending', { claimedAt, claimedFrom: 'pending' }));
  let claim = await claimOnce();
  let current: CampaignRecipient | undefined;
  for (let tries = 1; !claim; tries++) {
    current = await deps.recipients.get(campaignId, email);
    // Lost only to a claim or an end. Still pending or queued means a write landed between the two
    // above (the fan-out marks a recipient queued after putting it on this queue, so its write
    // races the first claim of a quick sender): taking that for a duplicate deleted the only queue
    // message of a queued recipient, who then waited for the reconcile's 25 minutes.
    if (current?.status !== 'pending' && current?.status !== 'queued') break;
    if (tries >= CLAIM_TRIES) {
      // SQS delivers the record again (a batch item failure): nothing is lost, nothing sent twice.
      throw new Error(`the claim on ${email} kept losing to moves between pending and queued`);
    }
    claim = await claimOnce();
  }
  if (!claim) {
    return claimLost(current, 'recipient', deps.now(), async (failure) => {
      const moved = await move(['sending'], 'failed', { failure });
      if (moved) await count({ failed: 1, queued: moved.previous.claimedFrom === 'queued' ? -1 : 0 });
    });
  }
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

  return sendClaimed(mail, body, deps, {
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
    // A recipient record keeps no count of sends tried: a throttled bulk mail waits 1–2 s each time.
    attempts: 1,
    firstThrottleAtOnce: false,
  });
}

function outgoing(
  campaign: SendableCampaign,
  recipient: CampaignRecipient,
  content: BulkContentDeps,
): OutgoingMail {
  const rendered = renderForRecipient(campaign, recipient, content);
  return outgoingMail(
    'bulk',
    {
      from: campaign.from,
      to: [recipient.address],
      cc: [],
      bcc: [],
      replyTo: campaign.replyTo,
      subject: rendered.subject,
      ...(rendered.html === undefined ? {} : { html: rendered.html }),
      ...(rendered.text === undefined ? {} : { text: rendered.text }),
      headers: rendered.headers,
    },
    { name: 'campaignId', value: campaign.id },
    campaign.tags,
  );
}
