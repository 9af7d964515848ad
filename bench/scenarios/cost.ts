/**
 * (d) What each stream costs in AWS requests and capacity per mail, end to end, with realistic
 * content: a 2 KB OTP (transactional) and a 20 KB HTML newsletter (bulk). Every AWS call the
 * functions make is counted (DynamoDB with its consumed capacity), from the API request to the SES
 * events that come back: for each accepted mail SES publishes Send, Delivery and Open to the events
 * topic, which delivers them to the events queue, whose event source hands the events function
 * batches of 10 (contract/queues.ts).
 *
 *   node --import tsx bench/scenarios/cost.ts --mails 140 --rate 14
 *
 * The sender runs in 2 Lambda containers at --rate, as the stack's default. The fan-out runs in
 * this process, on local mode's own event source (a campaign's whole fan-out happens between the
 * send call and the last mail, when nothing else here calls AWS). The events function runs here too,
 * on batches built as its event source would build them (an SNS notification per SQS message).
 * This process's calls are counted in one tally, read phase by phase.
 */
import { randomUUID } from 'node:crypto';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { QUEUES } from '../../contract/queues';
import { EVENTS_PER_MAIL } from '../cost';
import { campaignWithRecipients, loadApi, otpMail } from '../support/api';
import { addInvocations, addTallies, countCalls, emptyTally, type Tally } from '../support/aws-calls';
import { startStack } from '../support/environment';
import type { SendRecord } from '../support/fake-ses';
import { sesSends, startContainer } from '../support/services';
import { runScenario, scenarioArgs, until, writeResult } from '../support/stats';

export interface StreamCost {
  mails: number;
  /** Bytes of HTML each mail carried. */
  htmlBytes: number;
  /** AWS calls by phase: the API, the fan-out (bulk), the sender, and the events function. */
  api: Tally;
  apiRequests: number;
  fanout?: Tally;
  sender: Tally;
  events: Tally;
  /** SES event notifications SES published to the events topic (SNS publishes, billed to the account). */
  snsPublishes: number;
  /** ReceiveMessage and DeleteMessageBatch calls of the events queue's event source. */
  eventSourceRequests: number;
}

export interface CostResult {
  transactional: StreamCost;
  bulk: StreamCost;
}

/** `after` minus `before`: what one phase added to a tally that kept counting. */
function since(before: Tally, after: Tally): Tally {
  const minus = (a: Record<string, number>, b: Record<string, number>) =>
    Object.fromEntries(
      Object.entries(a)
        .map(([k, v]) => [k, v - (b[k] ?? 0)] as const)
        .filter(([, v]) => v !== 0),
    );
  const invocations: Tally['invocations'] = {};
  for (const [k, v] of Object.entries(after.invocations)) {
    const b = before.invocations[k] ?? { count: 0, ms: 0 };
    if (v.count !== b.count) invocations[k] = { count: v.count - b.count, ms: v.ms - b.ms };
  }
  return {
    calls: minus(after.calls, before.calls),
    writeUnits: after.writeUnits - before.writeUnits,
    readUnits: after.readUnits - before.readUnits,
    unitsByCall: minus(after.unitsByCall, before.unitsByCall),
    emptyReceives: after.emptyReceives - before.emptyReceives,
    receivedMessages: after.receivedMessages - before.receivedMessages,
    invocations,
  };
}

const copy = (tally: Tally): Tally => structuredClone(tally);

/** One SES configuration-set event for an accepted send, as SES publishes it (headers and tags included). */
function sesEvent(eventType: (typeof EVENTS_PER_MAIL)[number], send: SendRecord, sesMessageId: string) {
  const at = new Date().toISOString();
  const tags: Record<string, string[]> = {
    stream: [send.stream],
    'ses:configuration-set': [`mailroom-${send.stream}`],
    'ses:source-ip': ['192.0.2.10'],
    'ses:from-domain': ['example.test'],
    ...(send.messageId ? { messageId: [send.messageId], app: ['bench'] } : {}),
    ...(send.campaignId ? { campaignId: [send.campaignId] } : {}),
  };
  const mail = {
    timestamp: at,
    source: 'Bench <hello@example.test>',
    sendingAccountId: '123456789012',
    messageId: sesMessageId,
    destination: send.to,
    headersTruncated: false,
    headers: [
      { name: 'From', value: 'Bench <hello@example.test>' },
      { name: 'To', value: send.to.join(', ') },
      { name: 'Subject', value: send.stream === 'bulk' ? 'News for you' : 'Your sign-in code' },
      { name: 'MIME-Version', value: '1.0' },
      { name: 'Content-Type', value: 'multipart/alternative; boundary="----=_Part_0"' },
      ...(send.stream === 'bulk'
        ? [
            {
              name: 'List-Unsubscribe',
              value: `<https://api.example.test/unsubscribe?token=${'t'.repeat(120)}>`,
            },
            { name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' },
          ]
        : []),
    ],
    commonHeaders: { from: ['Bench <hello@example.test>'], to: send.to, subject: 'Subject' },
    tags,
  };
  const detail =
    eventType === 'Send'
      ? { send: {} }
      : eventType === 'Delivery'
        ? {
            delivery: {
              timestamp: at,
              processingTimeMillis: 812,
              recipients: send.to,
              smtpResponse: '250 2.6.0 Message received',
              reportingMTA: 'a8-50.smtp-out.amazonses.com',
            },
          }
        : {
            open: {
              timestamp: at,
              userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)',
              ipAddress: '198.51.100.7',
            },
          };
  return { eventType, mail, ...detail };
}

/** An SQS record holding an SNS notification, as the events queue's event source delivers it. */
function sqsRecord(message: unknown): SQSRecord {
  const body = JSON.stringify({
    Type: 'Notification',
    MessageId: randomUUID(),
    TopicArn: 'arn:aws:sns:us-east-1:123456789012:mailroom-ses-events',
    Message: JSON.stringify(message),
    Timestamp: new Date().toISOString(),
    SignatureVersion: '1',
  });
  return {
    messageId: randomUUID(),
    receiptHandle: randomUUID(),
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: String(Date.now()),
      SenderId: 'AIDAEXAMPLE',
      ApproximateFirstReceiveTimestamp: String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:mailroom-events',
    awsRegion: 'us-east-1',
  };
}

const lambdaContext = (): Context =>
  ({
    functionName: 'events',
    awsRequestId: randomUUID(),
    getRemainingTimeInMillis: () => 30_000,
  }) as unknown as Context;

async function main(): Promise<void> {
  const args = scenarioArgs();
  const mails = Number(args.mails ?? 140);
  const rate = Number(args.rate ?? 14);
  const otpBytes = 2_000;
  const newsletterBytes = 20_000;

  const stack = await startStack({ maxSendRate: rate, latencyMs: [50, 150] });
  const { local, ses } = stack;
  const env = local.env;
  // The API and the events function run in this process and share its SDK clients: one tally,
  // read phase by phase.
  const here = emptyTally();
  const api = await loadApi(local.runtime.apiUrl, here);
  const { sns } = await import('../../lambdas/platform/clients/sns.js');
  countCalls(sns, here);
  const { functionEnvironment } = await import('../../lambdas/platform/environment.js');
  const { createEventsProcessor } = await import('../../lambdas/functions/events/events.js');
  const events = createEventsProcessor(functionEnvironment('events'));

  const accepted = async (stream: string) =>
    (await sesSends(ses)).filter((s) => s.stream === stream && s.status === 200);

  async function feedback(
    stream: string,
  ): Promise<Pick<StreamCost, 'events' | 'snsPublishes' | 'eventSourceRequests'>> {
    const sends = await accepted(stream);
    const records = sends.flatMap((send) => {
      const sesMessageId = `0100${randomUUID().replace(/-/g, '')}-000000`;
      return EVENTS_PER_MAIL.map((type) => sqsRecord(sesEvent(type, send, sesMessageId)));
    });
    const before = copy(here);
    const batchSize = QUEUES.events.eventSource.batchSize;
    let batches = 0;
    for (let i = 0; i < records.length; i += batchSize) {
      const event: SQSEvent = { Records: records.slice(i, i + batchSize) };
      const started = performance.now();
      const result = await events(event, lambdaContext());
      addInvocations(here, 'events', 1, performance.now() - started);
      if (result.batchItemFailures.length > 0) throw new Error(`events failed: ${JSON.stringify(result)}`);
      batches++;
    }
    return {
      events: since(before, here),
      snsPublishes: records.length,
      // Each batch: one ReceiveMessage that returned it and one DeleteMessageBatch of what succeeded.
      eventSourceRequests: 2 * batches,
    };
  }

  /** Two sender containers (the stack's default) drain `queue` until SES took every mail; their calls. */
  async function sendAll(queue: 'transactional' | 'bulk'): Promise<Tally> {
    const senders = [
      await startContainer([{ queue, maxConcurrency: 1 }], env),
      await startContainer([{ queue, maxConcurrency: 1 }], env),
    ];
    if (!(await until(async () => (await accepted(queue)).length >= mails, 120_000, 500))) {
      throw new Error(`the ${queue} mails were not all sent within 120 s`);
    }
    return addTallies(...(await Promise.all(senders.map((c) => c.stop()))));
  }

  // Transactional: the API queues OTPs, two sender containers send them.
  let before = copy(here);
  for (let i = 0; i < mails; i++) {
    const response = await api('POST', '/v1/emails', otpMail(i, otpBytes));
    if (response.status !== 202) throw new Error(`POST /v1/emails: ${JSON.stringify(response)}`);
  }
  const txApi = since(before, here);
  const txSender = await sendAll('transactional');
  const transactional: StreamCost = {
    mails,
    htmlBytes: otpBytes,
    api: txApi,
    apiRequests: mails,
    sender: txSender,
    ...(await feedback('transactional')),
  };

  // Bulk: a campaign of `mails` recipients with a 20 KB newsletter, fanned out and sent.
  before = copy(here);
  const id = await campaignWithRecipients(api, mails, { htmlBytes: newsletterBytes });
  const sendCall = await api('POST', `/v1/campaigns/${id}/send`);
  if (sendCall.status !== 202) throw new Error(`send: ${JSON.stringify(sendCall)}`);
  const bulkApi = since(before, here);
  before = copy(here);
  const bulkSender = await sendAll('bulk');
  const fanout = since(before, here);
  const bulk: StreamCost = {
    mails,
    htmlBytes: newsletterBytes,
    api: bulkApi,
    apiRequests: Math.ceil(mails / 1000) + 2,
    fanout,
    sender: bulkSender,
    ...(await feedback('bulk')),
  };
  const campaign = await api('GET', `/v1/campaigns/${id}`);
  const counts = JSON.stringify(campaign.body.counts ?? campaign.body.totals ?? {});
  if (!counts.includes(`${mails}`)) console.error(`campaign counts after the events: ${counts}`);

  await stack.stop();
  writeResult(args.out, { transactional, bulk } satisfies CostResult);
}

runScenario(main);
