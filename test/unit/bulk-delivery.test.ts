import { type BulkDeliveryDeps, deliverBulk } from '../../lambdas/campaigns/bulk-delivery';
import type { Campaign } from '../../lambdas/campaigns/campaign';
import { verifyUnsubscribeToken } from '../../lambdas/feedback/unsubscribe-token';
import { STALE_CLAIM_MS } from '../../lambdas/sending/claim-and-settle';
import type { SendResult } from '../../lambdas/sending/ports';
import { aCampaign, recipientsFor } from './support/campaign-factories';
import { aSlotNow, NOW } from './support/factories';
import { RecordingQueue, ScriptedMailer } from './support/in-memory';
import { InMemoryCampaigns, InMemoryRecipients } from './support/in-memory-campaigns';

const SECRET = 'k'.repeat(32);
const body = (email = 'r0000@example.org') => JSON.stringify({ campaignId: 'c1', email });

async function setup(
  campaign: Campaign = aCampaign({ fanoutDone: true }),
  script: SendResult[] = [],
  count = 1,
) {
  const campaigns = new InMemoryCampaigns();
  const recipients = new InMemoryRecipients();
  await campaigns.create({ ...campaign, totals: { ...campaign.totals, recipients: count, queued: count } });
  await recipients.addNew(recipientsFor('c1', count, 'queued'));
  const mailer = new ScriptedMailer(script);
  const requeue = new RecordingQueue();
  let quotaExhausted = false;
  const deps: BulkDeliveryDeps = {
    campaign: (id) => campaigns.get(id),
    campaigns,
    recipients,
    mailer,
    requeue,
    content: { unsubscribeSecret: SECRET, publicBaseUrl: 'https://mail-api.acme.test/live' },
    bulkPaused: async () => false,
    quotaExhausted: async () => quotaExhausted,
    now: () => NOW,
    slot: aSlotNow(),
  };
  return { deps, campaigns, recipients, mailer, requeue, exhaustQuota: () => (quotaExhausted = true) };
}

describe('deliverBulk', () => {
  it('sends the personalized mail with one-click unsubscribe headers and counts it, leaving completion to the records', async () => {
    const { deps, mailer, campaigns, recipients } = await setup();
    await expect(deliverBulk(body(), deps)).resolves.toBe('sent');
    const mail = mailer.sent[0];
    expect(mail).toMatchObject({ stream: 'bulk', to: ['r0000@example.org'], subject: 'Hi R0' });
    const unsubscribe = mail?.headers.find((h) => h.name === 'List-Unsubscribe')?.value ?? '';
    expect(unsubscribe).toMatch(/^<https:\/\/mail-api\.acme\.test\/live\/unsubscribe\?token=.+>$/);
    expect(mail?.headers).toContainEqual({
      name: 'List-Unsubscribe-Post',
      value: 'List-Unsubscribe=One-Click',
    });
    const token = decodeURIComponent(unsubscribe.slice(unsubscribe.indexOf('token=') + 6, -1));
    expect(verifyUnsubscribeToken(token, SECRET)).toEqual({ email: 'r0000@example.org', campaignId: 'c1' });
    expect(mail?.text).toContain('/unsubscribe?token=');
    expect(mail?.tags).toEqual([
      { name: 'stream', value: 'bulk' },
      { name: 'campaignId', value: 'c1' },
    ]);
    expect((await recipients.get('c1', 'r0000@example.org'))?.status).toBe('sent');
    // The counters are a view: only the reconcile, having counted the records, completes a campaign.
    expect(await campaigns.get('c1')).toMatchObject({ status: 'sending', totals: { sent: 1, queued: 0 } });
  });

  it('sends nothing for a redelivered message', async () => {
    const { deps, mailer, campaigns } = await setup(aCampaign(), [], 2);
    await deliverBulk(body(), deps);
    await expect(deliverBulk(body(), deps)).resolves.toBe('duplicate');
    expect(mailer.sent).toHaveLength(1);
    expect((await campaigns.get('c1'))?.totals.sent).toBe(1);
  });

  it('puts a paused campaign’s recipient back to pending without sending', async () => {
    const { deps, mailer, recipients, campaigns } = await setup(aCampaign({ status: 'paused' }));
    await expect(deliverBulk(body(), deps)).resolves.toBe('released');
    expect(mailer.sent).toEqual([]);
    expect((await recipients.get('c1', 'r0000@example.org'))?.status).toBe('pending');
    expect((await campaigns.get('c1'))?.totals.queued).toBe(0);
  });

  it.each([
    ['the campaign', true],
    ['the reputation guard', false],
  ])(
    'does not release on a cached pause of %s that a resume has since ended: it sends',
    async (_, staleCampaign) => {
      const { deps, mailer, recipients, campaigns } = await setup();
      // The sender's few-seconds-old view still says paused; the campaign and the guard say otherwise.
      const stale = { ...(await campaigns.get('c1')), status: 'paused' } as Campaign;
      const resumed: BulkDeliveryDeps = {
        ...deps,
        campaign: async (id) => (staleCampaign ? stale : campaigns.get(id)),
        bulkPaused: async (options) => !staleCampaign && !options?.fresh,
      };
      await expect(deliverBulk(body(), resumed)).resolves.toBe('sent');
      expect(mailer.sent).toHaveLength(1);
      expect((await recipients.get('c1', 'r0000@example.org'))?.status).toBe('sent');
    },
  );

  it('cancels a cancelled campaign’s recipient instead of sending', async () => {
    const { deps, mailer, campaigns } = await setup(aCampaign({ status: 'cancelled' }));
    await expect(deliverBulk(body(), deps)).resolves.toBe('cancelled');
    expect(mailer.sent).toEqual([]);
    expect((await campaigns.get('c1'))?.totals).toMatchObject({ cancelled: 1, queued: 0 });
  });

  it('waits for the daily quota, showing it on the campaign', async () => {
    const { deps, mailer, requeue, campaigns, exhaustQuota } = await setup();
    exhaustQuota();
    await expect(deliverBulk(body(), deps)).resolves.toBe('waiting_for_quota');
    expect(mailer.sent).toEqual([]);
    expect(requeue.requeued[0]?.delaySeconds).toBe(300);
    expect((await campaigns.get('c1'))?.waitingForQuotaSince).toBe(NOW.toISOString());
  });

  it('re-queues a throttled recipient as it was, not counted', async () => {
    const { deps, requeue, recipients, campaigns } = await setup(aCampaign(), [
      { kind: 'throttled', detail: '429' },
    ]);
    await expect(deliverBulk(body(), deps)).resolves.toBe('requeued');
    expect(requeue.requeued).toHaveLength(1);
    // Not at once: without a count of attempts, at once would never turn into a back-off.
    expect(requeue.requeued[0]?.delaySeconds).toBeGreaterThanOrEqual(1);
    expect((await recipients.get('c1', 'r0000@example.org'))?.status).toBe('queued');
    expect((await campaigns.get('c1'))?.totals).toMatchObject({ sent: 0, failed: 0, queued: 1 });
  });

  it('sends to a recipient the fan-out marks queued between the two tries of its claim', async () => {
    const { deps, mailer, recipients, campaigns } = await setup();
    // The fan-out puts a page on the queue before it marks those recipients queued: a quick sender
    // finds one still pending on its first try (from queued), and queued on its second (from pending).
    await recipients.transition('c1', 'r0000@example.org', ['queued'], 'pending', {});
    const racing = Object.create(recipients) as typeof recipients;
    racing.transition = async (campaignId, email, from, to, changes) => {
      const moved = await recipients.transition(campaignId, email, from, to, changes);
      if (!moved && to === 'sending' && from.includes('queued')) {
        await recipients.transition(campaignId, email, ['pending'], 'queued', {});
      }
      return moved;
    };
    await expect(deliverBulk(body(), { ...deps, recipients: racing })).resolves.toBe('sent');
    expect(mailer.sent).toHaveLength(1);
    expect((await recipients.get('c1', 'r0000@example.org'))?.status).toBe('sent');
    expect((await campaigns.get('c1'))?.totals).toMatchObject({ sent: 1, queued: 0 });
  });

  it('leaves a record it cannot claim while it stays to be sent on the queue, neither sent nor dropped', async () => {
    const { deps, mailer, recipients } = await setup();
    // Every try finds the record moved back to claimable: never a duplicate, never a send.
    const flipping = Object.create(recipients) as typeof recipients;
    flipping.transition = async (campaignId, email, from, to, changes) =>
      to === 'sending' ? undefined : recipients.transition(campaignId, email, from, to, changes);
    await expect(deliverBulk(body(), { ...deps, recipients: flipping })).rejects.toThrow('kept losing');
    expect(mailer.sent).toEqual([]);
    expect((await recipients.get('c1', 'r0000@example.org'))?.status).toBe('queued');
  });

  it('fails a recipient whose claim a crashed sender left behind, without sending', async () => {
    const { deps, mailer, recipients, campaigns } = await setup();
    const claimedAt = new Date(NOW.getTime() - STALE_CLAIM_MS - 1).toISOString();
    await recipients.transition('c1', 'r0000@example.org', ['queued'], 'sending', { claimedAt });
    await expect(deliverBulk(body(), deps)).resolves.toBe('stale_claim_failed');
    expect(mailer.sent).toEqual([]);
    expect((await campaigns.get('c1'))?.totals.failed).toBe(1);
  });
});

describe('deliverBulk counting after a crash', () => {
  it('keeps the queued counter right when it fails an abandoned claim', async () => {
    const { deps, campaigns } = await setup(aCampaign(), [], 2);
    const crashed = { ...deps, mailer: { send: () => Promise.reject(new Error('crash after the claim')) } };
    await expect(deliverBulk(body(), crashed)).rejects.toThrow('crash');
    const later = { ...deps, now: () => new Date(NOW.getTime() + STALE_CLAIM_MS + 1000) };
    await expect(deliverBulk(body(), later)).resolves.toBe('stale_claim_failed');
    expect((await campaigns.get('c1'))?.totals).toMatchObject({ failed: 1, queued: 1 });
  });
});
