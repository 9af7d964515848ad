import type * as z from 'zod';
import type { RenderedMail, Stream } from '../sending/outgoing-mail';
import type { Failure } from '../sending/ports';
import type { emailSchema } from './email-response';

/** Where one message is in its life. `sending` is the claim that makes a redelivery harmless. */
export type MessageStatus = 'queued' | 'sending' | 'sent' | 'failed';

export interface MessageEvent {
  type: string;
  at: string;
  detail?: string;
}

/** A message as stored: rendered, addressed and ready for the sender, plus what happened to it. */
export interface StoredMessage extends RenderedMail {
  id: string;
  stream: Stream;
  status: MessageStatus;
  createdAt: string;
  updatedAt: string;
  tags: Record<string, string>;
  template?: string;
  suppressed: string[];
  idempotencyKey?: string;
  attempts: number;
  claimedAt?: string;
  sentAt?: string;
  failedAt?: string;
  sesMessageId?: string;
  failure?: Failure;
  history: MessageEvent[];
}

/** What `GET /v1/emails/{id}` shows: status and history, not the content (emailSchema). */
export function publicView(message: StoredMessage): z.output<typeof emailSchema> {
  return {
    id: message.id,
    stream: message.stream,
    status: message.status,
    from: message.from,
    to: message.to,
    cc: message.cc,
    bcc: message.bcc,
    subject: message.subject,
    tags: message.tags,
    template: message.template,
    suppressed: message.suppressed,
    sesMessageId: message.sesMessageId,
    failure: message.failure,
    attempts: message.attempts,
    createdAt: message.createdAt,
    updatedAt: message.updatedAt,
    sentAt: message.sentAt,
    failedAt: message.failedAt,
    events: message.history,
  };
}
