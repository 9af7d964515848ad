import { main } from '../../deploy/smoke/main';

const credentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};

/**
 * A fetch that records what it was asked and answers every request like GET /v1/account of an
 * account whose sending is disabled: step 1 fails at once, steps 2–4 are skipped, cleanup has
 * nothing to do. Enough to see how the smoke check's requests go out.
 */
function recordingFetch() {
  const requests: { url: string; headers: Record<string, string> }[] = [];
  const fake = async (input: string | URL | Request, init?: RequestInit) => {
    requests.push({ url: String(input), headers: { ...(init?.headers as Record<string, string>) } });
    return new Response(
      JSON.stringify({ sendingEnabled: false, enforcementStatus: 'SHUTDOWN', pausedStreams: [] }),
      {
        status: 200,
        headers: { 'content-type': 'application/json' },
      },
    );
  };
  return { requests, fetch: fake as typeof fetch };
}

const quiet = { out: () => {}, err: () => {} };

/** The smoke check calls the API through @mailroom/client; its signing is tested in client-signing.test.ts. */
describe('smoke check: which requests are signed', () => {
  it('signs its requests with SigV4 for execute-api in the host region, over the stage path', async () => {
    const { requests, fetch } = recordingFetch();

    const code = await main(['--api', 'https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/prod/'], {
      ...quiet,
      fetch,
      credentials,
    });

    expect(code).toBe(1);
    const [request] = requests;
    expect(request?.url).toBe('https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/prod/v1/account');
    expect(request?.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=[a-z0-9;-]*host;[a-z0-9;-]+, Signature=[0-9a-f]{64}$/,
    );
    expect(request?.headers['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/);
  });

  it('lets --region choose the region behind a custom domain', async () => {
    const { requests, fetch } = recordingFetch();

    await main(['--api', 'https://mail-api.acme.com/v1', '--region', 'eu-central-1'], {
      ...quiet,
      fetch,
      credentials,
    });

    expect(requests[0]?.headers.authorization).toMatch(/\/eu-central-1\/execute-api\/aws4_request/);
  });

  it('sends nothing signed to local mode', async () => {
    const { requests, fetch } = recordingFetch();

    await main(['--api', 'http://127.0.0.1:3000'], { ...quiet, fetch });

    expect(requests[0]?.url).toBe('http://127.0.0.1:3000/v1/account');
    expect(requests[0]?.headers.authorization).toBeUndefined();
  });

  it('reports missing AWS credentials as step 1 failing, with what to do, and sends nothing', async () => {
    const { requests, fetch } = recordingFetch();
    const out: string[] = [];
    const noCredentials = async () => {
      throw new Error('Could not load credentials from any providers');
    };

    const code = await main(['--api', 'https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/prod'], {
      out: (line) => out.push(line),
      err: () => {},
      fetch,
      credentials: noCredentials,
    });

    expect(code).toBe(1);
    expect(out.join('\n')).toMatch(
      /FAIL\s+1\. account .*no AWS credentials to sign the request with: .*Could not load credentials .*: set AWS_PROFILE, run aws sso login/,
    );
    expect(requests).toHaveLength(0);
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
    [['--api', 'http://mail-api.acme.com'], /plain http: only local mode/],
  ])('exits 2 with a message for %j', async (argv, message) => {
    const { code, err, out } = await run(...argv);
    expect(code).toBe(2);
    expect(err).toMatch(message);
    expect(out).toBe('');
  });
});
