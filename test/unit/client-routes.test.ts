import { API_ROUTES, MailroomClient } from '@mailroom/client';
import { ROUTE_IDS, ROUTES, type RouteId } from '../../contract/routes';
import { scriptedFetch } from './support/scripted-fetch';

const LOCAL = 'http://127.0.0.1:3000';

/**
 * One call of the client per route of the contract, with the path it must request. Typed by the
 * contract's route ids: a route added to contract/routes.ts without a client method fails tsc
 * here, and the test below fails too.
 */
const CALLS: { [Id in RouteId]: { call: (c: MailroomClient) => Promise<unknown>; path: string } } = {
  sendEmail: {
    call: (c) => c.emails.send({ to: 'a@example.org', subject: 's', text: 't' }),
    path: '/v1/emails',
  },
  getEmail: { call: (c) => c.emails.get('m-1'), path: '/v1/emails/m-1' },
  listTemplates: { call: (c) => c.templates.list({ limit: 5 }), path: '/v1/templates?limit=5' },
  putTemplate: {
    call: (c) => c.templates.put('welcome', { subject: 's', text: 't' }),
    path: '/v1/templates/welcome',
  },
  getTemplate: { call: (c) => c.templates.get('welcome'), path: '/v1/templates/welcome' },
  deleteTemplate: { call: (c) => c.templates.delete('welcome'), path: '/v1/templates/welcome' },
  previewContent: { call: (c) => c.templates.preview({ subject: 's', text: 't' }), path: '/v1/previews' },
  getAccount: { call: (c) => c.account.get(), path: '/v1/account' },
  resumeBulk: { call: (c) => c.account.resumeBulk(), path: '/v1/account/bulk/resume' },
  listCampaigns: { call: (c) => c.campaigns.list({ cursor: 'abc' }), path: '/v1/campaigns?cursor=abc' },
  createCampaign: {
    call: (c) => c.campaigns.create({ name: 'n', subject: 's', text: 't' }),
    path: '/v1/campaigns',
  },
  getCampaign: { call: (c) => c.campaigns.get('c-1'), path: '/v1/campaigns/c-1' },
  updateCampaign: {
    call: (c) => c.campaigns.update('c-1', { name: 'n', subject: 's', text: 't' }),
    path: '/v1/campaigns/c-1',
  },
  addCampaignRecipients: {
    call: (c) => c.campaigns.addRecipients('c-1', [{ email: 'a@example.org' }]),
    path: '/v1/campaigns/c-1/recipients',
  },
  getCampaignRecipient: {
    call: (c) => c.campaigns.getRecipient('c-1', 'a@example.org'),
    path: '/v1/campaigns/c-1/recipients/a%40example.org',
  },
  sendCampaignTest: {
    call: (c) => c.campaigns.test('c-1', { to: 'me@example.org' }),
    path: '/v1/campaigns/c-1/test',
  },
  sendCampaign: {
    call: (c) => c.campaigns.send('c-1', { at: '2026-12-01T09:00:00Z' }),
    path: '/v1/campaigns/c-1/send',
  },
  pauseCampaign: { call: (c) => c.campaigns.pause('c-1'), path: '/v1/campaigns/c-1/pause' },
  resumeCampaign: { call: (c) => c.campaigns.resume('c-1'), path: '/v1/campaigns/c-1/resume' },
  cancelCampaign: { call: (c) => c.campaigns.cancel('c-1'), path: '/v1/campaigns/c-1/cancel' },
  listSuppressions: {
    call: (c) => c.suppressions.list({ reason: 'bounce' }),
    path: '/v1/suppressions?reason=bounce',
  },
  getSuppression: {
    call: (c) => c.suppressions.get('a@example.org'),
    path: '/v1/suppressions/a%40example.org',
  },
  putSuppression: {
    call: (c) => c.suppressions.put('a@example.org'),
    path: '/v1/suppressions/a%40example.org',
  },
  deleteSuppression: {
    call: (c) => c.suppressions.delete('a@example.org'),
    path: '/v1/suppressions/a%40example.org',
  },
  createWebhook: { call: (c) => c.webhooks.create({ url: 'https://h.example.org/x' }), path: '/v1/webhooks' },
  listWebhooks: { call: (c) => c.webhooks.list(), path: '/v1/webhooks' },
  getWebhook: { call: (c) => c.webhooks.get('wh_1'), path: '/v1/webhooks/wh_1' },
  deleteWebhook: { call: (c) => c.webhooks.delete('wh_1'), path: '/v1/webhooks/wh_1' },
  testWebhook: { call: (c) => c.webhooks.test('wh_1'), path: '/v1/webhooks/wh_1/test' },
  enableWebhook: { call: (c) => c.webhooks.enable('wh_1'), path: '/v1/webhooks/wh_1/enable' },
  listWebhookDeliveries: {
    call: (c) => c.webhooks.deliveries('wh_1', { limit: 5 }),
    path: '/v1/webhooks/wh_1/deliveries?limit=5',
  },
  unsubscribePage: {
    call: (c) => c.unsubscribe.page(`${LOCAL}/unsubscribe?token=t`),
    path: '/unsubscribe?token=t',
  },
  unsubscribe: {
    call: (c) => c.unsubscribe.oneClick(`${LOCAL}/unsubscribe?token=t`),
    path: '/unsubscribe?token=t',
  },
};

describe('the client covers the contract', () => {
  it.each(ROUTE_IDS.map((id) => [id]))('%s: a client method requests the route', async (id) => {
    const { sent, fetch } = scriptedFetch({ status: 200, json: {} });
    const mailroom = new MailroomClient({ apiUrl: LOCAL, fetch });
    const expected = CALLS[id];

    expect(expected).toBeDefined();
    await expected.call(mailroom);

    expect(sent).toHaveLength(1);
    expect(sent[0]?.method).toBe(ROUTES[id].method);
    expect(sent[0]?.url).toBe(`${LOCAL}${expected.path}`);
    // The path requested is the contract's, with its parameters filled in.
    const pattern = new RegExp(`^${ROUTES[id].path.replace(/\{\w+\}/g, '[^/]+')}(\\?|$)`);
    expect(expected.path).toMatch(pattern);
  });

  it("has the contract's routes and no others in its own table", () => {
    expect(Object.keys(API_ROUTES).sort()).toEqual([...ROUTE_IDS].sort());
    for (const id of ROUTE_IDS) {
      expect(API_ROUTES[id]).toEqual({ method: ROUTES[id].method, path: ROUTES[id].path });
    }
  });

  it('sends JSON bodies as application/json, and no body where the route reads none', async () => {
    const { sent, fetch } = scriptedFetch({ status: 200, json: {} });
    const mailroom = new MailroomClient({ apiUrl: LOCAL, fetch });

    await mailroom.templates.put('welcome', { subject: 'Hi {{name}}', html: '<p>Hi</p>' });
    await mailroom.campaigns.pause('c-1');
    await mailroom.campaigns.send('c-1');

    expect(sent.map((r) => [r.headers['content-type'], r.body])).toEqual([
      ['application/json', JSON.stringify({ subject: 'Hi {{name}}', html: '<p>Hi</p>' })],
      [undefined, undefined],
      ['application/json', '{}'],
    ]);
  });

  it('posts the one-click unsubscribe as RFC 8058 says, unsigned, to the link as given', async () => {
    const { sent, fetch } = scriptedFetch({
      status: 200,
      text: '<p>Done</p>',
      headers: { 'content-type': 'text/html' },
    });
    const mailroom = new MailroomClient({
      apiUrl: 'https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/live',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
      fetch,
    });

    const page = await mailroom.unsubscribe.oneClick('https://mail.acme.com/live/unsubscribe?token=abc.def');

    expect(page).toEqual({ status: 200, contentType: 'text/html', text: '<p>Done</p>' });
    expect(sent[0]).toMatchObject({
      method: 'POST',
      url: 'https://mail.acme.com/live/unsubscribe?token=abc.def',
      body: 'List-Unsubscribe=One-Click',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(sent[0]?.headers.authorization).toBeUndefined();
    await expect(mailroom.unsubscribe.page('https://mail.acme.com/live/v1/account')).rejects.toThrow(
      /not an unsubscribe link/,
    );
  });

  it('reads every page of a listing', async () => {
    const { sent, fetch } = scriptedFetch(
      { status: 200, json: { items: [{ name: 'a' }, { name: 'b' }], nextCursor: 'n1' } },
      { status: 200, json: { items: [{ name: 'c' }] } },
    );
    const mailroom = new MailroomClient({ apiUrl: LOCAL, fetch });

    const names: string[] = [];
    for await (const template of mailroom.templates.all({ limit: 2 })) names.push(template.name);

    expect(names).toEqual(['a', 'b', 'c']);
    expect(sent.map((r) => new URL(r.url).search)).toEqual(['?limit=2', '?limit=2&cursor=n1']);
  });
});
