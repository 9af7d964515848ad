import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ListSubscriptionsCommand, UnsubscribeCommand } from '@aws-sdk/client-sns';
import { main } from '../../deploy/smoke/main';
import { api, type LocalMode, localClients, startLocalMode } from './support/local-mode';

jest.setTimeout(120_000);

let local: LocalMode;
beforeAll(async () => {
  local = await startLocalMode();
});
afterAll(async () => {
  await local?.stop();
});

async function smoke(...argv: string[]): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const code = await main(argv, {
    out: (text) => lines.push(...text.split('\n')),
    err: (text) => lines.push(text),
  });
  return { code, lines };
}

const stepLine = (lines: string[], step: number) =>
  lines.find((l) => new RegExp(`^\\s+(ok|FAIL|skip)\\s+${step}\\. `).test(l)) ?? '';

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', () => ready()));
  const { port } = server.address() as AddressInfo;
  await new Promise((done) => server.close(done));
  return port;
}

describe('npm run smoke against local mode', () => {
  it('passes every step, with its time, and leaves no suppression behind', async () => {
    const { code, lines } = await smoke('--api', local.apiUrl);

    expect(code).toBe(0);
    expect(stepLine(lines, 1)).toMatch(/ok\s+1\. account\s+\d+\.\d s {2}production, sending at 14\/s/);
    expect(stepLine(lines, 2)).toMatch(
      /ok\s+2\. transactional\s+\d+\.\d s .*sent to success@simulator\.amazonses\.com .*Delivery event/,
    );
    expect(stepLine(lines, 3)).toMatch(
      /ok\s+3\. bounce, complaint .*bounce@simulator\.amazonses\.com suppressed \(bounce: .*complaint@simulator\.amazonses\.com suppressed \(complaint/,
    );
    expect(stepLine(lines, 4)).toMatch(
      /ok\s+4\. campaign unsubscribe .*completed; List-Unsubscribe <http:\/\/127\.0\.0\.1:\d+\/unsubscribe\?token=…> and List-Unsubscribe-Post One-Click; unsubscribe page 200; one-click POST suppressed success@simulator\.amazonses\.com \(unsubscribe/,
    );
    expect(stepLine(lines, 5)).toMatch(
      /ok\s+5\. cleanup .*removed the suppressions of bounce@simulator\.amazonses\.com, complaint@simulator\.amazonses\.com, success@simulator\.amazonses\.com; campaign \S+ \("mailroom smoke \d{4}-.*Z"\) stays: campaigns cannot be deleted through the API/,
    );
    expect(lines.at(-1)).toMatch(/^All 5 steps passed in \d+\.\d s\.$/);
    for (const address of ['bounce', 'complaint', 'success']) {
      expect(
        (await api(local.apiUrl, 'GET', `/v1/suppressions/${address}%40simulator.amazonses.com`)).status,
      ).toBe(404);
    }
  });

  it('shows the recorded List-Unsubscribe headers and SES events of the campaign recipient', async () => {
    const { code } = await smoke('--api', local.apiUrl);
    expect(code).toBe(0);
    const campaigns = await api(local.apiUrl, 'GET', '/v1/campaigns?limit=100');
    const id = String(
      (campaigns.body.items as { id: string; name: string }[]).find((c) =>
        c.name.startsWith('mailroom smoke'),
      )?.id,
    );

    const recipient = await api(
      local.apiUrl,
      'GET',
      `/v1/campaigns/${id}/recipients/SUCCESS%40simulator.amazonses.com`,
    );

    expect(recipient.status).toBe(200);
    expect(recipient.body).toMatchObject({
      email: 'success@simulator.amazonses.com',
      status: 'sent',
      reason: null,
      sesMessageId: expect.any(String),
      events: expect.arrayContaining([
        expect.objectContaining({ type: 'send' }),
        expect.objectContaining({ type: 'delivery' }),
      ]),
      headers: [
        {
          name: 'List-Unsubscribe',
          value: expect.stringMatching(/^<http:\/\/127\.0\.0\.1:\d+\/unsubscribe\?token=[\w.-]+>$/),
        },
        { name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' },
      ],
    });
    const stranger = await api(local.apiUrl, 'GET', `/v1/campaigns/${id}/recipients/jane%40example.com`);
    expect(stranger.status).toBe(404);
  });

  it('reports each step whose SES events never arrive, with where to look, cleans up and exits 1', async () => {
    // Arrange: what a broken event destination looks like: SES sends, but no event reaches Mailroom.
    const { sns } = localClients(local);
    const { Subscriptions = [] } = await sns.send(new ListSubscriptionsCommand({}));
    for (const subscription of Subscriptions.filter((s) => s.TopicArn?.endsWith(':mailroom-ses-events'))) {
      await sns.send(new UnsubscribeCommand({ SubscriptionArn: subscription.SubscriptionArn }));
    }

    const { code, lines } = await smoke('--api', local.apiUrl, '--timeout-seconds', '2');

    expect(code).toBe(1);
    expect(stepLine(lines, 1)).toMatch(/ok\s+1\. account/);
    expect(stepLine(lines, 2)).toMatch(
      /FAIL\s+2\. transactional\s+\d+\.\d s {2}no Delivery event after 2 s \(message \S+ was sent, SES MessageId \S+\): check the transactional configuration set's event destination and the events topic's key policy/,
    );
    expect(stepLine(lines, 3)).toMatch(
      /FAIL\s+3\. bounce, complaint .*no Bounce event for bounce@simulator\.amazonses\.com after 2 s/,
    );
    expect(stepLine(lines, 4)).toMatch(
      /FAIL\s+4\. campaign unsubscribe .*after 2 s .*check the bulk configuration set's event destination/,
    );
    expect(stepLine(lines, 5)).toMatch(/ok\s+5\. cleanup .*campaigns cannot be deleted through the API/);
    expect(lines.at(-1)).toMatch(/^3 of 5 steps did not pass/);
  });

  it('says it cannot reach an API that is not there, skips what depends on it, and exits 1', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;

    const { code, lines } = await smoke('--api', url, '--json');

    expect(code).toBe(1);
    const report = JSON.parse(lines.join('\n')) as {
      passed: boolean;
      steps: { result: string; detail: string }[];
    };
    expect(report.passed).toBe(false);
    expect(report.steps.map((s) => s.result)).toEqual(['fail', 'skip', 'skip', 'skip', 'ok']);
    expect(report.steps[0]?.detail).toMatch(
      new RegExp(`^cannot reach ${url} \\(ECONNREFUSED\\): check --api \\(the stack's ApiUrl output`),
    );
  });
});
