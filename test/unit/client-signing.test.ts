import { createHash, createHmac } from 'node:crypto';
import { MailroomClient } from '@mailroom/client';
import { type SentRequest, scriptedFetch } from './support/scripted-fetch';

const credentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};

/**
 * SigV4 written out from AWS's description (canonical request, string to sign, derived key), to
 * check the client's signatures against something that is not @smithy/signature-v4. `path` is the
 * canonical URI: for every service but S3, each segment of the (already encoded) path encoded again.
 */
function referenceSignature(request: {
  method: string;
  path: string;
  query: string;
  headers: Record<string, string>;
  body: string;
  date: string;
  region: string;
  service: string;
}): { signedHeaders: string; signature: string } {
  const names = Object.keys(request.headers)
    .map((n) => n.toLowerCase())
    .sort();
  const canonicalHeaders = names.map((n) => `${n}:${String(request.headers[n]).trim()}\n`).join('');
  const signedHeaders = names.join(';');
  const hash = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
  const canonical = [
    request.method,
    request.path,
    request.query,
    canonicalHeaders,
    signedHeaders,
    hash(request.body),
  ].join('\n');
  const day = request.date.slice(0, 8);
  const scope = `${day}/${request.region}/${request.service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', request.date, scope, hash(canonical)].join('\n');
  const hmac = (key: string | Buffer, text: string) =>
    createHmac('sha256', key).update(text, 'utf8').digest();
  let key = hmac(`AWS4${credentials.secretAccessKey}`, day);
  for (const part of [request.region, request.service, 'aws4_request']) key = hmac(key, part);
  return { signedHeaders, signature: createHmac('sha256', key).update(toSign, 'utf8').digest('hex') };
}

/** Each path segment URI-encoded (RFC 3986, as SigV4 wants it). */
const encodeSegments = (path: string) =>
  path
    .split('/')
    .map((s) =>
      encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`),
    )
    .join('/');

function parseAuthorization(value: string | undefined) {
  const match = /^AWS4-HMAC-SHA256 Credential=([^,]+), SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
    value ?? '',
  );
  if (!match) throw new Error(`not a SigV4 Authorization header: ${value}`);
  const [, credential = '', signedHeaders = '', signature = ''] = match;
  return { credential, signedHeaders, signature };
}

/** The signature the reference computes for a request the client sent. */
function expectedFor(sent: SentRequest, region: string) {
  const url = new URL(sent.url);
  const { signedHeaders } = parseAuthorization(sent.headers.authorization);
  const headers: Record<string, string> = {};
  for (const name of signedHeaders.split(';')) {
    headers[name] = name === 'host' ? url.host : (sent.headers[name] ?? '');
  }
  const query = [...url.searchParams]
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .sort()
    .join('&');
  return referenceSignature({
    method: sent.method,
    path: encodeSegments(url.pathname),
    query,
    headers,
    body: sent.body ?? '',
    date: sent.headers['x-amz-date'] ?? '',
    region,
    service: 'execute-api',
  });
}

describe('the reference SigV4 used to check the client', () => {
  it("reproduces AWS's get-vanilla test vector", () => {
    const { signature } = referenceSignature({
      method: 'GET',
      path: '/',
      query: '',
      headers: { host: 'example.amazonaws.com', 'x-amz-date': '20150830T123600Z' },
      body: '',
      date: '20150830T123600Z',
      region: 'us-east-1',
      service: 'service',
    });
    expect(signature).toBe('5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31');
  });
});

describe('SigV4 signing', () => {
  const API = 'https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/live';

  it.each([
    'http://127.0.0.1:3000',
    'http://localhost:3000/',
    'http://127.0.0.2:8080/prod',
    'http://[::1]:3000',
  ])('sends requests to the loopback URL %s (local mode) unsigned', async (apiUrl) => {
    const { sent, fetch } = scriptedFetch({ status: 200, json: {} });
    const mailroom = new MailroomClient({ apiUrl, fetch });

    await mailroom.account.get();

    expect(mailroom.signing).toEqual({ signed: false });
    expect(sent[0]?.headers.authorization).toBeUndefined();
    expect(sent[0]?.headers['x-amz-date']).toBeUndefined();
  });

  it.each([
    ['https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/prod', 'eu-west-1'],
    ['https://a1b2c3d4e5.execute-api.us-gov-west-1.amazonaws.com/prod/', 'us-gov-west-1'],
    ['https://a1b2c3d4e5.execute-api.cn-north-1.amazonaws.com.cn/prod', 'cn-north-1'],
    [
      'https://a1b2c3d4e5-vpce-0123456789abcdef0.execute-api.ap-southeast-2.vpce.amazonaws.com/prod',
      'ap-southeast-2',
    ],
  ])('signs requests to %s for execute-api in %s, read from the host', (apiUrl, region) => {
    expect(new MailroomClient({ apiUrl, credentials }).signing).toEqual({ signed: true, region });
  });

  it('signs for the region given behind a custom domain, and not at all when told so', () => {
    expect(
      new MailroomClient({ apiUrl: 'https://mail-api.acme.com/v1', region: 'eu-central-1', credentials })
        .signing,
    ).toEqual({ signed: true, region: 'eu-central-1' });
    expect(new MailroomClient({ apiUrl: API, sign: false }).signing).toEqual({ signed: false });
  });

  describe('at a fixed time', () => {
    beforeEach(() => {
      // Only Date: the signer reads the clock; the client's timers stay real.
      jest.useFakeTimers({
        now: new Date('2026-11-30T00:00:00Z'),
        doNotFake: [
          'nextTick',
          'setImmediate',
          'setTimeout',
          'clearTimeout',
          'setInterval',
          'clearInterval',
          'queueMicrotask',
          'hrtime',
          'performance',
        ],
      });
    });
    afterEach(() => jest.useRealTimers());

    it('signs a send (body, content type, Idempotency-Key) exactly as SigV4 defines it', async () => {
      const { sent, fetch } = scriptedFetch({
        status: 202,
        json: { id: 'm', status: 'queued', suppressed: [] },
      });
      const mailroom = new MailroomClient({
        apiUrl: API,
        credentials,
        fetch,
        newIdempotencyKey: () => 'key-1',
      });

      await mailroom.emails.send({ to: 'jane@example.org', subject: 'Your code', text: '482913' });

      const request = sent[0] as SentRequest;
      expect(request.url).toBe(`${API}/v1/emails`);
      expect(request.headers['x-amz-date']).toBe('20261130T000000Z');
      const authorization = parseAuthorization(request.headers.authorization);
      expect(authorization.credential).toBe('AKIDEXAMPLE/20261130/eu-west-1/execute-api/aws4_request');
      expect(authorization.signedHeaders.split(';')).toEqual(
        expect.arrayContaining(['content-type', 'host', 'idempotency-key', 'x-amz-date']),
      );
      expect(authorization.signature).toBe(expectedFor(request, 'eu-west-1').signature);
    });

    it('signs a path holding an encoded address the way API Gateway checks it (each segment encoded once more)', async () => {
      const { sent, fetch } = scriptedFetch({ status: 200, json: {} });
      const mailroom = new MailroomClient({ apiUrl: API, credentials, fetch });

      await mailroom.campaigns.getRecipient('c-1', 'jane+x@example.org');

      const request = sent[0] as SentRequest;
      // The request carries `%2B` and `%40`; API Gateway's canonical URI has `%252B` and `%2540`.
      // A signer that skipped that step would be refused with "The request signature we
      // calculated does not match".
      expect(new URL(request.url).pathname).toBe('/live/v1/campaigns/c-1/recipients/jane%2Bx%40example.org');
      const signature = parseAuthorization(request.headers.authorization).signature;
      expect(signature).toBe(expectedFor(request, 'eu-west-1').signature);
      const onceOnly = referenceSignature({
        ...{ method: 'GET', query: '', body: '', region: 'eu-west-1', service: 'execute-api' },
        path: new URL(request.url).pathname,
        headers: {
          host: new URL(request.url).host,
          'x-amz-content-sha256': request.headers['x-amz-content-sha256'] ?? '',
          'x-amz-date': '20261130T000000Z',
        },
        date: '20261130T000000Z',
      });
      expect(signature).not.toBe(onceOnly.signature);
    });

    it('signs the query of a listing', async () => {
      const { sent, fetch } = scriptedFetch({ status: 200, json: { items: [] } });
      const mailroom = new MailroomClient({ apiUrl: API, credentials, fetch });

      await mailroom.suppressions.list({ limit: 10, cursor: 'eyJlbWFpbCI6ImEifQ', reason: 'bounce' });

      const request = sent[0] as SentRequest;
      expect(new URL(request.url).search).toBe('?limit=10&cursor=eyJlbWFpbCI6ImEifQ&reason=bounce');
      expect(parseAuthorization(request.headers.authorization).signature).toBe(
        expectedFor(request, 'eu-west-1').signature,
      );
    });

    it('carries the session token of temporary credentials, and signs each attempt afresh', async () => {
      const { sent, fetch } = scriptedFetch({ status: 500, json: {} }, { status: 200, json: {} });
      const provider = jest.fn(async () => ({ ...credentials, sessionToken: 'token-1' }));
      const mailroom = new MailroomClient({
        apiUrl: API,
        credentials: provider,
        fetch,
        sleep: async () => {},
      });

      await mailroom.account.get();

      expect(sent).toHaveLength(2);
      for (const request of sent) {
        expect(request.headers['x-amz-security-token']).toBe('token-1');
        expect(parseAuthorization(request.headers.authorization).signature).toBe(
          expectedFor(request, 'eu-west-1').signature,
        );
      }
    });
  });
});
