import { type DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import {
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import {
  type ApiResponse,
  eventually,
  type LocalMode,
  localClients,
  startLocalMode,
} from './support/local-mode';
import { checkedApi } from './support/openapi-validator';
import { startRecordingSes } from './support/recording-ses';

jest.setTimeout(90_000);

let ses: Awaited<ReturnType<typeof startRecordingSes>>;
let local: LocalMode;
let sqs: SQSClient;
let dynamo: DynamoDBClient;
let queueUrl: string;

beforeAll(async () => {
  ses = await startRecordingSes();
  local = await startLocalMode({
    AWS_ENDPOINT_URL_SESV2: ses.endpoint,
    MAILROOM_SENDING_DOMAIN: 'acme.test',
  });
  ({ sqs, dynamo } = localClients(local));
  queueUrl = (await sqs.send(new GetQueueUrlCommand({ QueueName: 'mailroom-transactional' }))).QueueUrl ?? '';
});

afterAll(async () => {
  await local?.stop();
  await ses?.stop();
});

// Every answer of these flows is checked against docs/openapi.yaml (checkedApi).
const post = (body: unknown, headers: Record<string, string> = {}) =>
  checkedApi(local.apiUrl, 'POST', '/v1/emails', body, headers);
const inboxFor = async (subject: string) => (await ses.inbox()).filter((mail) => mail.subject === subject);
const sentStatus = (id: string) =>
  eventually(
    async () => {
      const shown = await checkedApi(local.apiUrl, 'GET', `/v1/emails/${id}`);
      return shown.body.status === 'sent' ? shown : undefined;
    },
    30_000,
    `message ${id} to be sent`,
  );

async function queueDrained(): Promise<void> {
  await eventually(
    async () => {
      const { Attributes = {} } = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: queueUrl,
          AttributeNames: [
            'ApproximateNumberOfMessages',
            'ApproximateNumberOfMessagesNotVisible',
            'ApproximateNumberOfMessagesDelayed',
          ],
        }),
      );
      const total = [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
      ]
        .map((name) => Number(Attributes[name as keyof typeof Attributes] ?? 0))
        .reduce((a, b) => a + b, 0);
      return total === 0 ? true : undefined;
    },
    30_000,
    'the queue to drain',
  );
}

async function storedMessages(): Promise<number> {
  return (await dynamo.send(new ScanCommand({ TableName: 'mailroom-messages', Select: 'COUNT' }))).Count ?? 0;
}

describe('a transactional mail through local mode', () => {
  it('uses the SES endpoint already set in the environment instead of its own emulator', () => {
    expect(local.output()).toContain('from the environment: AWS_ENDPOINT_URL_SESV2');
  });

  it('arrives in the inbox exactly once, with its headers, configuration set and tags', async () => {
    const subject = `Welcome ${Date.now()}`;
    const accepted = await post({
      to: 'Jane Doe <jane@example.org>',
      subject,
      html: '<p>Hello</p>',
      text: 'Hello',
      replyTo: 'support@acme.test',
      headers: { 'X-Request-Id': 'req-42' },
      tags: { app: 'signup' },
    });
    expect(accepted.status).toBe(202);
    const id = String(accepted.body.id);

    const shown = await sentStatus(id);
    expect(shown.body).toMatchObject({ status: 'sent', sesMessageId: expect.stringMatching(/^ses-/) });
    const mails = await inboxFor(subject);
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({
      from: '"Mailroom" <hello@acme.test>',
      destination: { to: ['"Jane Doe" <jane@example.org>'] },
      body: { html: '<p>Hello</p>', text: 'Hello' },
      headers: [{ name: 'X-Request-Id', value: 'req-42' }],
    });
    const request = ses.sends.find((s) => s.body.Content?.Simple?.Subject?.Data === subject);
    expect(request?.body).toMatchObject({
      ConfigurationSetName: 'transactional',
      EmailTags: [
        { Name: 'stream', Value: 'transactional' },
        { Name: 'messageId', Value: id },
        { Name: 'app', Value: 'signup' },
      ],
    });
  });

  it('sends nothing more when SQS delivers the same message again', async () => {
    const subject = `Duplicate ${Date.now()}`;
    const { body } = await post({ to: 'jane@example.org', subject, text: 'once' });
    await sentStatus(String(body.id));
    const sendsBefore = ses.sends.length;

    await sqs.send(
      new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify({ messageId: body.id }) }),
    );
    await queueDrained();

    expect(ses.sends.length).toBe(sendsBefore);
    expect(await inboxFor(subject)).toHaveLength(1);
  });

  it('answers a repeated Idempotency-Key with the first response and mails once', async () => {
    const subject = `Idempotent ${Date.now()}`;
    const key = `key-${Date.now()}`;
    const first = await post({ to: 'jane@example.org', subject, text: 'code 1' }, { 'Idempotency-Key': key });
    const again = await post({ to: 'jane@example.org', subject, text: 'code 1' }, { 'Idempotency-Key': key });
    const other = await post({ to: 'jane@example.org', subject, text: 'code 2' }, { 'Idempotency-Key': key });

    expect(first.status).toBe(202);
    expect(again).toEqual(first);
    expect(other.status).toBe(409);
    expect(other.body.error?.code).toBe('idempotency_mismatch');
    await sentStatus(String(first.body.id));
    await queueDrained();
    expect(await inboxFor(subject)).toHaveLength(1);
  });

  it('delivers later, once, when SES answers 429 first', async () => {
    const subject = `Throttled ${Date.now()}`;
    ses.throttle(2);
    const { body } = await post({ to: 'jane@example.org', subject, text: 'after a throttle' });

    const shown = await sentStatus(String(body.id));
    const attempts = ses.sends.filter((s) => s.body.Content?.Simple?.Subject?.Data === subject);
    expect(attempts.map((a) => a.status)).toEqual([429, 429, 200]);
    // The sender's own steps, in order; SES's events (send, delivery) may follow them.
    expect((shown.body.events as { type: string }[]).map((e) => e.type).slice(0, 7)).toEqual([
      'queued',
      'sending',
      'throttled',
      'sending',
      'throttled',
      'sending',
      'sent',
    ]);
    expect(await inboxFor(subject)).toHaveLength(1);
  });

  it('renders a stored template with escaped values and says which variable is missing', async () => {
    const name = `welcome-${Date.now()}`;
    const saved = await checkedApi(local.apiUrl, 'PUT', `/v1/templates/${name}`, {
      subject: 'Welcome {{first_name}}',
      html: '<p>Hi {{first_name}}</p>',
    });
    expect(saved.status).toBe(201);

    const missing = await post({ to: 'jane@example.org', template: name, data: {} });
    expect(missing.status).toBe(422);
    expect(missing.body.error).toMatchObject({
      code: 'missing_variable',
      details: { variable: 'first_name' },
    });

    const { body } = await post({
      to: 'jane@example.org',
      template: name,
      data: { first_name: '<b>Jane</b>' },
    });
    await sentStatus(String(body.id));
    const mails = await inboxFor('Welcome <b>Jane</b>');
    expect(mails).toHaveLength(1);
    expect(mails[0]?.body.html).toBe('<p>Hi &lt;b&gt;Jane&lt;/b&gt;</p>');

    expect((await checkedApi(local.apiUrl, 'GET', `/v1/templates/${name}`)).body).toMatchObject({ name });
    expect((await checkedApi(local.apiUrl, 'DELETE', `/v1/templates/${name}`)).status).toBe(204);
    expect((await checkedApi(local.apiUrl, 'GET', `/v1/templates/${name}`)).status).toBe(404);
  });

  it('pages through templates and refuses a cursor it did not hand out', async () => {
    for (const n of [1, 2, 3]) {
      await checkedApi(local.apiUrl, 'PUT', `/v1/templates/page-${n}`, { subject: 's', text: 't' });
    }
    const first = await checkedApi(local.apiUrl, 'GET', '/v1/templates?limit=2');
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(2);
    const second = await checkedApi(
      local.apiUrl,
      'GET',
      `/v1/templates?limit=2&cursor=${first.body.nextCursor}`,
    );
    expect(second.status).toBe(200);
    expect(await checkedApi(local.apiUrl, 'GET', '/v1/templates?cursor=not-a-cursor')).toMatchObject({
      status: 400,
    });
  });

  it('reports the account as SES describes it', async () => {
    const account = await checkedApi(local.apiUrl, 'GET', '/v1/account');
    expect(account.body).toMatchObject({
      sandbox: false,
      maxSendRate: 14,
      rateInUse: 14,
      sendingEnabled: true,
    });
    // The reputation guard holds nothing here: clearing it is a 409.
    const resumed = await checkedApi(local.apiUrl, 'POST', '/v1/account/bulk/resume');
    expect(resumed.body.error).toMatchObject({ code: 'not_paused' });
  });

  describe('bad input gets a clear 4xx, sends nothing and stores nothing', () => {
    const valid = { to: 'jane@example.org', subject: 'Bad input', text: 'x' };
    const json = { 'content-type': 'application/json' };
    const cases: [string, () => Promise<ApiResponse>, number, string][] = [
      [
        'malformed JSON',
        () => checkedApi(local.apiUrl, 'POST', '/v1/emails', '{"to":', json),
        400,
        'invalid_json',
      ],
      [
        'a wrong content type',
        () =>
          checkedApi(local.apiUrl, 'POST', '/v1/emails', JSON.stringify(valid), {
            'content-type': 'text/plain',
          }),
        415,
        'unsupported_media_type',
      ],
      ['an unknown field', () => post({ ...valid, sendAt: 'now' }), 400, 'validation_failed'],
      ['an address without a domain', () => post({ ...valid, to: 'jane' }), 400, 'validation_failed'],
      ['an address with spaces', () => post({ ...valid, to: 'ja ne@example.org' }), 400, 'validation_failed'],
      [
        'an address with CR/LF',
        () => post({ ...valid, to: 'jane@example.org\r\nBcc: x@example.org' }),
        400,
        'validation_failed',
      ],
      [
        'an address over 254 characters',
        () => post({ ...valid, to: `${'a'.repeat(64)}@${'b'.repeat(190)}.org` }),
        400,
        'validation_failed',
      ],
      [
        '51 recipients',
        () => post({ ...valid, to: Array.from({ length: 51 }, (_, i) => `r${i}@example.org`) }),
        400,
        'validation_failed',
      ],
      [
        'CR/LF in the subject',
        () => post({ ...valid, subject: 'a\r\nBcc: x@example.org' }),
        400,
        'validation_failed',
      ],
      [
        'CR/LF in a display name',
        () => post({ ...valid, to: '"Jane\r\nBcc: x@example.org" <jane@example.org>' }),
        400,
        'validation_failed',
      ],
      [
        'CR/LF in a header value',
        () => post({ ...valid, headers: { 'X-Ref': 'a\r\nBcc: x@example.org' } }),
        400,
        'validation_failed',
      ],
      [
        'a header that may not be set',
        () => post({ ...valid, headers: { 'Return-Path': 'x@example.org' } }),
        400,
        'validation_failed',
      ],
      [
        'a from outside the sending domain',
        () => post({ ...valid, from: 'ceo@bank.example' }),
        400,
        'validation_failed',
      ],
      [
        'a body over the size limit',
        () => post({ ...valid, text: 'x'.repeat(300 * 1024) }),
        413,
        'too_large',
      ],
      [
        'an unknown template',
        () => post({ to: 'jane@example.org', template: 'no-such-template' }),
        422,
        'unknown_template',
      ],
      [
        'a template with a syntax error',
        () => checkedApi(local.apiUrl, 'PUT', '/v1/templates/broken', { subject: 'x', html: '{{#if a}}' }),
        400,
        'template_syntax_error',
      ],
      [
        'an unknown email id',
        () => checkedApi(local.apiUrl, 'GET', '/v1/emails/00000000-0000-0000-0000-000000000000'),
        404,
        'not_found',
      ],
    ];

    it.each(cases)('%s', async (_, request, status, code) => {
      await queueDrained();
      const [sendsBefore, storedBefore] = [ses.sends.length, await storedMessages()];
      const response = await request();
      expect(response.status).toBe(status);
      expect(response.body.error).toMatchObject({ code, message: expect.any(String) });
      expect(await storedMessages()).toBe(storedBefore);
      await queueDrained();
      expect(ses.sends.length).toBe(sendsBefore);
    });

    it('an Idempotency-Key reused with another body', async () => {
      const key = `reuse-${Date.now()}`;
      await post(valid, { 'Idempotency-Key': key });
      await queueDrained();
      const [sendsBefore, storedBefore] = [ses.sends.length, await storedMessages()];
      const response = await post({ ...valid, text: 'other' }, { 'Idempotency-Key': key });
      expect(response.status).toBe(409);
      expect(await storedMessages()).toBe(storedBefore);
      expect(ses.sends.length).toBe(sendsBefore);
    });
  });
});
