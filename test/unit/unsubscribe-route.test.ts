import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { StoredMessage } from '../../lambdas/emails/message';
import { signUnsubscribeToken } from '../../lambdas/feedback/unsubscribe-token';
import { readForm } from '../../lambdas/functions/api/form';
import { API_SECRET, apiHarness } from './support/api-harness';

const token = signUnsubscribeToken({ email: 'jane@example.org', campaignId: 'c1' }, API_SECRET);

function setup() {
  const submitted: StoredMessage[] = [];
  let ids = 0;
  const harness = apiHarness({
    newId: () => `id-${++ids}`,
    accountQuota: async () => {
      throw new Error('not used');
    },
    submitMessage: async (message) => {
      submitted.push(message);
    },
  });
  const call = async (
    method: string,
    path: string,
    body?: string,
    headers: Record<string, string> = {},
    isBase64Encoded = false,
  ): Promise<{ status: number; text: string }> => {
    const result = await harness.call(method, path, { body: body ?? null, headers, isBase64Encoded });
    return { status: result.statusCode, text: result.body };
  };
  const { suppressions, products, totals } = harness;
  return { call, suppressions, products, totals, submitted };
}

const BOUNDARY = '----mailprovider7MA4YWxkTrZu0gW';
const multipartType = { 'Content-Type': `multipart/form-data; boundary=${BOUNDARY}` };
function multipart(fields: [string, string][], { preamble = '' } = {}): string {
  const parts = fields.map(
    ([name, value]) => `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
  );
  return `${preamble}${parts.join('')}--${BOUNDARY}--\r\n`;
}

describe('POST /unsubscribe: both form encodings', () => {
  it.each([
    ['multipart/form-data (what RFC 8058 asks for)', multipart([['List-Unsubscribe', 'One-Click']]), false],
    [
      'multipart with extra fields and a preamble',
      multipart(
        [
          ['List-Unsubscribe', 'One-Click'],
          ['source', 'gmail'],
        ],
        { preamble: 'This is a MIME preamble.\r\n' },
      ),
      false,
    ],
    [
      'multipart, base64-encoded as API Gateway hands binary bodies over',
      Buffer.from(multipart([['List-Unsubscribe', 'One-Click']])).toString('base64'),
      true,
    ],
  ])('suppresses the address for a one-click POST as %s', async (_, body, base64) => {
    const { call, suppressions } = setup();
    const answer = await call('POST', `/unsubscribe?token=${token}`, body, multipartType, base64);
    expect(answer.status).toBe(200);
    expect(answer.text).toContain('You are unsubscribed');
    expect(suppressions.full.get('jane@example.org')).toMatchObject({ reason: 'unsubscribe', scope: 'bulk' });
  });

  it('suppresses the address for a one-click POST sent urlencoded', async () => {
    const { call, suppressions } = setup();
    const answer = await call('POST', `/unsubscribe?token=${token}`, 'List-Unsubscribe=One-Click', {
      'Content-Type': 'application/x-www-form-urlencoded',
    });
    expect(answer.status).toBe(200);
    expect(suppressions.entries.get('jane@example.org')).toBe('bulk');
  });

  it.each([
    ['no body', undefined, {}, 400, 'has no body'],
    [
      'a JSON body',
      '{"List-Unsubscribe":"One-Click"}',
      { 'Content-Type': 'application/json' },
      415,
      'must be a form',
    ],
    ['multipart without a boundary', 'x', { 'Content-Type': 'multipart/form-data' }, 400, 'no boundary'],
    [
      'multipart cut short',
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="a"\r\n\r\nx`,
      multipartType,
      400,
      'cannot be read',
    ],
    [
      'multipart without the one-click field',
      multipart([['other', 'x']]),
      multipartType,
      400,
      'List-Unsubscribe=One-Click',
    ],
  ])('says what is missing and changes nothing for %s', async (_, body, headers, status, says) => {
    const { call, suppressions } = setup();
    const answer = await call('POST', `/unsubscribe?token=${token}`, body, headers);
    expect(answer.status).toBe(status);
    expect(answer.text).toContain(says);
    expect(answer.text).toContain('Nothing was changed');
    expect(answer.text).not.toContain('incomplete or has been altered');
    expect(suppressions.full.size).toBe(0);
  });
});

describe('POST /unsubscribe: which way it came is recorded', () => {
  it.each([
    [
      'the RFC 8058 one-click POST',
      'List-Unsubscribe=One-Click',
      'one-click unsubscribe (RFC 8058 POST from the mail provider)',
    ],
    ['the unsubscribe page button', 'confirm=yes', 'unsubscribe page button'],
  ])('%s', async (_, body, detail) => {
    const { call, suppressions, products } = setup();
    await call('POST', `/unsubscribe?token=${token}`, body, {
      'Content-Type': 'application/x-www-form-urlencoded',
    });
    expect(suppressions.full.get('jane@example.org')?.detail).toBe(detail);
    expect(products.events).toEqual([expect.objectContaining({ type: 'unsubscribed', detail })]);
  });
});

describe('test sends: the unsubscribe link suppresses nobody', () => {
  async function testMailLink(call: ReturnType<typeof setup>['call'], submitted: StoredMessage[]) {
    const created = await call(
      'POST',
      '/v1/campaigns',
      JSON.stringify({ name: 'News', subject: 'Hi', html: '<a href="{{unsubscribe_url}}">Unsubscribe</a>' }),
      { 'Content-Type': 'application/json' },
    );
    const { id } = JSON.parse(created.text) as { id: string };
    const sent = await call(
      'POST',
      `/v1/campaigns/${id}/test`,
      JSON.stringify({ to: ['tess@example.org'] }),
      {
        'Content-Type': 'application/json',
      },
    );
    expect(sent.status).toBe(202);
    const header = submitted[0]?.headers.find((h) => h.name === 'List-Unsubscribe')?.value ?? '';
    const url = new URL(/^<(.+)>$/.exec(header)?.[1] ?? '');
    expect(submitted[0]?.html).toContain(url.searchParams.get('token'));
    return `${url.pathname}${url.search}`;
  }

  it.each([
    ['one-click POST', 'POST', 'List-Unsubscribe=One-Click'],
    ['page button', 'POST', 'confirm=yes'],
    ['confirmation page', 'GET', undefined],
  ])('answers the %s with "this was a test" and changes nothing', async (_, method, body) => {
    const { call, submitted, suppressions, products, totals } = setup();
    const link = await testMailLink(call, submitted);
    const answer = await call(method, link, body, { 'Content-Type': 'application/x-www-form-urlencoded' });
    expect(answer.status).toBe(200);
    expect(answer.text).toContain('This was a test mail');
    expect(answer.text).toContain('tess@example.org');
    expect(suppressions.full.size).toBe(0);
    expect(products.events).toEqual([]);
    expect(totals.totals.size).toBe(0);
  });
});

describe('readForm', () => {
  const event = (body: string, type: string) =>
    ({ body, isBase64Encoded: false, headers: { 'content-type': type } }) as unknown as APIGatewayProxyEvent;

  it('reads a quoted boundary, LF-only line ends, UTF-8 values and skips file parts', () => {
    const body = [
      '--b',
      'Content-Disposition: form-data; name="List-Unsubscribe"',
      '',
      'One-Click',
      '--b',
      'Content-Disposition: form-data; name="file"; filename="a.txt"',
      '',
      'ignored',
      '--b',
      'Content-Disposition: form-data; name="name"',
      '',
      'Zoë',
      '--b--',
    ].join('\n');
    const result = readForm(event(body, 'multipart/form-data; boundary="b"'));
    expect(result).toEqual({
      ok: true,
      fields: new Map([
        ['List-Unsubscribe', ['One-Click']],
        ['name', ['Zoë']],
      ]),
    });
  });

  // Issue 11 review (N6): RFC 2046 lets only spaces/tabs and a line end, or `--`, follow a boundary.
  it('takes --XyZEXTRA as part content, not as a delimiter of boundary XyZ', () => {
    const body = [
      '--XyZ',
      'Content-Disposition: form-data; name="a"',
      '',
      'x',
      '--XyZEXTRA',
      'Content-Disposition: form-data; name="List-Unsubscribe"',
      '',
      'One-Click',
      '--XyZ \t',
      'Content-Disposition: form-data; name="b"',
      '',
      'y',
      '--XyZ--',
    ].join('\r\n');
    expect(readForm(event(body, 'multipart/form-data; boundary=XyZ'))).toEqual({
      ok: true,
      fields: new Map([
        [
          'a',
          ['x\r\n--XyZEXTRA\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click'],
        ],
        ['b', ['y']],
      ]),
    });
  });

  it('says a boundary of 71 characters is too long (RFC 2046: at most 70), and takes one of 70', () => {
    const form = (b: string) =>
      `--${b}\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--${b}--\r\n`;
    for (const quoted of [false, true]) {
      const type = (b: string) => `multipart/form-data; boundary=${quoted ? `"${b}"` : b}`;
      expect(readForm(event(form('a'.repeat(71)), type('a'.repeat(71))))).toEqual({
        ok: false,
        problem: 'malformed',
        message:
          'The multipart/form-data body cannot be read: the boundary is too long: 71 characters, at most 70 (RFC 2046)',
      });
      expect(readForm(event(form('a'.repeat(70)), type('a'.repeat(70))))).toEqual({
        ok: true,
        fields: new Map([['List-Unsubscribe', ['One-Click']]]),
      });
    }
  });

  it('stops at 50 parts', () => {
    const body = `${'--b\r\nContent-Disposition: form-data; name="x"\r\n\r\n\r\n'.repeat(51)}--b--`;
    expect(readForm(event(body, 'multipart/form-data; boundary=b'))).toMatchObject({
      ok: false,
      problem: 'malformed',
    });
  });
});
