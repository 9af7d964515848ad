import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  guardedLookup,
  guardedPost,
  RefusedAddressError,
} from '../../lambdas/webhooks/adapters/guarded-http';

const AWS = { allowLoopback: false };
const LOCAL = { allowLoopback: true };

let server: Server;
let base: string;
beforeAll(async () => {
  server = createServer((request, response) => {
    request.resume();
    if (request.url === '/redirect') {
      response.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data' }).end();
    } else if (request.url === '/slow') {
      // Never answers: the attempt's timeout ends it.
    } else if (request.url === '/huge') {
      response.writeHead(200);
      response.end('x'.repeat(1024 * 1024));
    } else {
      response.writeHead(204).end();
    }
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 10_000);

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((closed) => server.close(() => closed()));
}, 10_000);

const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': '1', 'webhook-signature': 'v1,x' };

describe('the guarded webhook POST', () => {
  it('reaches a loopback receiver in local mode and counts a 2xx as success', async () => {
    const result = await guardedPost(LOCAL)(`${base}/ok`, headers, '{}');

    expect(result).toMatchObject({ ok: true, httpStatus: 204 });
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('does not follow a redirect: a 3xx is a failure', async () => {
    const result = await guardedPost(LOCAL)(`${base}/redirect`, headers, '{}');

    expect(result).toMatchObject({ ok: false, httpStatus: 302, error: 'redirects are not followed' });
  });

  it('gives up when the receiver does not answer in time', async () => {
    const result = await guardedPost(LOCAL, 300)(`${base}/slow`, headers, '{}');

    expect(result).toMatchObject({ ok: false, error: 'no answer within 0.3 s' });
    expect(result.httpStatus).toBeUndefined();
  });

  it('reads at most 64 KiB of an answer and keeps 200 characters of it', async () => {
    const result = await guardedPost(LOCAL)(`${base}/huge`, headers, '{}');

    expect(result).toMatchObject({ ok: true, httpStatus: 200 });
    expect(result.response).toHaveLength(200);
  });

  it('refuses, without connecting, a loopback address in AWS', async () => {
    const result = await guardedPost(AWS)(`https://127.0.0.1:${new URL(base).port}/ok`, headers, '{}');

    expect(result).toMatchObject({ ok: false, error: expect.stringContaining('refused') });
    expect(result.httpStatus).toBeUndefined();
  });

  it('refuses a name that resolves to a loopback address, at connect time', async () => {
    const lookup = guardedLookup(AWS);

    const error = await new Promise<Error | null>((done) =>
      lookup('localhost', { all: true }, (e) => done(e)),
    );

    expect(error).toBeInstanceOf(RefusedAddressError);
    expect(error?.message).toMatch(/localhost resolves to a loopback address/);
  });

  it('hands the checked addresses to the socket when they are allowed', async () => {
    const lookup = guardedLookup(LOCAL);

    const addresses = await new Promise<unknown>((done) =>
      lookup('localhost', { all: true }, (_e, all) => done(all)),
    );

    expect(addresses).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ address: expect.stringMatching(/^(127\.0\.0\.1|::1)$/) }),
      ]),
    );
  });
});
