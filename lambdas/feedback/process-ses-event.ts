import type { TransientBouncePolicy } from '../../contract/thresholds';
import type {
  CampaignEventTotals,
  EventDelta,
  EventRecords,
  ProductEvent,
  ProductEventPublisher,
  ReputationCounts,
  ReputationStore,
  SuppressionList,
  TransientBounceCounter,
} from './ports';
import { hourBuckets } from './reputation-guard';
import type { MailEvent } from './ses-events';
import { type Suppression, suppressionFor } from './suppression';

const DAY_MS = 86_400_000;

export interface ProcessEventDeps {
  suppressions: SuppressionList;
  transientBounces: TransientBounceCounter;
  records: EventRecords;
  campaigns: CampaignEventTotals;
  /** Only added to here; the events function sums a batch's counts per bucket (events.ts). */
  reputation: Pick<ReputationStore, 'add'>;
  products: ProductEventPublisher;
  transientPolicy: TransientBouncePolicy;
  now: () => Date;
}

export interface EventEffects {
  suppressed: Suppression[];
  /** True when bulk reputation counts changed in a way that can trip the guard. */
  reputationWorse: boolean;
}

const PER_RECIPIENT = new Set<MailEvent['kind']>(['delivery', 'bounce', 'complaint', 'delivery_delay']);

/** Campaign counters each event kind moves (the first of its kind for a recipient adds the unique one). */
const CAMPAIGN_COUNTERS: Partial<
  Record<MailEvent['kind'], { total: keyof EventDelta; unique?: keyof EventDelta }>
> = {
  delivery: { total: 'delivered' },
  bounce: { total: 'bounced' },
  complaint: { total: 'complained' },
  reject: { total: 'rejected' },
  rendering_failure: { total: 'renderingFailures' },
  delivery_delay: { total: 'delayed' },
  open: { total: 'opens', unique: 'uniqueOpens' },
  click: { total: 'clicks', unique: 'uniqueClicks' },
};

/**
 * What one SES event changes. The suppression list first (an idempotent write: a bounced address
 * must never be mailed again, whatever fails later); then the events for product backends, derived
 * again from the event on every delivery of it, with stable ids (the events function publishes them
 * when the batch ends and fails the records it could not publish for, product-event-outbox.ts);
 * then the per-message and per-recipient records, whose conditional writes make a duplicate
 * delivery count nothing twice; the reputation counts last.
 */
export async function processSesEvent(event: MailEvent, deps: ProcessEventDeps): Promise<EventEffects> {
  const now = deps.now();
  const suppressed: Suppression[] = [];
  const products: ProductEvent[] = [];
  const product = (
    type: ProductEvent['type'],
    email: string,
    extra: Partial<ProductEvent> = {},
  ): ProductEvent => ({
    id: `${event.key}|${type}|${email}`,
    type,
    email,
    at: event.at,
    sesMessageId: event.sesMessageId,
    ...(event.messageId ? { messageId: event.messageId } : {}),
    ...(event.campaignId ? { campaignId: event.campaignId } : {}),
    ...extra,
  });

  const addedBefore = async (entry: Suppression) => {
    const stored = await deps.suppressions.get(entry.email);
    return (
      stored?.reason === entry.reason &&
      stored.source?.sesMessageId !== undefined &&
      stored.source.sesMessageId === entry.source?.sesMessageId
    );
  };

  for (const email of event.recipients) {
    const decision = await suppressionFor(
      event,
      () =>
        deps.transientBounces.record(
          email,
          event.key,
          new Date(event.at),
          deps.transientPolicy.windowDays * DAY_MS,
        ),
      deps.transientPolicy,
    );
    if (decision) {
      const entry: Suppression = { email, ...decision, createdAt: now.toISOString() };
      const added = await deps.suppressions.add(entry);
      if (added) suppressed.push(entry);
      // Told again when this event comes back and finds the entry it added the first time: that
      // telling may never have been published (the same id, so consumers see it once).
      if (added || (await addedBefore(entry))) {
        products.push(
          product('suppressed', email, {
            reason: entry.reason,
            ...(entry.detail ? { detail: entry.detail } : {}),
          }),
        );
      }
    }
    if (event.kind === 'bounce') products.push(product('bounced', email, eventDetail(event)));
    if (event.kind === 'complaint') products.push(product('complained', email, eventDetail(event)));
    if (event.kind === 'delivery') products.push(product('delivered', email));
  }
  if (products.length > 0) await deps.products.publish(products);

  // Events about one recipient are recorded per recipient; events about the whole mail (send, open,
  // click, reject…) once, naming everyone it went to.
  if (event.messageId) {
    const perRecipient = PER_RECIPIENT.has(event.kind);
    for (const who of perRecipient ? event.recipients : [event.recipients.join(', ')]) {
      await deps.records.onMessage(event.messageId, event, who);
    }
  }
  // Every event is recorded on its campaign recipient (the Send event too: it carries the headers
  // the mail went out with); only some move a counter.
  const { campaignId } = event;
  if (campaignId) {
    for (const email of event.recipients) {
      const recorded = await deps.records.onRecipient(campaignId, email, event);
      const counters = CAMPAIGN_COUNTERS[event.kind];
      if (recorded && counters) {
        const delta: EventDelta = { [counters.total]: 1 };
        if (counters.unique && recorded.first) delta[counters.unique] = 1;
        await deps.campaigns.addEvents(campaignId, delta);
      }
    }
  }

  const reputation = reputationDelta(event);
  if (reputation) await deps.reputation.add(hourBuckets(new Date(event.at), 1)[0] ?? '', reputation);
  return { suppressed, reputationWorse: Boolean(reputation?.bounced || reputation?.complained) };
}

/** Only bulk mail feeds the guard: transactional bounces say little about a list's hygiene. */
function reputationDelta(event: MailEvent): Partial<ReputationCounts> | undefined {
  if (event.stream !== 'bulk') return undefined;
  if (event.kind === 'send') return { sent: event.recipients.length };
  if (event.kind === 'bounce' && event.bounceType === 'Permanent')
    return { bounced: event.recipients.length };
  if (event.kind === 'complaint') return { complained: event.recipients.length };
  return undefined;
}

function eventDetail(event: MailEvent): Partial<ProductEvent> {
  return {
    ...(event.detail ? { detail: event.detail } : {}),
    ...(event.bounceType ? { reason: `${event.bounceType}/${event.bounceSubType ?? ''}` } : {}),
  };
}
