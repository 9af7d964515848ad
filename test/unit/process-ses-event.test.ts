import { processSesEvent } from '../../lambdas/feedback/process-ses-event';
import { parseSesNotification } from '../../lambdas/feedback/ses-events';
import { identityNotifications, sesEvents, snsEnvelope } from './fixtures/ses-events';
import { NOW } from './support/factories';
import { InMemorySuppressions } from './support/in-memory';
import {
  InMemoryDeliverability,
  InMemoryEventRecords,
  RecordingEventTotals,
  RecordingProductEvents,
} from './support/in-memory-feedback';

function setup() {
  const deps = {
    suppressions: new InMemorySuppressions(),
    transientBounces: new InMemoryDeliverability(),
    records: new InMemoryEventRecords(new Set(['m1']), new Set(['c1|jane@example.com'])),
    campaigns: new RecordingEventTotals(),
    reputation: new InMemoryDeliverability(),
    products: new RecordingProductEvents(),
    transientPolicy: { limit: 3, windowDays: 7 },
    now: () => NOW,
  };
  return deps;
}

const event = (value: unknown) => parseSesNotification(snsEnvelope(value));

describe('processSesEvent', () => {
  it('suppresses a permanent bounce on every stream, with the diagnostic, and tells product backends', async () => {
    const deps = setup();
    const effects = await processSesEvent(event(sesEvents.Bounce), deps);
    expect(effects.suppressed).toEqual([
      expect.objectContaining({
        email: 'jane@example.com',
        reason: 'bounce',
        scope: 'all',
        detail: 'smtp; 550 5.1.1 user unknown',
      }),
    ]);
    expect(deps.products.events.map((e) => e.type).sort()).toEqual(['bounced', 'suppressed']);
    expect(deps.campaigns.totals.get('c1')).toEqual({ bounced: 1 });
  });

  it('suppresses a complaint', async () => {
    const deps = setup();
    await processSesEvent(event(sesEvents.Complaint), deps);
    expect(deps.suppressions.full.get('jane@example.com')).toMatchObject({
      reason: 'complaint',
      scope: 'all',
    });
  });

  it('suppresses after three soft bounces in the window, not before', async () => {
    const deps = setup();
    const soft = (at: string) => ({
      ...identityNotifications.Bounce,
      bounce: { ...identityNotifications.Bounce.bounce, timestamp: at },
    });
    await processSesEvent(event(soft('2026-11-20T10:00:00.000Z')), deps);
    await processSesEvent(event(soft('2026-11-21T10:00:00.000Z')), deps);
    // A duplicate SNS delivery of the second one does not count.
    await processSesEvent(event(soft('2026-11-21T10:00:00.000Z')), deps);
    expect(deps.suppressions.full.size).toBe(0);
    await processSesEvent(event(soft('2026-11-22T10:00:00.000Z')), deps);
    expect(deps.suppressions.full.get('jane@example.com')).toMatchObject({ reason: 'transient_bounces' });
  });

  it('changes nothing more on a duplicate SNS delivery', async () => {
    const deps = setup();
    await processSesEvent(event(sesEvents.Delivery), deps);
    await processSesEvent(event(sesEvents.Delivery), deps);
    expect(deps.campaigns.totals.get('c1')).toEqual({ delivered: 1 });
  });

  it('counts opens and clicks in total and unique', async () => {
    const deps = setup();
    await processSesEvent(event(sesEvents.Open), deps);
    await processSesEvent(
      event({ ...sesEvents.Open, open: { ...sesEvents.Open.open, timestamp: '2026-11-22T12:00:00.000Z' } }),
      deps,
    );
    await processSesEvent(event(sesEvents.Click), deps);
    expect(deps.campaigns.totals.get('c1')).toEqual({ opens: 2, uniqueOpens: 1, clicks: 1, uniqueClicks: 1 });
  });

  it.each(['Reject', 'Rendering Failure', 'DeliveryDelay', 'Subscription', 'Send'] as const)(
    'handles a %s event without suppressing anyone',
    async (type) => {
      const deps = setup();
      const effects = await processSesEvent(event(sesEvents[type]), deps);
      expect(effects.suppressed).toEqual([]);
    },
  );

  it('never downgrades a bounce to an unsubscribe', async () => {
    const deps = setup();
    await processSesEvent(event(sesEvents.Bounce), deps);
    const added = await deps.suppressions.add({
      email: 'jane@example.com',
      reason: 'unsubscribe',
      scope: 'bulk',
      createdAt: '',
    });
    expect(added).toBe(false);
    expect(deps.suppressions.full.get('jane@example.com')?.reason).toBe('bounce');
  });

  it('records every event on its campaign recipient, the Send event too, and counts only some', async () => {
    const deps = setup();

    await processSesEvent(event(sesEvents.Send), deps);
    await processSesEvent(event(sesEvents.Delivery), deps);

    expect([...(deps.records.recipientEvents.get('c1|jane@example.com')?.kinds ?? [])]).toEqual([
      'send',
      'delivery',
    ]);
    expect(deps.campaigns.totals.get('c1')).toEqual({ delivered: 1 });
  });

  it('feeds bulk sends, hard bounces and complaints to the reputation counts', async () => {
    const deps = setup();
    const send = await processSesEvent(event(sesEvents.Send), deps);
    const bounce = await processSesEvent(event(sesEvents.Bounce), deps);
    expect(send.reputationWorse).toBe(false);
    expect(bounce.reputationWorse).toBe(true);
    expect([...deps.reputation.buckets.values()][0]).toEqual({ sent: 1, bounced: 1, complained: 0 });
  });
});
