import { GetAccountCommand, type SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import type { SendResult } from '../domain/delivery';
import type { StoredMessage, Stream } from '../domain/message';
import type { AccountQuota } from '../domain/send-rate';

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

/** Sends a stored message with SESv2 SendEmail and says what the answer means for it. */
export class SesMailer {
  constructor(
    private readonly client: SESv2Client,
    private readonly configurationSets: ConfigurationSets,
  ) {}

  async send(message: StoredMessage): Promise<SendResult> {
    try {
      const result = await this.client.send(this.command(message));
      return { kind: 'accepted', sesMessageId: result.MessageId ?? '' };
    } catch (error) {
      return classifySendError(error);
    }
  }

  private command(message: StoredMessage): SendEmailCommand {
    const configurationSet = this.configurationSetFor(message.stream);
    return new SendEmailCommand({
      FromEmailAddress: message.from,
      Destination: { ToAddresses: message.to, CcAddresses: message.cc, BccAddresses: message.bcc },
      ...(message.replyTo.length > 0 ? { ReplyToAddresses: message.replyTo } : {}),
      Content: {
        Simple: {
          Subject: { Data: message.subject, Charset: 'UTF-8' },
          Body: {
            ...(message.html === undefined ? {} : { Html: { Data: message.html, Charset: 'UTF-8' } }),
            ...(message.text === undefined ? {} : { Text: { Data: message.text, Charset: 'UTF-8' } }),
          },
          ...(message.headers.length > 0
            ? { Headers: message.headers.map((h) => ({ Name: h.name, Value: h.value })) }
            : {}),
        },
      },
      EmailTags: [
        { Name: 'stream', Value: message.stream },
        { Name: 'messageId', Value: message.id },
        ...Object.entries(message.tags).map(([Name, Value]) => ({ Name, Value })),
      ],
      ...(configurationSet ? { ConfigurationSetName: configurationSet } : {}),
    });
  }

  private configurationSetFor(stream: Stream): string | undefined {
    return stream === 'bulk' ? this.configurationSets.bulk : this.configurationSets.transactional;
  }
}

export function classifySendError(error: unknown): SendResult {
  const name = errorName(error);
  const status = httpStatusOf(error);
  const detail = `${name}: ${error instanceof Error ? error.message : String(error)}`;
  if (name === 'TooManyRequestsException' || name === 'ThrottlingException' || status === 429) {
    return { kind: 'throttled', detail };
  }
  if (name === 'LimitExceededException') return { kind: 'quota_exceeded', detail };
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
