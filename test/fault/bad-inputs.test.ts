import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Context, SQSEvent } from 'aws-lambda';
import type { SQSBatchResponse } from 'aws-lambda/trigger/sqs';
import { signUnsubscribeToken } from '../../lambdas/feedback/unsubscribe-token';
import { startApiGatewayServer } from '../../local/api-gateway-server';
import { sqsRecord } from '../unit/fixtures/sqs-events';
import { createHandlers, type HandlerWorld, startHandlerWorld } from './support/handler-world';

/**
 * A catalogue of hostile inputs, each sent to the real handler (the api handler behind local
 * mode's API Gateway stand-in; the sender, fan-out and events handlers with SQS events), each with
 * the answer it must get, and each checked to have sent nothing and changed nothing: every table
 * (the rate ledger aside: senders report their rate after every batch), every queue's depth, and
 * the SES send count are the same before and after.
 */
type Handler<E, R> = (event: E, context: Context) => Promise<R>;
let world: HandlerWorld;
let server: Server;
let apiUrl: string;
let sender: Handler<SQSEvent, SQSBatchResponse>;
let fanout: Handler<SQSEvent, SQSBatchResponse>;
let events: Handler<SQSEvent, SQSBatchResponse>;
const ids = { draft: '', empty: '', sending: '', cancelled: '', sendingGeneration: 0 };

interface Answer {
  status: number;
  code?: string;
  text: string;
}

async function call(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const raw = body === undefined || typeof body === 'string' ? body : JSON.stringify(body);
  const contentType: Record<string, string> =
    typeof body === 'object' ? { 'content-type': 'application/json' } : {};
  const response = await fetch(`${apiUrl}${path}`, {
    method,
    headers: { ...contentType, ...headers },
    ...(raw === undefined ? {} : { body: raw }),
  });
  const text = await response.text();
  let code: string | undefined;
  try {
    code = (JSON.parse(text) as { error?: { code?: string } }).error?.code;
  } catch {
    code = undefined;
  }
  return { status: response.status, ...(code ? { code } : {}), text };
}

const context = {
  getRemainingTimeInMillis: () => 60_000,
  functionName: 'bad-inputs',
  awsRequestId: 'bad-inputs',
} as unknown as Context;

/** One SQS record, as the event source mapping hands it over. */
function sqsEvent(body: string, eventSourceARN: string): SQSEvent {
  return {
    Records: [
      sqsRecord(body, { messageId: 'hostile-1', receiptHandle: 'r', eventSourceARN, awsRegion: 'us-east-1' }),
    ],
  };
}

beforeAll(async () => {
  world = await startHandlerWorld();
  const handlers = createHandlers();
  sender = handlers.sender;
  fanout = handlers.fanout;
  events = handlers.events;
  server = await startApiGatewayServer(handlers.api, 0);
  apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  // What the hostile inputs aim at.
  const content = {
    subject: 'Hi {{first_name}}',
    html: '<p>Hi {{first_name}}</p>',
    text: 'Hi {{first_name}}',
  };
  expect((await call('PUT', '/v1/templates/welcome', content)).status).toBe(201);
  expect((await call('PUT', '/v1/suppressions/blocked@example.org', { reason: 'manual' })).status).toBe(201);
  const create = async (name: string) => {
    const created = await call('POST', '/v1/campaigns', { name, ...content });
    return String((JSON.parse(created.text) as { id: string }).id);
  };
  const recipients = { recipients: [{ email: 'ann@example.org', data: { first_name: 'Ann' } }] };
  ids.draft = await create('draft');
  await call('POST', `/v1/campaigns/${ids.draft}/recipients`, recipients);
  ids.empty = await create('empty');
  ids.sending = await create('sending');
  await call('POST', `/v1/campaigns/${ids.sending}/recipients`, recipients);
  const sent = await call('POST', `/v1/campaigns/${ids.sending}/send`);
  ids.sendingGeneration = (JSON.parse(sent.text) as { fanoutGeneration?: number }).fanoutGeneration ?? 1;
  ids.cancelled = await create('cancelled');
  await call('POST', `/v1/campaigns/${ids.cancelled}/cancel`);
}, 120_000);

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((done) => server?.close(done));
  await world?.stop();
});

interface HttpCase {
  name: string;
  request: () => [string, string, unknown?, Record<string, string>?];
  status: number;
  code?: string;
  /** A wrong answer found by this catalogue: the expectation is what it should be (see README). */
  finding?: string;
  /** What the answer must say (a row's reason, what would fix the request). */
  says?: RegExp;
}

const valid = { to: 'jane@example.org', subject: 'Code', text: 'Your code is 1' };
const csv = { 'content-type': 'text/csv' };
const rows = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ email: `r${i}@example.org`, data: { first_name: 'R' } }));

const forge = (key: unknown) => Buffer.from(JSON.stringify(key)).toString('base64url');
/** 60,000 nested arrays (120 KB of JSON): any recursive walk of it overflows the stack (issue 11 review, B1). */
const DEEP = `${'['.repeat(60_000)}1${']'.repeat(60_000)}`;
const json = { 'content-type': 'application/json' };
const BOUNDARY = '----hostile0boundary';
const annToken = () =>
  signUnsubscribeToken({ email: 'ann@example.org', campaignId: ids.draft }, world.secret);

const HTTP_CASES: HttpCase[] = [
  // POST /v1/emails
  {
    name: 'email: not JSON (text/plain)',
    request: () => ['POST', '/v1/emails', 'to=a', { 'content-type': 'text/plain' }],
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    name: 'email: broken JSON',
    request: () => ['POST', '/v1/emails', '{"to":', { 'content-type': 'application/json' }],
    status: 400,
    code: 'invalid_json',
  },
  {
    name: 'email: empty body',
    request: () => ['POST', '/v1/emails', '', { 'content-type': 'application/json' }],
    status: 400,
    code: 'invalid_json',
  },
  {
    name: 'email: a JSON array',
    request: () => ['POST', '/v1/emails', []],
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'email: JSON null',
    request: () => ['POST', '/v1/emails', 'null', { 'content-type': 'application/json' }],
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'email: CRLF header injection in to',
    request: () => ['POST', '/v1/emails', { ...valid, to: 'jane@example.org\r\nBcc: all@example.org' }],
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'email: CRLF injection in subject',
    request: () => ['POST', '/v1/emails', { ...valid, subject: 'Hi\r\nBcc: all@example.org' }],
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'email: data of 60,000 nested arrays',
    request: () => [
      'POST',
      '/v1/emails',
      `{"to":"jane@example.org","subject":"s","text":"t","data":{"d":${DEEP}}}`,
      json,
    ],
    status: 422,
    code: 'render_limit_exceeded',
    says: /data: nested deeper than 32 levels/,
  },
  {
    name: 'email: data of 60,000 nested arrays, with an Idempotency-Key (the body hash)',
    request: () => [
      'POST',
      '/v1/emails',
      `{"to":"jane@example.org","subject":"s","text":"t","data":{"d":${DEEP}}}`,
      { ...json, 'idempotency-key': 'deep-1' },
    ],
    status: 422,
    code: 'render_limit_exceeded',
  },
  {
    name: 'email: tags of 60,000 nested arrays',
    request: () => [
      'POST',
      '/v1/emails',
      `{"to":"jane@example.org","subject":"s","text":"t","tags":{"a":${DEEP}}}`,
      json,
    ],
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'email: 51 recipients',
    request: () => ['POST', '/v1/emails', { ...valid, to: rows(51).map((r) => r.email) }],
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'email: a Bcc custom header',
    request: () => ['POST', '/v1/emails', { ...valid, headers: { Bcc: 'all@example.org' } }],
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'email: a header value with LF',
    request: () => ['POST', '/v1/emails', { ...valid, headers: { 'X-Note': 'a\nBcc: b@example.org' } }],
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'email: the reserved tag StReAm',
    request: () => ['POST', '/v1/emails', { ...valid, tags: { StReAm: 'bulk' } }],
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'email: an unknown field',
    request: () => ['POST', '/v1/emails', { ...valid, attachments: [] }],
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'email: from another domain',
    request: () => ['POST', '/v1/emails', { ...valid, from: 'ceo@bank.example' }],
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'email: a quoted local part',
    request: () => ['POST', '/v1/emails', { ...valid, to: '"a b"@example.org' }],
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'email: template and inline html together',
    request: () => ['POST', '/v1/emails', { to: 'a@example.org', template: 'welcome', html: '<p>x</p>' }],
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'email: a merge variable without a value',
    request: () => ['POST', '/v1/emails', { ...valid, text: 'Hi {{name}}', data: {} }],
    status: 422,
    code: 'missing_variable',
  },
  {
    name: 'email: a prototype walk in a merge tag',
    request: () => ['POST', '/v1/emails', { ...valid, text: '{{constructor.constructor}}', data: {} }],
    status: 422,
    code: 'missing_variable',
  },
  {
    name: 'email: four nested loops over 70 items (24 million iterations)',
    request: () => [
      'POST',
      '/v1/emails',
      {
        ...valid,
        html: '{{#each i}}{{#each @root.i}}{{#each @root.i}}{{#each @root.i}}x{{/each}}{{/each}}{{/each}}{{/each}}',
        data: { i: Array.from({ length: 70 }, (_, n) => n) },
      },
    ],
    status: 422,
    code: 'render_limit_exceeded',
  },
  {
    name: 'email: one value repeated past a million characters',
    request: () => [
      'POST',
      '/v1/emails',
      { ...valid, text: '{{v}}'.repeat(20_000), data: { v: 'v'.repeat(100) } },
    ],
    status: 422,
    code: 'render_limit_exceeded',
  },
  {
    name: 'email: an unknown template',
    request: () => ['POST', '/v1/emails', { to: 'a@example.org', template: 'nope', data: {} }],
    status: 422,
    code: 'unknown_template',
  },
  {
    name: 'email: every recipient suppressed',
    request: () => ['POST', '/v1/emails', { ...valid, to: 'BLOCKED@example.org' }],
    status: 422,
    code: 'all_recipients_suppressed',
  },
  {
    name: 'email: Idempotency-Key with a space',
    request: () => ['POST', '/v1/emails', valid, { 'idempotency-key': 'my key' }],
    status: 400,
    code: 'invalid_idempotency_key',
  },
  {
    name: 'email: Idempotency-Key of 256 characters',
    request: () => ['POST', '/v1/emails', valid, { 'idempotency-key': 'k'.repeat(256) }],
    status: 400,
    code: 'invalid_idempotency_key',
  },
  {
    name: 'email: a 300 KB body',
    request: () => ['POST', '/v1/emails', { ...valid, text: 'x'.repeat(300 * 1024) }],
    status: 413,
    code: 'too_large',
  },
  // GET /v1/emails/{id}
  {
    name: 'email id: path traversal',
    request: () => ['GET', '/v1/emails/..%2F..%2Fetc%2Fpasswd'],
    status: 404,
    code: 'not_found',
  },
  {
    name: 'email id: broken percent-encoding',
    request: () => ['GET', '/v1/emails/%E0%A4%A'],
    status: 400,
    code: 'invalid_path',
  },
  // Templates
  {
    name: 'template: a 65-character name',
    request: () => ['PUT', `/v1/templates/${'t'.repeat(65)}`, { subject: 's', text: 't' }],
    status: 400,
    code: 'invalid_template_name',
  },
  {
    name: 'template: a syntax error',
    request: () => ['PUT', '/v1/templates/broken', { subject: 's', html: '{{#if}}' }],
    status: 400,
    code: 'template_syntax_error',
  },
  {
    // Handlebars took 74 s on this before it was refused by a scan (the API times out at 10 s).
    name: 'template: blocks nested 8,000 deep',
    request: () => [
      'PUT',
      '/v1/templates/deep',
      { subject: 's', html: `${'{{#if a}}'.repeat(8000)}x${'{{/if}}'.repeat(8000)}` },
    ],
    status: 400,
    code: 'template_syntax_error',
  },
  {
    name: 'email: inline html with blocks nested 8,000 deep',
    request: () => [
      'POST',
      '/v1/emails',
      {
        to: 'a@example.com',
        subject: 's',
        html: `${'{{#if a}}'.repeat(8000)}x${'{{/if}}'.repeat(8000)}`,
        data: { a: true },
      },
    ],
    status: 422,
    code: 'unrenderable',
  },
  {
    name: 'template: neither html nor text',
    request: () => ['PUT', '/v1/templates/empty', { subject: 's' }],
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'template: a part over 128 KB',
    request: () => ['PUT', '/v1/templates/big', { subject: 's', text: 'x'.repeat(129 * 1024) }],
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'templates: limit=0',
    request: () => ['GET', '/v1/templates?limit=0'],
    status: 400,
    code: 'invalid_limit',
  },
  {
    name: 'templates: a forged cursor',
    request: () => ['GET', `/v1/templates?cursor=${Buffer.from('{"name":1}').toString('base64url')}`],
    status: 400,
    code: 'invalid_cursor',
  },
  ...(
    [
      ['templates', '/v1/templates', { name: '' }],
      ['campaigns', '/v1/campaigns', { id: '' }],
      ['suppressions', '/v1/suppressions', { email: '' }],
      ['suppressions by reason', '/v1/suppressions?reason=manual', { email: '', reason: 'manual' }],
    ] as const
  ).map(
    ([what, path, key]): HttpCase => ({
      name: `${what}: a forged cursor whose key is an empty string`,
      request: () => ['GET', `${path}${path.includes('?') ? '&' : '?'}cursor=${forge(key)}`],
      status: 400,
      code: 'invalid_cursor',
    }),
  ),
  {
    name: 'campaigns: a forged cursor of the issue (eyJpZCI6IiJ9, {"id":""})',
    request: () => ['GET', '/v1/campaigns?cursor=eyJpZCI6IiJ9'],
    status: 400,
    code: 'invalid_cursor',
  },
  {
    name: 'suppressions: a forged cursor with an address of 2 KB',
    request: () => ['GET', `/v1/suppressions?cursor=${forge({ email: `${'a'.repeat(2048)}@example.org` })}`],
    status: 400,
    code: 'invalid_cursor',
  },
  {
    name: 'template: delete one that does not exist',
    request: () => ['DELETE', '/v1/templates/ghost'],
    status: 404,
    code: 'not_found',
  },
  // Campaigns
  {
    name: 'campaign: a name with a newline',
    request: () => ['POST', '/v1/campaigns', { name: 'a\nb', subject: 's', text: 't' }],
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'campaign: from another domain',
    request: () => [
      'POST',
      '/v1/campaigns',
      { name: 'x', from: 'ceo@bank.example', subject: 's', text: 't' },
    ],
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'campaign: a syntax error in html',
    request: () => ['POST', '/v1/campaigns', { name: 'x', subject: 's', html: '{{#each}}' }],
    status: 400,
    code: 'template_syntax_error',
  },
  {
    name: 'campaign: a 101-character id',
    request: () => ['GET', `/v1/campaigns/${'c'.repeat(101)}`],
    status: 404,
    code: 'not_found',
  },
  // Campaign edits (PATCH): each refused, the campaign unchanged (the snapshot).
  {
    name: 'campaign edit: an empty body',
    request: () => ['PATCH', `/v1/campaigns/${ids.draft}`, {}],
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'campaign edit: a template and inline content',
    request: () => ['PATCH', `/v1/campaigns/${ids.draft}`, { template: 'welcome', subject: 's' }],
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'campaign edit: both parts removed',
    request: () => ['PATCH', `/v1/campaigns/${ids.draft}`, { html: null, text: null }],
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'campaign edit: an encoded sender name hiding CR LF',
    request: () => [
      'PATCH',
      `/v1/campaigns/${ids.draft}`,
      {
        from: `=?UTF-8?B?${Buffer.from('Eve\r\nBcc: x@evil.test').toString('base64')}?= <hello@example.com>`,
      },
    ],
    status: 400,
    code: 'validation_failed',
    says: /control characters/,
  },
  {
    name: 'campaign edit: content its recipient cannot render',
    request: () => ['PATCH', `/v1/campaigns/${ids.draft}`, { subject: 'Your {{plan}} plan' }],
    status: 422,
    code: 'unrenderable_for_recipients',
  },
  {
    name: 'campaign edit: a campaign that is sending',
    request: () => ['PATCH', `/v1/campaigns/${ids.sending}`, { name: 'late' }],
    status: 409,
    code: 'invalid_state',
  },
  {
    name: 'campaign edit: not JSON',
    request: () => [
      'PATCH',
      `/v1/campaigns/${ids.draft}`,
      '{"name":',
      { 'content-type': 'application/json' },
    ],
    status: 400,
    code: 'invalid_json',
  },
  {
    name: 'campaign edit: an unknown id',
    request: () => ['PATCH', '/v1/campaigns/no-such-campaign', { name: 'x' }],
    status: 404,
    code: 'not_found',
  },
  {
    name: 'campaigns: a forged cursor',
    request: () => ['GET', '/v1/campaigns?cursor=not-a-cursor'],
    status: 400,
    code: 'invalid_cursor',
  },
  // Recipients
  {
    name: 'recipients: an unknown campaign',
    request: () => ['POST', '/v1/campaigns/ghost/recipients', { recipients: rows(1) }],
    status: 404,
    code: 'not_found',
  },
  {
    name: 'recipients: 1,001 in JSON',
    request: () => ['POST', `/v1/campaigns/${ids.draft}/recipients`, { recipients: rows(1001) }],
    status: 400,
    code: 'too_many_recipients',
  },
  {
    name: 'recipients: an empty JSON list (a CSV without rows is no_rows)',
    request: () => ['POST', `/v1/campaigns/${ids.draft}/recipients`, { recipients: [] }],
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'recipients: CSV without an email column',
    request: () => ['POST', `/v1/campaigns/${ids.draft}/recipients`, 'name\nAnn\n', csv],
    status: 400,
    code: 'invalid_csv',
  },
  {
    name: 'recipients: CSV with an unclosed quote',
    request: () => [
      'POST',
      `/v1/campaigns/${ids.draft}/recipients`,
      'email,first_name\n"ann@example.org,Ann\n',
      csv,
    ],
    status: 400,
    code: 'invalid_csv',
  },
  {
    name: 'recipients: CSV of 1,001 rows',
    request: () => [
      'POST',
      `/v1/campaigns/${ids.draft}/recipients`,
      `email,first_name\n${rows(1001)
        .map((r) => `${r.email},R`)
        .join('\n')}\n`,
      csv,
    ],
    status: 400,
    code: 'too_many_recipients',
  },
  {
    name: 'recipients: CSV with a header and no rows',
    request: () => ['POST', `/v1/campaigns/${ids.draft}/recipients`, 'email,first_name\n', csv],
    status: 400,
    code: 'no_rows',
  },
  {
    name: 'recipients: every row invalid (is answered 200, adds nothing)',
    request: () => [
      'POST',
      `/v1/campaigns/${ids.draft}/recipients`,
      { recipients: [{ email: 'not an address' }, { email: 'x@example.org' }] },
    ],
    status: 200,
  },
  {
    name: 'recipients: a row whose data is 60,000 nested arrays (an invalid row, adds nothing)',
    request: () => [
      'POST',
      `/v1/campaigns/${ids.draft}/recipients`,
      `{"recipients":[{"email":"deep@example.org","data":{"first_name":"D","d":${DEEP}}}]}`,
      json,
    ],
    status: 200,
    says: /"added":0.*"row":1,"email":"deep@example.org","reason":"data\.d(\[0\])+: nested deeper than 8 levels"/,
  },
  {
    name: 'recipients: a row that is 60,000 nested arrays',
    request: () => ['POST', `/v1/campaigns/${ids.draft}/recipients`, `{"recipients":[${DEEP}]}`, json],
    status: 200,
    says: /"added":0.*"row":1/,
  },
  {
    name: 'recipients: CSV separated by semicolons',
    request: () => [
      'POST',
      `/v1/campaigns/${ids.draft}/recipients`,
      'email;first_name\nann@example.org;Ann\n',
      csv,
    ],
    status: 400,
    code: 'invalid_csv',
    says: /columns must be separated by commas, not \\";\\"/,
  },
  {
    name: 'recipients: CSV with an "Email Address" header',
    request: () => [
      'POST',
      `/v1/campaigns/${ids.draft}/recipients`,
      'Email Address,first_name\nann@example.org,Ann\n',
      csv,
    ],
    status: 400,
    code: 'invalid_csv',
    says: /rename \\"Email Address\\" to \\"email\\"/,
  },
  {
    name: 'recipients: to a campaign that is sending',
    request: () => ['POST', `/v1/campaigns/${ids.sending}/recipients`, { recipients: rows(1) }],
    status: 409,
    code: 'invalid_state',
  },
  // Campaign actions
  {
    name: 'send: a campaign without recipients',
    request: () => ['POST', `/v1/campaigns/${ids.empty}/send`],
    status: 422,
    code: 'no_recipients',
  },
  {
    name: 'send: at "tomorrow"',
    request: () => ['POST', `/v1/campaigns/${ids.draft}/send`, { at: 'tomorrow' }],
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'send: a cancelled campaign',
    request: () => ['POST', `/v1/campaigns/${ids.cancelled}/send`],
    status: 409,
    code: 'invalid_state',
  },
  {
    name: 'pause: a draft',
    request: () => ['POST', `/v1/campaigns/${ids.draft}/pause`],
    status: 409,
    code: 'invalid_state',
  },
  {
    name: 'resume: a sending campaign',
    request: () => ['POST', `/v1/campaigns/${ids.sending}/resume`],
    status: 409,
    code: 'invalid_state',
  },
  {
    name: 'test send: six addresses',
    request: () => ['POST', `/v1/campaigns/${ids.draft}/test`, { to: rows(6).map((r) => r.email) }],
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'test send: data of 60,000 nested arrays',
    request: () => [
      'POST',
      `/v1/campaigns/${ids.draft}/test`,
      `{"to":"me@example.org","data":{"first_name":"M","d":${DEEP}}}`,
      json,
    ],
    status: 422,
    code: 'render_limit_exceeded',
    says: /data: nested deeper than 32 levels/,
  },
  {
    name: 'test send: a merge variable without a value',
    request: () => ['POST', `/v1/campaigns/${ids.draft}/test`, { to: 'me@example.org', data: {} }],
    status: 422,
    code: 'missing_variable',
  },
  // Suppressions
  {
    name: 'suppression: not an address',
    request: () => ['PUT', '/v1/suppressions/not-an-address', { reason: 'manual' }],
    status: 400,
    code: 'invalid_email',
  },
  {
    name: 'suppressions: an unknown reason filter',
    request: () => ['GET', '/v1/suppressions?reason=spite'],
    status: 400,
    code: 'invalid_reason',
  },
  {
    name: 'suppressions: a cursor on a key SES reported that is not an address (continues: 200)',
    request: () => ['GET', `/v1/suppressions?cursor=${forge({ email: '"unclosed <jane@example.org' })}`],
    status: 200,
  },
  {
    name: 'suppressions by reason: a cursor on a key that is not an address (continues: 200)',
    request: () => [
      'GET',
      `/v1/suppressions?reason=bounce&cursor=${forge({ email: 'undisclosed recipients', reason: 'bounce' })}`,
    ],
    status: 200,
  },
  {
    name: 'suppression: delete one that does not exist',
    request: () => ['DELETE', '/v1/suppressions/nobody@example.org'],
    status: 404,
    code: 'not_found',
  },
  // Unsubscribe (public)
  {
    name: 'unsubscribe page: a forged token',
    request: () => ['GET', '/unsubscribe?token=forged.token'],
    status: 400,
  },
  {
    name: 'one-click unsubscribe: a forged token',
    request: () => [
      'POST',
      '/unsubscribe?token=forged.token',
      'List-Unsubscribe=One-Click',
      { 'content-type': 'application/x-www-form-urlencoded' },
    ],
    status: 400,
  },
  {
    name: 'one-click unsubscribe: a real token without the one-click form',
    request: () => [
      'POST',
      `/unsubscribe?token=${signUnsubscribeToken({ email: 'ann@example.org', campaignId: ids.draft }, world.secret)}`,
      'List-Unsubscribe=No',
      { 'content-type': 'application/x-www-form-urlencoded' },
    ],
    status: 400,
  },
  {
    name: 'one-click unsubscribe: a real token and no body at all',
    request: () => ['POST', `/unsubscribe?token=${annToken()}`],
    status: 400,
  },
  {
    name: 'one-click unsubscribe: a real token and multipart without the one-click field',
    request: () => [
      'POST',
      `/unsubscribe?token=${annToken()}`,
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nNo\r\n--${BOUNDARY}--\r\n`,
      { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
    ],
    status: 400,
  },
  {
    name: 'one-click unsubscribe: a real token and multipart cut off before its closing boundary',
    request: () => [
      'POST',
      `/unsubscribe?token=${annToken()}`,
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click`,
      { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
    ],
    status: 400,
  },
  {
    name: 'one-click unsubscribe: a real token and multipart without a boundary',
    request: () => [
      'POST',
      `/unsubscribe?token=${annToken()}`,
      'List-Unsubscribe=One-Click',
      { 'content-type': 'multipart/form-data' },
    ],
    status: 400,
  },
  {
    name: 'one-click unsubscribe: the one-click field behind --boundaryEXTRA (part content, RFC 2046)',
    request: () => [
      'POST',
      `/unsubscribe?token=${annToken()}`,
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="a"\r\n\r\nx\r\n--${BOUNDARY}EXTRA\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--${BOUNDARY}--\r\n`,
      { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
    ],
    status: 400,
  },
  {
    name: 'one-click unsubscribe: a boundary of 71 characters',
    request: () => [
      'POST',
      `/unsubscribe?token=${annToken()}`,
      `--${'b'.repeat(71)}\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--${'b'.repeat(71)}--\r\n`,
      { 'content-type': `multipart/form-data; boundary=${'b'.repeat(71)}` },
    ],
    status: 400,
    says: /boundary is too long/,
  },
  {
    name: 'one-click unsubscribe: a real token and a JSON body',
    request: () => [
      'POST',
      `/unsubscribe?token=${annToken()}`,
      '{"List-Unsubscribe":"One-Click"}',
      { 'content-type': 'application/json' },
    ],
    status: 415,
  },
  {
    name: 'one-click unsubscribe: the one-click form with a test send token (multipart)',
    request: () => [
      'POST',
      `/unsubscribe?token=${signUnsubscribeToken({ email: 'ann@example.org', campaignId: ids.draft, test: true }, world.secret)}`,
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--${BOUNDARY}--\r\n`,
      { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
    ],
    // Answered (the test page) and, like every case here, nothing changed.
    status: 200,
  },
  // Account and routing
  {
    name: 'account: bulk resume when nothing is paused',
    request: () => ['POST', '/v1/account/bulk/resume'],
    status: 409,
    code: 'not_paused',
  },
  {
    name: 'account: POST',
    request: () => ['POST', '/v1/account', {}],
    status: 405,
    code: 'method_not_allowed',
  },
  { name: 'routing: an unknown route', request: () => ['GET', '/v2/emails'], status: 404, code: 'not_found' },
  {
    name: 'routing: DELETE /v1/emails',
    request: () => ['DELETE', '/v1/emails'],
    status: 405,
    code: 'method_not_allowed',
  },
];

interface SqsCase {
  name: string;
  handler: 'transactional' | 'bulk' | 'fanout' | 'events';
  body: () => string;
  /** `retried`: reported as a batch item failure (SQS delivers it again, then the DLQ keeps it). `dropped`: nothing to do. */
  outcome: 'retried' | 'dropped';
  finding?: string;
}

const SQS_CASES: SqsCase[] = [
  { name: 'transactional: not JSON', handler: 'transactional', body: () => 'not json', outcome: 'retried' },
  { name: 'transactional: {}', handler: 'transactional', body: () => '{}', outcome: 'retried' },
  {
    name: 'transactional: an extra field',
    handler: 'transactional',
    body: () => '{"messageId":"x","send":"twice"}',
    outcome: 'retried',
  },
  {
    name: 'transactional: a message id of 101 characters',
    handler: 'transactional',
    body: () => JSON.stringify({ messageId: 'm'.repeat(101) }),
    outcome: 'retried',
  },
  {
    name: 'transactional: an unknown message',
    handler: 'transactional',
    body: () => '{"messageId":"ghost"}',
    outcome: 'dropped',
  },
  { name: 'bulk: not JSON', handler: 'bulk', body: () => '{{{', outcome: 'retried' },
  { name: 'bulk: a JSON array', handler: 'bulk', body: () => '[]', outcome: 'retried' },
  {
    name: 'bulk: an address of 300 characters',
    handler: 'bulk',
    body: () => JSON.stringify({ campaignId: ids.sending, email: `${'a'.repeat(290)}@example.org` }),
    outcome: 'retried',
  },
  {
    name: 'bulk: an unknown campaign',
    handler: 'bulk',
    body: () => '{"campaignId":"ghost","email":"ann@example.org"}',
    outcome: 'dropped',
  },
  {
    name: 'bulk: someone not on the list of a sending campaign',
    handler: 'bulk',
    body: () => JSON.stringify({ campaignId: ids.sending, email: 'stranger@example.org' }),
    outcome: 'dropped',
  },
  {
    name: 'bulk: a draft campaign',
    handler: 'bulk',
    body: () => JSON.stringify({ campaignId: ids.draft, email: 'ann@example.org' }),
    outcome: 'dropped',
  },
  { name: 'fan-out: not JSON', handler: 'fanout', body: () => 'nope', outcome: 'retried' },
  {
    name: 'fan-out: an unknown kind',
    handler: 'fanout',
    body: () => JSON.stringify({ kind: 'explode', campaignId: ids.sending, generation: 1 }),
    outcome: 'retried',
  },
  {
    name: 'fan-out: a negative generation',
    handler: 'fanout',
    body: () => JSON.stringify({ kind: 'fanout', campaignId: ids.sending, generation: -1 }),
    outcome: 'retried',
  },
  {
    name: 'fan-out: a stale generation',
    handler: 'fanout',
    body: () => JSON.stringify({ kind: 'fanout', campaignId: ids.sending, generation: 999 }),
    outcome: 'dropped',
  },
  {
    name: 'fan-out: a forged cursor',
    handler: 'fanout',
    body: () =>
      JSON.stringify({
        kind: 'fanout',
        campaignId: ids.sending,
        generation: ids.sendingGeneration,
        cursor: 'forged',
      }),
    outcome: 'dropped',
  },
  {
    name: 'fan-out: a cancel sweep of an old generation',
    handler: 'fanout',
    body: () => JSON.stringify({ kind: 'cancel', campaignId: ids.cancelled, generation: 0 }),
    outcome: 'dropped',
  },
  { name: 'events: not JSON', handler: 'events', body: () => 'garbage', outcome: 'retried' },
  {
    name: 'events: an SNS envelope whose Message is not JSON',
    handler: 'events',
    body: () => JSON.stringify({ Type: 'Notification', Message: '{oops' }),
    outcome: 'retried',
  },
  {
    name: 'events: an unknown event type',
    handler: 'events',
    body: () => JSON.stringify({ eventType: 'Teleport', mail: {} }),
    outcome: 'retried',
  },
];

describe('hostile HTTP requests: refused with the right answer, nothing sent, nothing changed', () => {
  it('covers every route kind with enough cases', () => {
    expect(HTTP_CASES.length + SQS_CASES.length).toBeGreaterThanOrEqual(40);
  });

  for (const c of HTTP_CASES) {
    const test = c.finding ? it.failing : it;
    test(`${c.finding ? `FINDING ${c.finding}: ` : ''}${c.name} → ${c.status}${c.code ? ` ${c.code}` : ''}`, async () => {
      const before = await world.snapshot();
      const [method, path, body, headers] = c.request();
      const answer = await call(method, path, body, headers);
      expect({ status: answer.status, code: answer.code }).toEqual({ status: c.status, code: c.code });
      if (c.says) expect(answer.text).toMatch(c.says);
      expect(await world.snapshot()).toEqual(before);
    });
  }
});

describe('hostile SQS messages: retried to the DLQ or dropped, nothing sent, nothing changed', () => {
  for (const c of SQS_CASES) {
    const test = c.finding ? it.failing : it;
    test(`${c.finding ? `FINDING ${c.finding}: ` : ''}${c.name} → ${c.outcome}`, async () => {
      const before = await world.snapshot();
      const arn = c.handler === 'bulk' ? world.queues.bulk.arn : world.queues[c.handler].arn;
      const handler = { transactional: sender, bulk: sender, fanout, events }[c.handler];
      const response = await handler(sqsEvent(c.body(), arn), context);
      const failures = response.batchItemFailures.map((f) => f.itemIdentifier);
      expect(failures).toEqual(c.outcome === 'retried' ? ['hostile-1'] : []);
      expect(await world.snapshot()).toEqual(before);
    });
  }
});
