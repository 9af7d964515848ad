import { FakeSes } from '../../bench/support/fake-ses';
import { DynamoCampaignStore } from '../../lambdas/campaigns/adapters/campaign-store';
import { DynamoRecipientStore } from '../../lambdas/campaigns/adapters/recipient-store';
import { type BulkDeliveryDeps, deliverBulk } from '../../lambdas/campaigns/bulk-delivery';
import { reconcileCampaign } from '../../lambdas/campaigns/reconcile';
import { DynamoMessageStore } from '../../lambdas/emails/adapters/message-store';
import { deliver } from '../../lambdas/emails/delivery';
import { sesForSending } from '../../lambdas/platform/clients/ses';
import { SesMailer } from '../../lambdas/sending/adapters/ses-mailer';
import { STALE_CLAIM_MS } from '../../lambdas/sending/claim-and-settle';
import type { Mailer, Requeue } from '../../lambdas/sending/ports';
import { LOCAL_TABLES } from '../../local/resources';
import { aQueuedMessage, aSlotNow } from '../unit/support/factories';
import { RecordingCampaignQueues } from '../unit/support/in-memory-campaigns';
import { startDynamo } from './support/dynamo';
import { Crash } from './support/faults';
import { oneQueuedRecipient } from './support/fixtures';
import { SimClock } from './support/sim';

/**
 * The one case SES cannot make safe: SES may have taken the mail but the record does not say so
 * (a 5xx, a timeout, a sender that died between SES's answer and the write). The policy
 * (README "Guarantees and defaults"): never retried, because a retry could mail the person twice;
 * the message (or recipient) ends failed `OutcomeUnknown`; a claim left by a dead sender is
 * recognised on redelivery once it is older than 5 minutes and failed the same way.
 * These tests pin that policy on the real adapters against dynalite, with virtual time.
 */
let stop: () => Promise<void>;
const faults = { throttle: 0, serverError: 0 };
const ses = new FakeSes({ maxSendRate: Number.POSITIVE_INFINITY, faults });
const mailer = new SesMailer(sesForSending, { transactional: 'transactional', bulk: 'bulk' });
const messages = new DynamoMessageStore(LOCAL_TABLES.messages.name);
const campaigns = new DynamoCampaignStore(LOCAL_TABLES.campaigns.name);
const recipients = new DynamoRecipientStore(LOCAL_TABLES.recipients.name);
const mailedTo = (address: string) => ses.sends.filter((s) => s.mailed && s.to.includes(address)).length;

/** SES takes the mail, then the sender dies before it can record the answer. */
const diesAfterSesAccepted: Mailer = {
  send: async (mail) => {
    await mailer.send(mail);
    throw new Crash();
  },
};

class RecordingRequeue implements Requeue {
  readonly bodies: { body: string; delaySeconds: number }[] = [];
  async requeue(body: string, delaySeconds: number) {
    this.bodies.push({ body, delaySeconds });
  }
}

beforeAll(async () => {
  stop = (await startDynamo()).stop;
  process.env.AWS_ENDPOINT_URL_SESV2 = await ses.start();
}, 60_000);

afterAll(async () => {
  await ses.stop();
  await stop?.();
});

beforeEach(() => {
  faults.throttle = 0;
  faults.serverError = 0;
});

describe('transactional mail whose outcome is unknown', () => {
  const deps = (clock: SimClock, mailerUsed: Mailer = mailer, requeue = new RecordingRequeue()) => ({
    claims: messages,
    mailer: mailerUsed,
    requeue,
    now: clock.date,
    slot: aSlotNow(),
  });

  it('is not sent again when the sender died after SES took it, and fails OutcomeUnknown once the claim is 5 minutes old', async () => {
    const clock = new SimClock();
    const message = aQueuedMessage({ id: 'died-after-ses', to: ['died@example.org'] });
    await messages.create(message);
    const body = JSON.stringify({ messageId: message.id });

    await expect(deliver(body, deps(clock, diesAfterSesAccepted))).rejects.toThrow(Crash);
    expect((await messages.get(message.id))?.status).toBe('sending');

    // A duplicate delivery while the claim is young: nothing is sent.
    await clock.sleep(60_000);
    expect(await deliver(body, deps(clock))).toBe('duplicate');

    // The crashed delivery comes back after the visibility timeout (6 minutes): the claim is stale.
    await clock.sleep(STALE_CLAIM_MS);
    expect(await deliver(body, deps(clock))).toBe('stale_claim_failed');
    const settled = await messages.get(message.id);
    expect(settled?.status).toBe('failed');
    expect(settled?.failure?.code).toBe('OutcomeUnknown');
    expect(mailedTo('died@example.org')).toBe(1);

    // And any later copy changes nothing.
    expect(await deliver(body, deps(clock))).toBe('duplicate');
    expect(mailedTo('died@example.org')).toBe(1);
  });

  it('fails a 5xx answer OutcomeUnknown at once and does not retry it', async () => {
    const clock = new SimClock();
    const message = aQueuedMessage({ id: 'server-error', to: ['five@example.org'] });
    await messages.create(message);
    faults.serverError = 1;
    const requeue = new RecordingRequeue();

    expect(await deliver(JSON.stringify({ messageId: message.id }), deps(clock, mailer, requeue))).toBe(
      'failed',
    );

    const settled = await messages.get(message.id);
    expect(settled?.status).toBe('failed');
    expect(settled?.failure?.code).toBe('OutcomeUnknown');
    expect(requeue.bodies).toEqual([]);
    expect(ses.sends.filter((s) => s.to.includes('five@example.org'))).toHaveLength(1);
  });

  it('treats a 429 as no failure: released, re-queued (at once, the schedule being held), then sent once', async () => {
    const clock = new SimClock();
    const message = aQueuedMessage({ id: 'throttled', to: ['slow@example.org'] });
    await messages.create(message);
    const body = JSON.stringify({ messageId: message.id });
    const requeue = new RecordingRequeue();
    faults.throttle = 1;

    expect(await deliver(body, deps(clock, mailer, requeue))).toBe('requeued');
    expect((await messages.get(message.id))?.status).toBe('queued');
    expect(requeue.bodies).toEqual([{ body, delaySeconds: 0 }]);

    faults.throttle = 0;
    expect(await deliver(body, deps(clock))).toBe('sent');
    expect(mailedTo('slow@example.org')).toBe(1);
  });
});

describe('campaign mail whose outcome is unknown', () => {
  it('fails the recipient OutcomeUnknown after 5 minutes, counts it once and completes the campaign', async () => {
    const clock = new SimClock();
    const { campaign, recipient, body } = await oneQueuedRecipient('c-unknown', campaigns, recipients);
    const deps = (mailerUsed: Mailer): BulkDeliveryDeps => ({
      campaign: (id) => campaigns.get(id),
      campaigns,
      recipients,
      mailer: mailerUsed,
      requeue: new RecordingRequeue(),
      content: { unsubscribeSecret: 's'.repeat(32), publicBaseUrl: 'https://mail.example.test' },
      bulkPaused: async () => false,
      quotaExhausted: async () => false,
      now: clock.date,
      slot: aSlotNow(),
    });

    await expect(deliverBulk(body, deps(diesAfterSesAccepted))).rejects.toThrow(Crash);
    await clock.sleep(60_000);
    expect(await deliverBulk(body, deps(mailer))).toBe('duplicate');
    await clock.sleep(STALE_CLAIM_MS);
    expect(await deliverBulk(body, deps(mailer))).toBe('stale_claim_failed');

    const settled = await recipients.get(campaign.id, recipient.email);
    expect(settled?.status).toBe('failed');
    expect(settled?.failure?.code).toBe('OutcomeUnknown');
    expect(mailedTo(recipient.address)).toBe(1);
    const after = await campaigns.get(campaign.id);
    expect(after?.totals).toMatchObject({ recipients: 1, queued: 0, sent: 0, failed: 1 });
    // The campaign completes when its records say so: the fan-out's watch runs the reconcile (issue 11).
    if (!after) throw new Error('campaign gone');
    const queues = new RecordingCampaignQueues();
    expect(await reconcileCampaign(after, { campaigns, recipients, queues, now: clock.date })).toEqual({
      outcome: 'completed',
      repaired: false,
    });
    expect((await campaigns.get(campaign.id))?.status).toBe('completed');
  });
});
