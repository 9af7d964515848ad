import type { CampaignRepository, RecipientRepository } from '../../../lambdas/campaigns/ports';
import { aCampaign, recipientsFor } from '../../unit/support/campaign-factories';

/**
 * A sending campaign, fanned out, with one recipient queued: the state a bulk queue message is
 * delivered into. Resolves the recipient and the queue message's body.
 */
export async function oneQueuedRecipient(
  id: string,
  campaigns: CampaignRepository,
  recipients: RecipientRepository,
) {
  const campaign = aCampaign({ id, fanoutDone: true });
  campaign.totals = { ...campaign.totals, recipients: 1, queued: 1 };
  await campaigns.create(campaign);
  const [recipient] = recipientsFor(id, 1, 'queued');
  if (!recipient) throw new Error('no recipient');
  await recipients.addNew([recipient]);
  return { campaign, recipient, body: JSON.stringify({ campaignId: id, email: recipient.email }) };
}
