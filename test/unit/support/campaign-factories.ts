import type { Campaign, CampaignRecipient } from '../../../lambdas/campaigns/campaign';
import { emptyEventTotals, emptyTotals } from '../../../lambdas/campaigns/campaign';
import type { CampaignDeps } from '../../../lambdas/campaigns/manage-campaigns';
import type { StoredMessage } from '../../../lambdas/emails/message';
import { NOW } from './factories';
import { InMemorySuppressions, InMemoryTemplates } from './in-memory';
import {
  FixedLedger,
  InMemoryCampaigns,
  InMemoryRecipients,
  RecordingCampaignQueues,
} from './in-memory-campaigns';
import { InMemoryDeliverability } from './in-memory-feedback';

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

/**
 * The campaign routes' collaborators, in memory, with a clock that starts at NOW and moves only
 * when `advance` says so; test sends land in `submitted`.
 */
export function campaignDeps() {
  let ids = 0;
  let now = NOW.getTime();
  const submitted: StoredMessage[] = [];
  const deps = {
    campaigns: new InMemoryCampaigns(),
    recipients: new InMemoryRecipients(),
    templates: new InMemoryTemplates(),
    suppressions: new InMemorySuppressions(),
    queues: new RecordingCampaignQueues(),
    ledger: new FixedLedger(),
    reputation: new InMemoryDeliverability(),
    bulkContent: async () => ({ unsubscribeSecret: 'k'.repeat(32), publicBaseUrl: 'https://api.acme.test' }),
    sendingDomain: 'acme.test',
    defaultFrom: { address: 'news@acme.test', name: 'Acme' },
    submitMessage: async (message: StoredMessage) => {
      submitted.push(message);
    },
    newId: () => `id-${++ids}`,
    now: () => new Date(now),
  } satisfies CampaignDeps;
  return { deps, submitted, advance: (ms: number) => (now += ms) };
}
