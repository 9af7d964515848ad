import { type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import {
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { eventually, type LocalMode, localClients, startLocalMode } from './support/local-mode';
import { checkedApi, expectContract, seen } from './support/openapi-validator';
import { startRecordingSes } from './support/recording-ses';

jest.setTimeout(120_000);

let ses: Awaited<ReturnType<typeof startRecordingSes>>;
let local: LocalMode;
let sqs: SQSClient;
let sns: SNSClient;
let dynamo: DynamoDBClient;
beforeAll(async () => {
  ses = await startRecordingSes({ maxSendRate: 50 });
  local = await startLocalMode({
    AWS_ENDPOINT_URL_SESV2: ses.endpoint,
    MAILROOM_SENDING_DOMAIN: 'acme.test',
    // Short, so an unparseable event reaches the DLQ after its three receives within seconds.
    MAILROOM_VISIBILITY_TIMEOUT_SECONDS: '2',
  });
  ({ sqs, sns, dynamo } = localClients(local));
});

afterAll(async () => {
  await local?.stop();
  await ses?.stop();
});

const post = (path: string, body?: unknown, headers?: Record<string, string>) =>
  checkedApi(local.apiUrl, 'POST', path, body, headers);
const get = (path: string) => checkedApi(local.apiUrl, 'GET', path);
const topicArn = () => /SES events topic\s+(\S+)/.exec(local.output())?.[1] ?? '';
const mailsTo = (address: string) =>
  ses.sends.filter(
    (s) => s.status === 200 && s.body.Destination?.ToAddresses?.some((a) => a.toLowerCase() === address),
  );

async function campaignTo(name: string, emails: string[]): Promise<string> {
  const created = await post('/v1/campaigns', {
    name,
    subject: 'News for {{first_name}}',
    html: '<p>Hi {{first_name}} <a href="{{unsubscribe_url}}">unsubscribe</a></p>',
  });
  const id = String(created.body.id);
  const added = await post(`/v1/campaigns/${id}/recipients`, {
    recipients: emails.map((email) => ({ email, data: { first_name: 'Friend' } })),
  });
  expect(added.body.invalid).toEqual([]);
  return id;
}

async function runToCompletion(id: string) {
  expect((await post(`/v1/campaigns/${id}/send`)).status).toBe(202);
  return eventually(
    async () => {
      const c = await get(`/v1/campaigns/${id}`);
      return c.body.status === 'completed' ? c.body : undefined;
    },
    60_000,
    `campaign ${id} completed`,
  );
}

function unsubscribeUrlIn(address: string): string {
  const send = mailsTo(address).at(-1);
  const header = send?.body.Content?.Simple?.Headers?.find((h) => h.Name === 'List-Unsubscribe')?.Value ?? '';
  return header.slice(1, -1);
}

describe('the feedback loop in local mode', () => {
  it('suppresses a bounced and a complaining address and counts it all on the campaign', async () => {
    const id = await campaignTo('Simulator', [
      'success@simulator.amazonses.com',
      'bounce@simulator.amazonses.com',
      'complaint@simulator.amazonses.com',
    ]);
    await runToCompletion(id);

    const campaign = await eventually(
      async () => {
        const c = await get(`/v1/campaigns/${id}`);
        const events = c.body.events as Record<string, number>;
        return events.delivered === 2 && events.bounced === 1 && events.complained === 1 ? c.body : undefined;
      },
      30_000,
      'the delivery, bounce and complaint counted',
    );
    expect(campaign.events).toMatchObject({ delivered: 2, bounced: 1, complained: 1 });

    const bounced = await get('/v1/suppressions/bounce@simulator.amazonses.com');
    expect(bounced.body).toMatchObject({
      reason: 'bounce',
      scope: 'all',
      detail: expect.stringContaining('550'),
    });
    expect((await get('/v1/suppressions/Complaint@Simulator.AmazonSES.com')).body).toMatchObject({
      reason: 'complaint',
    });
    expect((await get('/v1/suppressions/success@simulator.amazonses.com')).status).toBe(404);

    // And the next transactional mail to the bounced address is refused.
    const again = await post('/v1/emails', { to: 'bounce@simulator.amazonses.com', subject: 'x', text: 'y' });
    expect(again.status).toBe(422);
  });

  it('unsubscribes in one click: the next campaign skips the address while an OTP still reaches it', async () => {
    const reader = 'reader@example.org';
    const first = await campaignTo('Before unsubscribe', [reader, 'other@example.org']);
    await runToCompletion(first);
    const url = unsubscribeUrlIn(reader);
    expect(url).toContain('/unsubscribe?token=');

    const page = await seen(await fetch(url));
    expectContract('unsubscribePage', page);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<form method="post">');
    const oneClick = await seen(
      await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'List-Unsubscribe=One-Click',
      }),
    );
    expectContract('unsubscribe', oneClick);
    expect(oneClick.status).toBe(200);
    // Repeating it is harmless.
    expect(
      (
        await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: 'List-Unsubscribe=One-Click',
        })
      ).status,
    ).toBe(200);
    expect((await get(`/v1/suppressions/${reader}`)).body).toMatchObject({
      reason: 'unsubscribe',
      scope: 'bulk',
    });
    expect((await get(`/v1/campaigns/${first}`)).body.events).toMatchObject({ unsubscribed: 1 });

    const second = await campaignTo('After unsubscribe', [reader, 'other@example.org']);
    const done = await runToCompletion(second);
    expect(done.totals).toMatchObject({ sent: 1, suppressed: 1 });
    expect(mailsTo(reader)).toHaveLength(1);

    const otp = await post('/v1/emails', { to: reader, subject: 'Your code', text: '123456' });
    expect(otp.status).toBe(202);
    expect(otp.body.suppressed).toEqual([]);
    await eventually(async () => (mailsTo(reader).length === 2 ? true : undefined), 30_000, 'the OTP');
  });

  it('changes nothing for a forged, altered or malformed token', async () => {
    const before = (await get('/v1/suppressions')).body.items as unknown[];
    const victim = 'boss@example.org';
    const forgedPayload = Buffer.from(JSON.stringify({ e: victim, c: 'x', v: 1 })).toString('base64url');
    for (const token of [`${forgedPayload}.AAAA`, 'garbage', '', `${forgedPayload}`]) {
      const response = await seen(
        await fetch(`${local.apiUrl}/unsubscribe?token=${encodeURIComponent(token)}`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: 'List-Unsubscribe=One-Click',
        }),
      );
      expectContract('unsubscribe', response);
      expect(response.status).toBe(400);
      expect(response.body).toContain('Nothing was changed');
    }
    expect((await get(`/v1/suppressions/${victim}`)).status).toBe(404);
    expect((await get('/v1/suppressions')).body.items).toHaveLength(before.length);
  });

  it('handles any SES notification published to the events topic, the older identity format included', async () => {
    await sns.send(
      new PublishCommand({
        TopicArn: topicArn(),
        Message: JSON.stringify({
          notificationType: 'Bounce',
          bounce: {
            bounceType: 'Permanent',
            bounceSubType: 'General',
            bouncedRecipients: [
              { emailAddress: '"Old Format" <Legacy@Example.org>', diagnosticCode: 'smtp; 550 no such user' },
            ],
            timestamp: new Date().toISOString(),
            feedbackId: 'f-1',
          },
          mail: {
            timestamp: new Date().toISOString(),
            source: 'x@acme.test',
            messageId: 'legacy-1',
            destination: ['legacy@example.org'],
          },
        }),
      }),
    );
    const entry = await eventually(
      async () => {
        const s = await get('/v1/suppressions/legacy@example.org');
        return s.status === 200 ? s.body : undefined;
      },
      20_000,
      'the identity notification processed',
    );
    expect(entry).toMatchObject({ reason: 'bounce', detail: 'smtp; 550 no such user' });
  });

  it('moves an event it cannot parse to the DLQ without holding up the others', async () => {
    await sns.send(
      new PublishCommand({ TopicArn: topicArn(), Message: '{"eventType":"Teleport","mail":{}}' }),
    );
    await sns.send(new PublishCommand({ TopicArn: topicArn(), Message: 'not json at all' }));
    const dlqUrl =
      (await sqs.send(new GetQueueUrlCommand({ QueueName: 'mailroom-events-dlq' }))).QueueUrl ?? '';
    await eventually(
      async () => {
        const { Attributes } = await sqs.send(
          new GetQueueAttributesCommand({
            QueueUrl: dlqUrl,
            AttributeNames: ['ApproximateNumberOfMessages'],
          }),
        );
        return Number(Attributes?.ApproximateNumberOfMessages) >= 2 ? true : undefined;
      },
      60_000,
      'both unparseable events in the DLQ',
    );
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: dlqUrl, MaxNumberOfMessages: 10 }),
    );
    expect(Messages.map((m) => JSON.parse(m.Body ?? '{}').Message)).toEqual(
      expect.arrayContaining(['not json at all', '{"eventType":"Teleport","mail":{}}']),
    );
  });

  it('tells product backends what happened, on their topic', async () => {
    const inbox =
      (await sqs.send(new GetQueueUrlCommand({ QueueName: 'mailroom-product-events-inbox' }))).QueueUrl ?? '';
    const seen: { type: string; email: string }[] = [];
    await eventually(
      async () => {
        const { Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: inbox, MaxNumberOfMessages: 10 }),
        );
        seen.push(...Messages.map((m) => JSON.parse(JSON.parse(m.Body ?? '{}').Message)));
        const types = new Set(
          seen.filter((e) => e.email === 'bounce@simulator.amazonses.com').map((e) => e.type),
        );
        return types.has('suppressed') && types.has('bounced') ? true : undefined;
      },
      30_000,
      'suppressed and bounced events for the bounced address',
    );
    expect(seen.some((e) => e.type === 'unsubscribed' && e.email === 'reader@example.org')).toBe(true);
    expect(seen.some((e) => e.type === 'delivered')).toBe(true);
  });

  it('lets the suppression API add, list by reason and remove an address', async () => {
    expect(
      (
        await checkedApi(local.apiUrl, 'PUT', '/v1/suppressions/Manual@Example.org', {
          reason: 'manual',
          detail: 'asked by phone',
        })
      ).status,
    ).toBe(201);
    const listed = await get('/v1/suppressions?reason=manual');
    expect(listed.body.items).toEqual([
      expect.objectContaining({ email: 'manual@example.org', reason: 'manual' }),
    ]);
    expect((await get('/v1/suppressions?reason=nonsense')).body.error).toMatchObject({
      code: 'invalid_reason',
    });
    expect(
      (await checkedApi(local.apiUrl, 'PUT', '/v1/suppressions/not-an-address', {})).body.error,
    ).toMatchObject({
      code: 'invalid_email',
    });
    expect((await checkedApi(local.apiUrl, 'DELETE', '/v1/suppressions/manual@example.org')).status).toBe(
      204,
    );
    expect((await get('/v1/suppressions/manual@example.org')).status).toBe(404);
    const item = await dynamo.send(
      new GetItemCommand({ TableName: 'mailroom-suppressions', Key: { email: { S: 'manual@example.org' } } }),
    );
    expect(item.Item).toBeUndefined();
  });
});
