import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { ApiClient, signingFor, UsageError } from '../../deploy/smoke/api-client';
import { main } from '../../deploy/smoke/main';

const credentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};

/** A fetch that records what it was asked and answers like GET /v1/account. */
function recordingFetch() {
  const requests: { url: string; headers: Record<string, string> }[] = [];
  const fake = async (input: string | URL | Request, init?: RequestInit) => {
    requests.push({ url: String(input), headers: { ...(init?.headers as Record<string, string>) } });
    return new Response(JSON.stringify({ ok: true }), {
      status: 200,
      headers: { 'content-type': 'application/json' },
    });
  };
  return { requests, fetch: fake as typeof fetch };
}

describe('smoke check: which requests are signed', () => {
  it.each([
    'http://127.0.0.1:3000',
    'http://localhost:3000/',
    'http://127.0.0.2:8080/prod',
    'http://[::1]:3000',
  ])('sends requests to the loopback URL %s (local mode) unsigned', (url) => {
    expect(signingFor(new URL(url))).toEqual({ signed: false });
  });

  it.each([
    ['https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/prod', 'eu-west-1'],
    ['https://a1b2c3d4e5.execute-api.us-gov-west-1.amazonaws.com/prod/', 'us-gov-west-1'],
    ['https://a1b2c3d4e5.execute-api.cn-north-1.amazonaws.com.cn/prod', 'cn-north-1'],
    [
      'https://a1b2c3d4e5-vpce-0123456789abcdef0.execute-api.ap-southeast-2.vpce.amazonaws.com/prod',
      'ap-southeast-2',
    ],
  ])('signs requests to %s with SigV4 in %s, read from the host', (url, region) => {
    expect(signingFor(new URL(url))).toEqual({ signed: true, region });
  });

  it('lets --region choose the region, and requires it where the host does not say', () => {
    expect(signingFor(new URL('https://mail-api.acme.com/v1'), 'eu-central-1')).toEqual({
      signed: true,
      region: 'eu-central-1',
    });
    expect(() => signingFor(new URL('https://mail-api.acme.com'))).toThrow(UsageError);
    expect(() => signingFor(new URL('https://mail-api.acme.com'))).toThrow(/pass --region/);
  });

  it('adds a SigV4 Authorization for execute-api in the host region, over the stage path', async () => {
    const { requests, fetch } = recordingFetch();
    const client = new ApiClient({
      baseUrl: new URL('https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/prod/'),
      signing: signingFor(new URL('https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/prod/')),
      credentials,
      fetch,
    });

    await client.call('GET', '/v1/account');

    const [request] = requests;
    expect(request?.url).toBe('https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/prod/v1/account');
    expect(request?.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=host;[a-z0-9;-]+, Signature=[0-9a-f]{64}$/,
    );
    expect(request?.headers['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/);
  });

  it('signs a path holding an encoded address the way API Gateway checks it (each segment encoded once more)', async () => {
    const base = new URL('https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/live/');
    const client = new ApiClient({ baseUrl: base, signing: signingFor(base), credentials });
    const path = `/v1/suppressions/${encodeURIComponent('jane+x@example.org')}`;
    const url = client.url(path);
    const request = (uriEscapePath: boolean) =>
      new SignatureV4({
        service: 'execute-api',
        region: 'eu-west-1',
        credentials,
        sha256: Sha256,
        uriEscapePath,
      }).sign(
        {
          method: 'GET',
          protocol: url.protocol,
          hostname: url.hostname,
          path: url.pathname,
          query: {},
          headers: { host: url.host },
        },
        { signingDate: new Date('2026-11-30T00:00:00Z') },
      );
    // Pin the clock of the client's signer through the same date.
    jest.useFakeTimers({ now: new Date('2026-11-30T00:00:00Z'), doNotFake: ['nextTick', 'setImmediate'] });
    try {
      const signed = await client.sign('GET', url, {}, undefined);
      // API Gateway (like every service but S3) compares against the canonical URI with each
      // segment URI-encoded again: `%40` signs as `%2540`. A signer that skipped that step would be
      // refused with "The request signature we calculated does not match".
      expect(url.pathname).toBe('/live/v1/suppressions/jane%2Bx%40example.org');
      expect(signed.authorization).toBe((await request(true)).headers.authorization);
      expect(signed.authorization).not.toBe((await request(false)).headers.authorization);
    } finally {
      jest.useRealTimers();
    }
  });

  it('sends nothing signed to local mode', async () => {
    const { requests, fetch } = recordingFetch();
    const client = new ApiClient({
      baseUrl: new URL('http://127.0.0.1:3000'),
      signing: { signed: false },
      fetch,
    });

    await client.call('GET', '/v1/account');

    expect(requests[0]?.url).toBe('http://127.0.0.1:3000/v1/account');
    expect(Object.keys(requests[0]?.headers ?? {})).toEqual([]);
  });
});

describe('smoke check: usage', () => {
  async function run(...argv: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
    return { code, out: out.join('\n'), err: err.join('\n') };
  }

  it('prints its help and exits 0', async () => {
    const { code, out } = await run('--help');
    expect(code).toBe(0);
    expect(out).toMatch(/^Usage: npm run smoke -- --api <ApiUrl>/);
    expect(out).toMatch(/Exit codes: 0 every step passed, 1 a step failed, 2 usage error/);
  });

  it.each([
    [[], /--api <ApiUrl> is required/],
    [['--api'], /--api needs a value/],
    [['--api', 'not a url'], /is not a URL/],
    [
      ['--api', 'http://127.0.0.1:3000', '--timeout-seconds', '0'],
      /--timeout-seconds must be a positive number/,
    ],
    [['--api', 'http://127.0.0.1:3000', '--verbose'], /unknown argument "--verbose"/],
    [['--api', 'https://mail-api.acme.com'], /cannot tell the AWS region from mail-api\.acme\.com/],
  ])('exits 2 with a message for %j', async (argv, message) => {
    const { code, err, out } = await run(...argv);
    expect(code).toBe(2);
    expect(err).toMatch(message);
    expect(out).toBe('');
  });
});
