import {
  GetAccountCommand,
  MessageRejected,
  SESv2Client,
  SendEmailCommand,
  TooManyRequestsException,
} from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { outgoingFromMessage } from '../../lambdas/emails/delivery';
import { fetchAccountQuota, SesMailer } from '../../lambdas/sending/adapters/ses-mailer';
import { aQueuedMessage } from './support/factories';

const client = new SESv2Client({
  region: 'us-east-1',
  maxAttempts: 1,
  credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
});
const ses = mockClient(client);
const mailer = new SesMailer(client, { transactional: 'transactional' });
const meta = (httpStatusCode: number) => ({ $metadata: { httpStatusCode }, message: 'x' });

beforeEach(() => ses.reset());

describe('SesMailer', () => {
  it('sends with the configuration set, the message tags and the custom headers', async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: 'ses-abc' });
    const result = await mailer.send(
      outgoingFromMessage(
        aQueuedMessage({
          tags: { app: 'signup' },
          headers: [{ name: 'X-Ref', value: '42' }],
          html: '<p>x</p>',
        }),
      ),
    );
    expect(result).toEqual({ kind: 'accepted', sesMessageId: 'ses-abc' });
    const input = ses.commandCalls(SendEmailCommand)[0]?.args[0].input;
    expect(input).toMatchObject({
      ConfigurationSetName: 'transactional',
      FromEmailAddress: '"Acme" <hello@acme.test>',
      Destination: { ToAddresses: ['jane@example.org'] },
      EmailTags: [
        { Name: 'stream', Value: 'transactional' },
        { Name: 'messageId', Value: 'msg-1' },
        { Name: 'app', Value: 'signup' },
      ],
      Content: {
        Simple: {
          Subject: { Data: 'Your code', Charset: 'UTF-8' },
          Body: { Text: { Data: '123456', Charset: 'UTF-8' }, Html: { Data: '<p>x</p>', Charset: 'UTF-8' } },
          Headers: [{ Name: 'X-Ref', Value: '42' }],
        },
      },
    });
  });

  it('reads a 429 as a throttle, after one attempt only', async () => {
    ses
      .on(SendEmailCommand)
      .rejects(new TooManyRequestsException({ ...meta(429), message: 'Maximum sending rate exceeded.' }));
    await expect(mailer.send(outgoingFromMessage(aQueuedMessage()))).resolves.toMatchObject({
      kind: 'throttled',
    });
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(1);
  });

  it('reads MessageRejected as a permanent failure with the SES reason', async () => {
    ses
      .on(SendEmailCommand)
      .rejects(new MessageRejected({ ...meta(400), message: 'Email address is not verified.' }));
    await expect(mailer.send(outgoingFromMessage(aQueuedMessage()))).resolves.toEqual({
      kind: 'rejected',
      failure: { code: 'MessageRejected', message: 'Email address is not verified.' },
    });
  });

  it.each([
    ['LimitExceededException', 400, 'quota_exceeded'],
    ['SendingPausedException', 400, 'rejected'],
    ['MailFromDomainNotVerifiedException', 400, 'rejected'],
    ['AccountSuspendedException', 400, 'rejected'],
    ['InternalFailure', 500, 'outcome_unknown'],
    ['ServiceUnavailable', 503, 'outcome_unknown'],
  ])('reads %s (HTTP %i) as %s', async (name, status, kind) => {
    ses.on(SendEmailCommand).rejects(Object.assign(new Error(name), { name, ...meta(status) }));
    await expect(mailer.send(outgoingFromMessage(aQueuedMessage()))).resolves.toMatchObject({ kind });
  });

  it('reads an access denial as a permanent failure that names the missing permission and the sandbox cause', async () => {
    const denial =
      "User `arn:aws:sts::123456789012:assumed-role/sender/fn' is not authorized to perform " +
      "`ses:SendEmail' on resource `arn:aws:ses:eu-west-1:123456789012:identity/jane@example.org'";
    ses
      .on(SendEmailCommand)
      .rejects(
        Object.assign(new Error(denial), { name: 'AccessDeniedException', ...meta(403), message: denial }),
      );

    const result = await mailer.send(outgoingFromMessage(aQueuedMessage()));

    expect(result).toMatchObject({ kind: 'rejected', failure: { code: 'AccessDenied' } });
    const message = result.kind === 'rejected' ? result.failure.message : '';
    expect(message).toContain(
      'may not ses:SendEmail on arn:aws:ses:eu-west-1:123456789012:identity/jane@example.org',
    );
    expect(message).toContain('sandbox');
    expect(message).toContain(denial);
  });

  it('reads a timeout as an unknown outcome (SES may have taken the mail)', async () => {
    ses.on(SendEmailCommand).rejects(Object.assign(new Error('timed out'), { name: 'TimeoutError' }));
    await expect(mailer.send(outgoingFromMessage(aQueuedMessage()))).resolves.toMatchObject({
      kind: 'outcome_unknown',
      failure: { code: 'OutcomeUnknown' },
    });
  });

  it('reads a refused connection as not sent (safe to retry)', async () => {
    ses
      .on(SendEmailCommand)
      .rejects(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    await expect(mailer.send(outgoingFromMessage(aQueuedMessage()))).resolves.toMatchObject({
      kind: 'not_sent',
    });
  });
});

describe('fetchAccountQuota', () => {
  it('maps GetAccount to the quota Mailroom paces on', async () => {
    ses.on(GetAccountCommand).resolves({
      ProductionAccessEnabled: false,
      SendingEnabled: true,
      EnforcementStatus: 'HEALTHY',
      SendQuota: { MaxSendRate: 1, Max24HourSend: 200, SentLast24Hours: 3 },
    });
    await expect(fetchAccountQuota(client)).resolves.toEqual({
      productionAccess: false,
      sendingEnabled: true,
      enforcementStatus: 'HEALTHY',
      maxSendRate: 1,
      max24HourSend: 200,
      sentLast24Hours: 3,
    });
  });
});
