import { verifyWebhook, WebhookVerificationError } from '@mailroom/client';
import { Webhook } from 'standardwebhooks';
import { newWebhookSecret, signWebhook } from '../../lambdas/webhooks/signature';

/** Now, to the second: the reference package checks the timestamp against its own clock (±5 min). */
const AT = new Date(Math.floor(Date.now() / 1000) * 1000);
const BODY = JSON.stringify({
  type: 'bounced',
  timestamp: AT.toISOString(),
  data: { id: 'e1', type: 'bounced' },
});

describe('webhook signatures (Standard Webhooks)', () => {
  it('verify with the standardwebhooks reference package', () => {
    const secret = newWebhookSecret();
    const headers = signWebhook(secret, 'msg_1', AT, BODY);

    const verified = new Webhook(secret).verify(BODY, { ...headers });

    expect(verified).toEqual(JSON.parse(BODY));
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(headers['webhook-timestamp']).toBe(String(AT.getTime() / 1000));
  });

  it('equal what the reference package signs for the same id, time and body', () => {
    const secret = newWebhookSecret();

    expect(signWebhook(secret, 'msg_2', AT, BODY)['webhook-signature']).toBe(
      new Webhook(secret).sign('msg_2', AT, BODY),
    );
  });

  it('fail the reference check for another body or another secret', () => {
    const secret = newWebhookSecret();
    const headers = { ...signWebhook(secret, 'msg_3', AT, BODY) };

    expect(() => new Webhook(secret).verify(`${BODY} `, headers)).toThrow('No matching signature found');
    expect(() => new Webhook(newWebhookSecret()).verify(BODY, headers)).toThrow(
      'No matching signature found',
    );
  });
});

describe("the client's verifyWebhook", () => {
  const secret = newWebhookSecret();
  const now = () => AT.getTime();

  it('returns the event of a delivery the reference package signed', async () => {
    const headers = {
      'webhook-id': 'msg_4',
      'webhook-timestamp': String(AT.getTime() / 1000),
      'webhook-signature': new Webhook(secret).sign('msg_4', AT, BODY),
    };

    await expect(verifyWebhook(BODY, new Headers(headers), secret, { now })).resolves.toEqual(
      JSON.parse(BODY),
    );
  });

  it('accepts one valid signature among several (a secret rotation)', async () => {
    const headers = { ...signWebhook(secret, 'msg_5', AT, BODY) };
    headers['webhook-signature'] = `v1,${'A'.repeat(43)}= ${headers['webhook-signature']}`;

    await expect(verifyWebhook(BODY, headers, secret, { now })).resolves.toMatchObject({ type: 'bounced' });
  });

  it.each([
    ['a changed body', (h: Record<string, string>) => ({ body: `${BODY} `, headers: h })],
    [
      'another secret',
      (h: Record<string, string>) => ({ body: BODY, headers: h, secret: newWebhookSecret() }),
    ],
    [
      'no signature header',
      ({ 'webhook-signature': _, ...h }: Record<string, string>) => ({ body: BODY, headers: h }),
    ],
    [
      'a v2 signature',
      (h: Record<string, string>) => ({
        body: BODY,
        headers: { ...h, 'webhook-signature': h['webhook-signature']?.replace('v1,', 'v2,') ?? '' },
      }),
    ],
    [
      'a timestamp 6 minutes old',
      (h: Record<string, string>) => ({ body: BODY, headers: h, now: () => AT.getTime() + 6 * 60_000 }),
    ],
  ])('throws WebhookVerificationError for %s', async (_case, tamper) => {
    const signed: { body: string; headers: Record<string, string>; secret?: string; now?: () => number } =
      tamper({
        ...signWebhook(secret, 'msg_6', AT, BODY),
      });

    await expect(
      verifyWebhook(signed.body, signed.headers, signed.secret ?? secret, { now: signed.now ?? now }),
    ).rejects.toBeInstanceOf(WebhookVerificationError);
  });
});
