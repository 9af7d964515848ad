import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { handlerWhenReady, startApiGatewayServer } from '../../local/api-gateway-server';
import { api, eventually, startLocalMode } from './support/local-mode';

jest.setTimeout(90_000);

function portIsClosed(url: string, host?: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), host ?? hostname);
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

describe('local mode on this machine only, one per data folder, gone when its parent goes', () => {
  it('binds every emulator and the API to 127.0.0.1: another address of this machine is refused', async () => {
    // The whole of 127/8 reaches a server bound to 0.0.0.0 on Linux; so does the machine's own address.
    const others = [
      '127.0.0.2',
      ...Object.values(networkInterfaces())
        .flat()
        .filter((i) => i && i.family === 'IPv4' && !i.internal)
        .map((i) => i?.address ?? ''),
    ];
    const local = await startLocalMode();
    try {
      for (const url of [local.apiUrl, local.inboxUrl, local.sqsEndpoint, local.dynamoEndpoint]) {
        expect(await portIsClosed(url)).toBe(false);
        for (const host of others)
          expect({ url, host, closed: await portIsClosed(url, host) }).toEqual({ url, host, closed: true });
      }

      // A second local mode on other ports but the same data folder says which variable to change.
      const second = await startLocalMode({ MAILROOM_DATA_DIR: local.dataDir }).then(
        () => 'started',
        (error: Error) => error.message,
      );
      expect(second).toMatch(/exited with 1 before it was ready/);
      expect(second).toMatch(/in use by another Mailroom local mode \(process \d+\)/);
      expect(second).toContain('MAILROOM_DATA_DIR=');
      // The first one is unharmed.
      expect((await api(local.apiUrl, 'GET', '/v1/templates')).status).toBe(200);
    } finally {
      await local.stop();
    }
  });

  it('stops and frees its ports when the shell npm runs it in is killed (kill -TERM of npm)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mailroom-it-'));
    // npm start runs the script through `sh -c` and sends SIGTERM to that shell, which exits
    // without passing it on; `; exit` keeps sh from exec-ing node, as it stays in npm's case.
    const shell = spawn('sh', ['-c', 'node --import tsx local/start.ts; exit $?'], {
      cwd: resolve(__dirname, '../..'),
      env: {
        ...process.env,
        PORT: '0',
        MAILROOM_DYNAMODB_PORT: '0',
        MAILROOM_SQS_PORT: '0',
        MAILROOM_SES_PORT: '0',
        MAILROOM_DATA_DIR: dataDir,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    shell.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    try {
      const apiUrl = await eventually(async () => /API\s+(http:\/\/\S+)/.exec(output)?.[1], 60_000, 'ready');
      await eventually(async () => (output.includes('Ready.') ? true : undefined), 60_000, 'ready');
      shell.kill('SIGTERM');
      await eventually(
        async () => ((await portIsClosed(apiUrl)) ? true : undefined),
        15_000,
        'the API port closed',
      );
    } finally {
      if (shell.exitCode === null) shell.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('answers 503 with Retry-After while the handlers are still loading, then serves', async () => {
    const api503 = handlerWhenReady();
    const server = await startApiGatewayServer(api503.handler, 0);
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/templates`;
    try {
      const starting = await fetch(url);
      expect(starting.status).toBe(503);
      expect(starting.headers.get('retry-after')).toBe('1');
      expect(await starting.json()).toEqual({
        error: { code: 'STARTING', message: 'Mailroom local mode is still starting; retry in a second' },
      });

      api503.ready(async () => ({ statusCode: 200, body: '{"items":[]}' }));
      expect((await fetch(url)).status).toBe(200);
    } finally {
      server.closeAllConnections();
      await new Promise((done) => server.close(done));
    }
  });
});
