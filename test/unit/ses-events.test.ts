import { parseSesNotification, UnparseableEventError } from '../../lambdas/feedback/ses-events';
import { identityNotifications, sesEvents, snsEnvelope } from './fixtures/ses-events';

describe('parseSesNotification', () => {
  it.each([
    ['Send', 'send'],
    ['Delivery', 'delivery'],
    ['Bounce', 'bounce'],
    ['Complaint', 'complaint'],
    ['Reject', 'reject'],
    ['Open', 'open'],
    ['Click', 'click'],
    ['Rendering Failure', 'rendering_failure'],
    ['DeliveryDelay', 'delivery_delay'],
    ['Subscription', 'subscription'],
  ] as const)('reads a %s event from its SNS envelope', (type, kind) => {
    const event = parseSesNotification(snsEnvelope(sesEvents[type]));
    expect(event).toMatchObject({
      kind,
      sesMessageId: sesEvents[type].mail.messageId,
      recipients: ['jane@example.com'],
      stream: 'bulk',
      campaignId: 'c1',
    });
  });

  it('keeps what each kind needs: bounce type and diagnostic, reject reason, clicked link', () => {
    expect(parseSesNotification(snsEnvelope(sesEvents.Bounce))).toMatchObject({
      bounceType: 'Permanent',
      bounceSubType: 'General',
      detail: 'smtp; 550 5.1.1 user unknown',
    });
    expect(parseSesNotification(snsEnvelope(sesEvents.Reject)).detail).toBe('Bad content');
    expect(parseSesNotification(snsEnvelope(sesEvents.Click)).detail).toContain('send-email-smtp.html');
  });

  it("keeps the mail's List-Unsubscribe headers from mail.headers, and no other header", () => {
    const headers = [
      { name: 'From', value: 'news@acme.test' },
      { name: 'list-unsubscribe', value: '<https://api.acme.test/unsubscribe?token=t>' },
      { name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' },
    ];
    const send = { ...sesEvents.Send, mail: { ...sesEvents.Send.mail, headers } };

    expect(parseSesNotification(snsEnvelope(send)).unsubscribeHeaders).toEqual(headers.slice(1));
    expect(parseSesNotification(snsEnvelope(sesEvents.Send))).not.toHaveProperty('unsubscribeHeaders');
  });

  it.each(['Bounce', 'Complaint', 'Delivery'] as const)(
    'reads an identity %s notification (notificationType)',
    (type) => {
      const event = parseSesNotification(snsEnvelope(identityNotifications[type]));
      expect(event.kind).toBe(type.toLowerCase());
      expect(event.recipients).toEqual(['jane@example.com']);
      expect(event.campaignId).toBeUndefined();
    },
  );

  it('reads a raw-delivered event (no SNS envelope) the same way', () => {
    expect(parseSesNotification(JSON.stringify(sesEvents.Delivery)).kind).toBe('delivery');
  });

  it('gives the same key to a duplicate delivery and different keys to two opens', () => {
    const once = parseSesNotification(snsEnvelope(sesEvents.Open));
    const again = parseSesNotification(snsEnvelope(sesEvents.Open));
    const later = parseSesNotification(
      snsEnvelope({
        ...sesEvents.Open,
        open: { ...sesEvents.Open.open, timestamp: '2026-11-22T11:00:00.000Z' },
      }),
    );
    expect(again.key).toBe(once.key);
    expect(later.key).not.toBe(once.key);
  });

  it.each([
    ['not JSON', 'hello'],
    ['an SNS envelope around non-JSON', JSON.stringify({ Type: 'Notification', Message: 'nope' })],
    ['an unknown event type', JSON.stringify({ eventType: 'Teleport', mail: sesEvents.Send.mail })],
    [
      'a bounce without recipients',
      JSON.stringify({ ...sesEvents.Bounce, bounce: { ...sesEvents.Bounce.bounce, bouncedRecipients: [] } }),
    ],
    [
      'a missing mail object',
      JSON.stringify({ eventType: 'Delivery', delivery: sesEvents.Delivery.delivery }),
    ],
    ['neither eventType nor notificationType', JSON.stringify({ hello: 'world' })],
  ])('refuses %s with a reason', (_, body) => {
    expect(() => parseSesNotification(body)).toThrow(UnparseableEventError);
  });
});
