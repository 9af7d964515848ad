import { connect } from 'node:net';
import { api, eventually, startLocalMode } from './support/local-mode';

jest.setTimeout(90_000);

function portIsClosed(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

describe('npm start (local mode on its embedded emulators)', () => {
  it('says it has no auth, takes one curl-like request to the inbox, and stops cleanly on Ctrl-C', async () => {
    const local = await startLocalMode();
    try {
      expect(local.output()).toMatch(/NO AUTH/);

      const accepted = await api(local.apiUrl, 'POST', '/v1/emails', {
        to: 'jane@example.org',
        subject: 'It works',
        text: 'Hello from local mode',
      });
      expect(accepted.status).toBe(202);

      const mail = await eventually(
        async () => {
          const response = await fetch(`${local.inboxUrl}/store`);
          const { emails } = (await response.json()) as { emails: { subject: string; from: string }[] };
          return emails.find((e) => e.subject === 'It works');
        },
        30_000,
        'the mail in the inbox',
      );
      expect(mail.from).toBe('"Mailroom" <hello@example.com>');
      const inboxPage = await fetch(local.inboxUrl);
      expect(inboxPage.status).toBe(200);
    } finally {
      const code = await local.stop();
      expect(code).toBe(0);
    }
    expect(await portIsClosed(local.apiUrl)).toBe(true);
    expect(await portIsClosed(local.inboxUrl)).toBe(true);
    expect(await portIsClosed(local.dynamoEndpoint)).toBe(true);
  });
});
