import * as z from 'zod';
import { AddressError, normalizeAddress, parseMailbox } from '../mail/addresses';
import type { MessageHeader } from '../sending/outgoing-mail';

/**
 * SES event notifications as SES publishes them: configuration-set events (`eventType`, all ten
 * types) and the older identity notifications (`notificationType`: Bounce, Complaint, Delivery).
 * Objects are loose: SES adds fields over time, and only what Mailroom uses is required.
 */
const recipient = z.looseObject({
  emailAddress: z.string(),
  diagnosticCode: z.string().optional(),
  status: z.string().optional(),
});
const mail = z.looseObject({
  messageId: z.string().min(1),
  timestamp: z.string(),
  source: z.string().optional(),
  destination: z.array(z.string()).default([]),
  tags: z.record(z.string(), z.array(z.string())).optional(),
  headers: z.array(z.looseObject({ name: z.string(), value: z.string() })).optional(),
});
const bounce = z.looseObject({
  bounceType: z.enum(['Undetermined', 'Permanent', 'Transient']),
  bounceSubType: z.string(),
  bouncedRecipients: z.array(recipient).min(1),
  timestamp: z.string(),
  feedbackId: z.string().optional(),
});
const complaint = z.looseObject({
  complainedRecipients: z.array(recipient).min(1),
  timestamp: z.string(),
  feedbackId: z.string().optional(),
  complaintFeedbackType: z.string().optional(),
  complaintSubType: z.string().nullish(),
});
const delivery = z.looseObject({
  timestamp: z.string(),
  recipients: z.array(z.string()).min(1),
  smtpResponse: z.string().optional(),
});
const reject = z.looseObject({ reason: z.string() });
const open = z.looseObject({
  timestamp: z.string(),
  userAgent: z.string().optional(),
  ipAddress: z.string().optional(),
});
const click = z.looseObject({ timestamp: z.string(), link: z.string(), userAgent: z.string().optional() });
const renderingFailure = z.looseObject({ errorMessage: z.string(), templateName: z.string().optional() });
const deliveryDelay = z.looseObject({
  delayType: z.string(),
  delayedRecipients: z.array(recipient).min(1),
  timestamp: z.string(),
  expirationTime: z.string().optional(),
});
const subscription = z.looseObject({
  contactList: z.string(),
  timestamp: z.string(),
  source: z.string().optional(),
  newTopicPreferences: z.unknown().optional(),
  oldTopicPreferences: z.unknown().optional(),
});

const configurationSetEvent = z.discriminatedUnion('eventType', [
  z.looseObject({ eventType: z.literal('Send'), mail, send: z.looseObject({}).optional() }),
  z.looseObject({ eventType: z.literal('Delivery'), mail, delivery }),
  z.looseObject({ eventType: z.literal('Bounce'), mail, bounce }),
  z.looseObject({ eventType: z.literal('Complaint'), mail, complaint }),
  z.looseObject({ eventType: z.literal('Reject'), mail, reject }),
  z.looseObject({ eventType: z.literal('Open'), mail, open }),
  z.looseObject({ eventType: z.literal('Click'), mail, click }),
  z.looseObject({ eventType: z.literal('Rendering Failure'), mail, failure: renderingFailure }),
  z.looseObject({ eventType: z.literal('DeliveryDelay'), mail, deliveryDelay }),
  z.looseObject({ eventType: z.literal('Subscription'), mail, subscription }),
]);

const identityNotification = z.discriminatedUnion('notificationType', [
  z.looseObject({ notificationType: z.literal('Bounce'), mail, bounce }),
  z.looseObject({ notificationType: z.literal('Complaint'), mail, complaint }),
  z.looseObject({ notificationType: z.literal('Delivery'), mail, delivery }),
]);

export type SesEventKind =
  | 'send'
  | 'delivery'
  | 'bounce'
  | 'complaint'
  | 'reject'
  | 'open'
  | 'click'
  | 'rendering_failure'
  | 'delivery_delay'
  | 'subscription';

/** One SES event in Mailroom's words: who it is about, and how to tie it back to a message or campaign. */
export interface MailEvent {
  kind: SesEventKind;
  sesMessageId: string;
  at: string;
  /** Normalized (lower-case) addresses the event is about. */
  recipients: string[];
  /** From the message tags Mailroom sets on every send. */
  stream?: string;
  messageId?: string;
  campaignId?: string;
  bounceType?: 'Undetermined' | 'Permanent' | 'Transient';
  bounceSubType?: string;
  /** A human-readable reason: the diagnostic code, reject reason, error message or clicked link. */
  detail?: string;
  /**
   * The mail's RFC 8058 headers as SES saw them (from `mail.headers`, which SES puts on every
   * configuration-set event): what a bulk mail really carried, readable through the API where the
   * delivered mail is not. The other headers are left out: the message store already has them.
   */
  unsubscribeHeaders?: MessageHeader[];
  /** Stable for one SES event, so a duplicate SNS delivery is recognised. */
  key: string;
}

const RECORDED_HEADERS = new Set(['list-unsubscribe', 'list-unsubscribe-post']);

export class UnparseableEventError extends Error {}

/** Reads an SQS record body: the SNS envelope (or a raw-delivered SES event), then the SES event. */
export function parseSesNotification(body: string): MailEvent {
  const outer = parseJson(body, 'the SQS message body');
  const inner =
    outer &&
    typeof outer === 'object' &&
    'Type' in outer &&
    (outer as { Type?: unknown }).Type === 'Notification'
      ? parseJson(String((outer as { Message?: unknown }).Message ?? ''), 'the SNS Message')
      : outer;
  return toMailEvent(inner);
}

function toMailEvent(value: unknown): MailEvent {
  if (value && typeof value === 'object' && 'eventType' in value) {
    const parsed = configurationSetEvent.safeParse(value);
    if (!parsed.success) throw new UnparseableEventError(`not an SES event: ${summary(parsed.error)}`);
    return fromConfigurationSet(parsed.data);
  }
  if (value && typeof value === 'object' && 'notificationType' in value) {
    const parsed = identityNotification.safeParse(value);
    if (!parsed.success) throw new UnparseableEventError(`not an SES notification: ${summary(parsed.error)}`);
    const n = parsed.data;
    if (n.notificationType === 'Bounce') return fromConfigurationSet({ ...n, eventType: 'Bounce' });
    if (n.notificationType === 'Complaint') return fromConfigurationSet({ ...n, eventType: 'Complaint' });
    return fromConfigurationSet({ ...n, eventType: 'Delivery' });
  }
  throw new UnparseableEventError('neither eventType nor notificationType: not an SES event');
}

type ConfigurationSetEvent = z.infer<typeof configurationSetEvent>;

function fromConfigurationSet(event: ConfigurationSetEvent): MailEvent {
  const tag = (name: string) => event.mail.tags?.[name]?.[0];
  const unsubscribeHeaders = (event.mail.headers ?? [])
    .filter((h) => RECORDED_HEADERS.has(h.name.toLowerCase()))
    .map((h) => ({ name: h.name, value: h.value }));
  const base = {
    sesMessageId: event.mail.messageId,
    ...(unsubscribeHeaders.length > 0 ? { unsubscribeHeaders } : {}),
    ...(tag('stream') ? { stream: tag('stream') } : {}),
    ...(tag('messageId') ? { messageId: tag('messageId') } : {}),
    ...(tag('campaignId') ? { campaignId: tag('campaignId') } : {}),
  };
  const make = (
    kind: SesEventKind,
    at: string,
    recipients: string[],
    extra: Partial<MailEvent> = {},
    discriminator = '',
  ): MailEvent => {
    const normalized = recipients.map(normalizeRecipient);
    return {
      ...base,
      kind,
      at,
      recipients: normalized,
      ...extra,
      key: [event.mail.messageId, kind, at, normalized.join(','), discriminator].join('|'),
    };
  };
  switch (event.eventType) {
    case 'Send':
      return make('send', event.mail.timestamp, event.mail.destination);
    case 'Delivery':
      return make('delivery', event.delivery.timestamp, event.delivery.recipients, {
        ...(event.delivery.smtpResponse ? { detail: event.delivery.smtpResponse } : {}),
      });
    case 'Bounce':
      return make(
        'bounce',
        event.bounce.timestamp,
        event.bounce.bouncedRecipients.map((r) => r.emailAddress),
        {
          bounceType: event.bounce.bounceType,
          bounceSubType: event.bounce.bounceSubType,
          detail:
            event.bounce.bouncedRecipients.find((r) => r.diagnosticCode)?.diagnosticCode ??
            `${event.bounce.bounceType}/${event.bounce.bounceSubType}`,
        },
      );
    case 'Complaint':
      return make(
        'complaint',
        event.complaint.timestamp,
        event.complaint.complainedRecipients.map((r) => r.emailAddress),
        {
          detail: event.complaint.complaintFeedbackType ?? 'complaint',
        },
      );
    case 'Reject':
      return make('reject', event.mail.timestamp, event.mail.destination, { detail: event.reject.reason });
    case 'Open':
      return make('open', event.open.timestamp, event.mail.destination);
    case 'Click':
      return make(
        'click',
        event.click.timestamp,
        event.mail.destination,
        { detail: event.click.link },
        event.click.link,
      );
    case 'Rendering Failure':
      return make('rendering_failure', event.mail.timestamp, event.mail.destination, {
        detail: event.failure.errorMessage,
      });
    case 'DeliveryDelay':
      return make(
        'delivery_delay',
        event.deliveryDelay.timestamp,
        event.deliveryDelay.delayedRecipients.map((r) => r.emailAddress),
        { detail: event.deliveryDelay.delayType },
      );
    case 'Subscription':
      return make('subscription', event.subscription.timestamp, event.mail.destination, {
        detail: event.subscription.contactList,
      });
  }
}

/** `"Jane" <JANE@Example.com>` and `jane@example.com` are one person. */
export function normalizeRecipient(value: string): string {
  try {
    return normalizeAddress(parseMailbox(value).address);
  } catch (error) {
    if (error instanceof AddressError) return normalizeAddress(value.trim());
    throw error;
  }
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new UnparseableEventError(`${what} is not JSON`);
  }
}

function summary(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');
}
