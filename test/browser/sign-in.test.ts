import { createHash } from 'node:crypto';
import type { Browser, HTTPRequest, Page } from 'puppeteer-core';
import type { ConsoleConfig } from '../../console/src/config';
import { type LocalMode, startLocalMode } from '../integration/support/local-mode';
import { launchBrowser, recordProblems } from './support/browser';

/**
 * The console's AWS sign-in, in the browser, against stand-ins: the Cognito hosted page and token
 * endpoint, the identity pool, and an execute-api host, each answered by request interception
 * (the API's calls forwarded to local mode). What is checked is the browser's side: the PKCE
 * round trip, the credentials it gets, and the SigV4 signature on every /v1 call.
 */
const REGION = 'eu-west-1';
const API = `https://abc123def4.execute-api.${REGION}.amazonaws.com/live`;
const SIGN_IN = `https://mailroom-test.auth.${REGION}.amazoncognito.com`;
const IDENTITY = `https://cognito-identity.${REGION}.amazonaws.com/`;
const CLIENT_ID = 'console-client-id';
/** The deployed console's origin, as the stack hands it to the api function (CONSOLE_ORIGIN). */
const CONSOLE_ORIGIN = 'https://d111111abcdef8.cloudfront.net';
const HOOK_TIMEOUT_MS = 120_000;
jest.setTimeout(120_000);

let local: LocalMode;
let browser: Browser;
let page: Page;
let problems: string[];
let consoleUrl: string;
const apiCalls: { method: string; path: string; headers: Record<string, string> }[] = [];
let challenge = '';

const cors = {
  'access-control-allow-origin': '*',
  'access-control-allow-headers': '*',
  'access-control-allow-methods': '*',
};
const json = (request: HTTPRequest, body: unknown, status = 200) =>
  request.respond({ status, headers: cors, contentType: 'application/json', body: JSON.stringify(body) });
const base64url = (bytes: Buffer) =>
  bytes.toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

async function intercept(request: HTTPRequest): Promise<void> {
  const url = new URL(request.url());
  if (request.method() === 'OPTIONS') return request.respond({ status: 204, headers: cors });
  if (url.href === `${consoleUrl}config.json`) {
    const config: ConsoleConfig = {
      apiUrl: API,
      auth: {
        region: REGION,
        userPoolId: `${REGION}_TestPool`,
        userPoolClientId: CLIENT_ID,
        identityPoolId: `${REGION}:pool`,
        signInUrl: SIGN_IN,
      },
    };
    return json(request, config);
  }
  if (url.href.startsWith(`${SIGN_IN}/oauth2/authorize`)) {
    const params = url.searchParams;
    expect(params.get('client_id')).toBe(CLIENT_ID);
    expect(params.get('code_challenge_method')).toBe('S256');
    expect(params.get('redirect_uri')).toBe(consoleUrl);
    challenge = params.get('code_challenge') ?? '';
    const back = `${consoleUrl}?code=the-code&state=${params.get('state')}`;
    return request.respond({ status: 302, headers: { location: back } });
  }
  if (url.href === `${SIGN_IN}/oauth2/token`) {
    const form = new URLSearchParams(request.postData() ?? '');
    const verifier = form.get('code_verifier') ?? '';
    // PKCE: only the tab that asked can redeem the code.
    if (
      form.get('code') !== 'the-code' ||
      base64url(createHash('sha256').update(verifier).digest()) !== challenge
    ) {
      return json(request, { error: 'invalid_grant' }, 400);
    }
    const claims = base64url(Buffer.from(JSON.stringify({ email: 'jane@example.org' })));
    return json(request, { id_token: `h.${claims}.s`, refresh_token: 'refresh', expires_in: 3600 });
  }
  if (url.href === IDENTITY) {
    const target = request.headers()['x-amz-target'];
    if (target === 'AWSCognitoIdentityService.GetId')
      return json(request, { IdentityId: `${REGION}:someone` });
    return json(request, {
      Credentials: {
        AccessKeyId: 'ASIATESTKEY',
        SecretKey: 'secret',
        SessionToken: 'session-token',
        Expiration: Math.floor(Date.now() / 1000) + 3600,
      },
    });
  }
  if (url.href.startsWith(API)) {
    const path = url.href.slice(API.length);
    apiCalls.push({ method: request.method(), path, headers: request.headers() });
    const answer = await fetch(`${local.apiUrl}${path}`, {
      method: request.method(),
      body: request.postData(),
    });
    return request.respond({
      status: answer.status,
      headers: cors,
      contentType: answer.headers.get('content-type') ?? 'application/json',
      body: await answer.text(),
    });
  }
  return request.continue();
}

beforeAll(async () => {
  local = await startLocalMode({ CONSOLE_ORIGIN });
  consoleUrl = `${local.apiUrl}/console/`;
  browser = await launchBrowser();
  page = await browser.newPage();
  problems = recordProblems(page);
  // The stand-ins live on other origins than local mode's CSP allows (connect-src 'self').
  await page.setBypassCSP(true);
  await page.setRequestInterception(true);
  page.on('request', (request) => {
    void intercept(request).catch((error: unknown) => problems.push(`interceptor: ${String(error)}`));
  });
}, HOOK_TIMEOUT_MS);

afterAll(async () => {
  await browser?.close();
  await local?.stop();
}, HOOK_TIMEOUT_MS);

describe("the api function's CORS answers", () => {
  it("name the console's origin on every answer, errors included, when CONSOLE_ORIGIN is set", async () => {
    const ok = await fetch(`${local.apiUrl}/v1/account`);
    const missing = await fetch(`${local.apiUrl}/v1/campaigns/nope`);

    expect(ok.status).toBe(200);
    expect(missing.status).toBe(404);
    for (const answer of [ok, missing]) {
      expect(answer.headers.get('access-control-allow-origin')).toBe(CONSOLE_ORIGIN);
      expect(answer.headers.get('access-control-expose-headers')).toContain('X-Amzn-RequestId');
    }
  });
});

describe('the console signing in with Cognito (stand-ins)', () => {
  it('goes to the hosted page, redeems the code with PKCE, and signs every /v1 call with the identity pool credentials', async () => {
    await page.goto(consoleUrl, { waitUntil: 'load' });

    await page.waitForFunction(() => /Signed in as jane@example\.org/.test(document.body.textContent ?? ''), {
      timeout: 30_000,
    });
    await page.waitForFunction(() => /MaxSendRate/.test(document.querySelector('main')?.textContent ?? ''), {
      timeout: 30_000,
    });

    // The code is gone from the address bar once redeemed.
    expect(await page.evaluate(() => location.search)).toBe('');
    const account = apiCalls.find((call) => call.path === '/v1/account');
    expect(account?.headers.authorization).toMatch(
      new RegExp(
        `^AWS4-HMAC-SHA256 Credential=ASIATESTKEY/\\d{8}/${REGION}/execute-api/aws4_request, SignedHeaders=`,
      ),
    );
    expect(account?.headers['x-amz-security-token']).toBe('session-token');
    expect(apiCalls.every((call) => call.headers.authorization?.startsWith('AWS4-HMAC-SHA256'))).toBe(true);
    expect(problems).toEqual([]);
  });
});
