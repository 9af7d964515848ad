import { randomUUID } from 'node:crypto';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';

/**
 * Stands in for what SES does after it accepts a mail: a proxy in front of the SES endpoint that,
 * for every accepted SendEmail, publishes the configuration-set events SES would (Send, then
 * Delivery, Bounce or Complaint) to the events topic. Addresses at the mailbox simulator behave as
 * in SES: success@, bounce@, complaint@ and suppressionlist@simulator.amazonses.com (a `+label` is
 * allowed); any other address is delivered.
 */
export async function startSesEventSimulator(options: {
  upstream: string;
  sns: SNSClient;
  topicArn: string;
  onError: (error: unknown) => void;
}): Promise<{ endpoint: string; stop: () => Promise<void> }> {
  const upstream = new URL(options.upstream);
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const forward = httpRequest(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: upstream.host },
        },
        (answer) => {
          const parts: Buffer[] = [];
          answer.on('data', (c: Buffer) => parts.push(c));
          answer.on('end', () => {
            const responseBody = Buffer.concat(parts);
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            res.end(responseBody);
            const accepted =
              req.method === 'POST' && req.url === '/v2/email/outbound-emails' && answer.statusCode === 200;
            if (accepted) {
              publishEvents(body, responseBody, options).catch(options.onError);
            }
          });
        },
      );
      forward.on('error', (error) => {
        options.onError(error);
        res.writeHead(502);
        res.end();
      });
      forward.end(body);
    });
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', () => ready()));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () =>
      new Promise((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

interface SendEmailBody {
  FromEmailAddress?: string;
  ConfigurationSetName?: string;
  Destination?: { ToAddresses?: string[]; CcAddresses?: string[]; BccAddresses?: string[] };
  EmailTags?: { Name: string; Value: string }[];
  ReplyToAddresses?: string[];
  Content?: {
    Simple?: {
      Subject?: { Data?: string };
      Body?: { Html?: unknown; Text?: unknown };
      Headers?: { Name: string; Value: string }[];
    };
  };
}

/**
 * `mail.headers` as SES reports them on every event: the message's own header fields, the
 * caller's custom headers (List-Unsubscribe…) among them. Bcc is not a header of the message.
 */
function headersOf(sent: SendEmailBody): { name: string; value: string }[] {
  const simple = sent.Content?.Simple;
  const list = (name: string, values: string[] | undefined) =>
    values && values.length > 0 ? [{ name, value: values.join(', ') }] : [];
  const body = simple?.Body ?? {};
  const contentType =
    body.Html !== undefined && body.Text !== undefined
      ? 'multipart/alternative'
      : body.Html !== undefined
        ? 'text/html; charset=UTF-8'
        : 'text/plain; charset=UTF-8';
  return [
    { name: 'From', value: sent.FromEmailAddress ?? '' },
    ...list('Reply-To', sent.ReplyToAddresses),
    ...list('To', sent.Destination?.ToAddresses),
    ...list('Cc', sent.Destination?.CcAddresses),
    { name: 'Subject', value: simple?.Subject?.Data ?? '' },
    { name: 'MIME-Version', value: '1.0' },
    { name: 'Content-Type', value: contentType },
    ...(simple?.Headers ?? []).map((h) => ({ name: h.Name, value: h.Value })),
  ];
}

async function publishEvents(
  request: Buffer,
  response: Buffer,
  options: { sns: SNSClient; topicArn: string },
): Promise<void> {
  const sent = JSON.parse(request.toString('utf8')) as SendEmailBody;
  const { MessageId } = JSON.parse(response.toString('utf8')) as { MessageId?: string };
  const destination = [
    ...(sent.Destination?.ToAddresses ?? []),
    ...(sent.Destination?.CcAddresses ?? []),
    ...(sent.Destination?.BccAddresses ?? []),
  ];
  const now = new Date().toISOString();
  const tags: Record<string, string[]> = Object.fromEntries(
    (sent.EmailTags ?? []).map((t) => [t.Name, [t.Value]]),
  );
  if (sent.ConfigurationSetName) tags['ses:configuration-set'] = [sent.ConfigurationSetName];
  const mail = {
    timestamp: now,
    source: sent.FromEmailAddress ?? '',
    sendingAccountId: '000000000000',
    messageId: MessageId ?? randomUUID(),
    destination,
    headersTruncated: false,
    headers: headersOf(sent),
    commonHeaders: {
      from: [sent.FromEmailAddress ?? ''],
      to: destination,
      subject: sent.Content?.Simple?.Subject?.Data ?? '',
    },
    tags,
  };
  const publish = (event: Record<string, unknown>) =>
    options.sns.send(
      new PublishCommand({ TopicArn: options.topicArn, Message: JSON.stringify({ ...event, mail }) }),
    );

  await publish({ eventType: 'Send', send: {} });
  for (const address of destination) {
    const at = new Date().toISOString();
    const mailbox = simulatorMailbox(address);
    if (mailbox === 'bounce' || mailbox === 'suppressionlist') {
      await publish({
        eventType: 'Bounce',
        bounce: {
          bounceType: 'Permanent',
          bounceSubType: mailbox === 'bounce' ? 'General' : 'OnAccountSuppressionList',
          bouncedRecipients: [
            {
              emailAddress: address,
              action: 'failed',
              status: '5.1.1',
              diagnosticCode:
                mailbox === 'bounce'
                  ? 'smtp; 550 5.1.1 user unknown'
                  : 'Amazon SES did not send the message to this address because it is on the suppression list for your account.',
            },
          ],
          timestamp: at,
          feedbackId: randomUUID(),
          reportingMTA: 'dns; simulator.amazonses.com',
        },
      });
      continue;
    }
    await publish({
      eventType: 'Delivery',
      delivery: {
        timestamp: at,
        processingTimeMillis: 1,
        recipients: [address],
        smtpResponse: '250 2.6.0 Message received',
        reportingMTA: 'local.simulator',
      },
    });
    if (mailbox === 'complaint') {
      await publish({
        eventType: 'Complaint',
        complaint: {
          complainedRecipients: [{ emailAddress: address }],
          timestamp: at,
          feedbackId: randomUUID(),
          complaintFeedbackType: 'abuse',
          userAgent: 'Mailroom local simulator',
        },
      });
    }
  }
}

function simulatorMailbox(address: string): string | undefined {
  const match = /<?([^<>@\s]+)@simulator\.amazonses\.com>?\s*$/i.exec(address);
  return match?.[1]?.split('+')[0]?.toLowerCase();
}
