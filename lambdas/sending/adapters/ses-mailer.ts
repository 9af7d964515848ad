import { GetAccountCommand, type SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import type { OutgoingMail } from '../outgoing-mail';
import type { Mailer, SendResult } from '../ports';
import type { AccountQuota } from '../send-rate';

/** SES errors that mean "this mail, as it is, will never be accepted": fail it, do not retry. */
const PERMANENT = new Set([
  'MessageRejected',
  'MailFromDomainNotVerifiedException',
  'AccountSuspendedException',
  'SendingPausedException',
  'NotFoundException',
  'BadRequestException',
]);
/** Node errors raised before a single byte reached SES: the mail was certainly not sent. */
const NEVER_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

export interface ConfigurationSets {
  transactional: string;
  bulk?: string;
}

/** Sends one mail with SESv2 SendEmail and says what the answer means for it. */
export class SesMailer implements Mailer {
  constructor(
    private readonly client: SESv2Client,
    private readonly configurationSets: ConfigurationSets,
  ) {}

  async send(mail: OutgoingMail): Promise<SendResult> {
    try {
      const result = await this.client.send(this.command(mail));
      return { kind: 'accepted', sesMessageId: result.MessageId ?? '' };
    } catch (error) {
      return classifySendError(error);
    }
  }

  private command(mail: OutgoingMail): SendEmailCommand {
    const configurationSet =
      mail.stream === 'bulk' ? this.configurationSets.bulk : this.configurationSets.transactional;
    return new SendEmailCommand({
      FromEmailAddress: mail.from,
      Destination: { ToAddresses: mail.to, CcAddresses: mail.cc, BccAddresses: mail.bcc },
      ...(mail.replyTo.length > 0 ? { ReplyToAddresses: mail.replyTo } : {}),
      Content: {
        Simple: {
          Subject: { Data: mail.subject, Charset: 'UTF-8' },
          Body: {
            ...(mail.html === undefined ? {} : { Html: { Data: mail.html, Charset: 'UTF-8' } }),
            ...(mail.text === undefined ? {} : { Text: { Data: mail.text, Charset: 'UTF-8' } }),
          },
          ...(mail.headers.length > 0
            ? { Headers: mail.headers.map((h) => ({ Name: h.name, Value: h.value })) }
            : {}),
        },
      },
      EmailTags: mail.tags.map((tag) => ({ Name: tag.name, Value: tag.value })),
      ...(configurationSet ? { ConfigurationSetName: configurationSet } : {}),
    });
  }
}

function classifySendError(error: unknown): SendResult {
  const name = errorName(error);
  const status = httpStatusOf(error);
  const detail = `${name}: ${error instanceof Error ? error.message : String(error)}`;
  if (name === 'TooManyRequestsException' || name === 'ThrottlingException' || status === 429) {
    return { kind: 'throttled', detail };
  }
  if (name === 'LimitExceededException') return { kind: 'quota_exceeded', detail };
  if (name === 'AccessDeniedException' || name === 'AccessDenied') {
    return { kind: 'rejected', failure: accessDenied(error instanceof Error ? error.message : detail) };
  }
  if (PERMANENT.has(name)) {
    return {
      kind: 'rejected',
      failure: { code: name, message: error instanceof Error ? error.message : detail },
    };
  }
  const code = error && typeof error === 'object' && 'code' in error ? String(error.code) : '';
  if (NEVER_CONNECTED.has(code)) return { kind: 'not_sent', detail };
  if (status !== undefined && status >= 400 && status < 500) {
    return {
      kind: 'rejected',
      failure: { code: name, message: error instanceof Error ? error.message : detail },
    };
  }
  return {
    kind: 'outcome_unknown',
    failure: {
      code: 'OutcomeUnknown',
      message: `SES may or may not have sent this mail (${detail}); not retried so that nobody gets it twice`,
    },
  };
}

/**
 * An IAM denial, said so that whoever reads the failure knows which permission is missing. SES
 * names the resource it checked: in the sandbox that is also each verified recipient's identity
 * ("is not authorized to perform `ses:SendEmail' on resource `arn:aws:ses:…:identity/<recipient>`":
 * aws/aws-sdk-js#3641, GSA/data.gov#3810), which a policy naming only the sending domain denies.
 */
function accessDenied(message: string): { code: string; message: string } {
  const resource = /on resource [`'"]?([^`'"\s]+)/.exec(message)?.[1];
  const what = resource === undefined ? 'the resource SES checked' : resource;
  return {
    code: 'AccessDenied',
    message:
      `SES refused the send: the sender's role may not ses:SendEmail on ${what}. SES authorizes a ` +
      'send against the From identity, the configuration set and, in the SES sandbox, each ' +
      "recipient's verified identity; the stack's policy allows all of them for From addresses at " +
      'the sending domain, so look for a permissions boundary, a service control policy or an ' +
      `out-of-date stack (redeploy). SES said: ${message}`,
  };
}

function errorName(error: unknown): string {
  return error && typeof error === 'object' && 'name' in error ? String(error.name) : 'Error';
}

function httpStatusOf(error: unknown): number | undefined {
  if (error && typeof error === 'object' && '$metadata' in error) {
    const metadata = (error as { $metadata?: { httpStatusCode?: number } }).$metadata;
    return metadata?.httpStatusCode;
  }
  return undefined;
}

export async function fetchAccountQuota(client: SESv2Client): Promise<AccountQuota> {
  const account = await client.send(new GetAccountCommand({}));
  return {
    productionAccess: account.ProductionAccessEnabled ?? false,
    sendingEnabled: account.SendingEnabled ?? false,
    ...(account.EnforcementStatus ? { enforcementStatus: account.EnforcementStatus } : {}),
    maxSendRate: account.SendQuota?.MaxSendRate ?? 0,
    max24HourSend: account.SendQuota?.Max24HourSend ?? 0,
    sentLast24Hours: account.SendQuota?.SentLast24Hours ?? 0,
  };
}
