import type { Campaign, CampaignRecipient } from '../../../lambdas/shared/domain/campaign';
import { emptyEventTotals, emptyTotals } from '../../../lambdas/shared/domain/campaign';
import { NOW } from './factories';

export function aCampaign(overrides: Partial<Campaign> = {}): Campaign {
  return {
    id: 'c1',
    name: 'Launch',
    status: 'sending',
    from: 'hello@acme.test',
    replyTo: [],
    content: { subject: 'Hi {{first_name}}', text: 'Hello {{first_name}}: {{unsubscribe_url}}' },
    tags: {},
    createdAt: NOW.toISOString(),
    updatedAt: NOW.toISOString(),
    fanoutGeneration: 1,
    fanoutDone: false,
    totals: emptyTotals(),
    events: emptyEventTotals(),
    ...overrides,
  };
}

export function recipientsFor(
  campaignId: string,
  count: number,
  status: CampaignRecipient['status'] = 'pending',
): CampaignRecipient[] {
  return Array.from({ length: count }, (_, i) => {
    const email = `r${String(i).padStart(4, '0')}@example.org`;
    return {
      campaignId,
      email,
      address: email,
      data: { first_name: `R${i}` },
      status,
      updatedAt: NOW.toISOString(),
    };
  });
}
