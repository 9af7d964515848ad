import type { SuppressionList } from '../feedback/ports';
import { formatMailbox, type Mailbox, normalizeAddress } from '../mail/addresses';
import { fingerprint } from '../requests/canonical-json';
import { ApiError, badRequest, conflict, unprocessable } from '../requests/errors';
import { parseRequest, requireSendingDomain } from '../requests/validation';
import type { TemplateRepository } from '../templates/ports';
import { renderOrThrow } from '../templates/template-errors';
import { renderContent, type TemplateContent } from '../templates/template-rules';
import { type EmailRequest, emailRequestSchema } from './email-request';
import type { StoredMessage } from './message';
import type { IdempotencyStore, MessageRepository, SendQueue, SubmitResponse } from './ports';

/** DynamoDB items stop at 400 KB; the rendered mail must fit in one with room for its history. */
export const MAX_RENDERED_BYTES = 300 * 1024;
export const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

export interface SubmitEmailDeps {
  sendingDomain: string;
  defaultFrom: Mailbox;
  /** Reply-To when a request names none (the deploy config's replyTo). */
  defaultReplyTo?: Mailbox[];
  messages: MessageRepository;
  templates: TemplateRepository;
  suppressions: Pick<SuppressionList, 'suppressedAmong'>;
  idempotency: IdempotencyStore;
  queue: SendQueue;
  newId: () => string;
  now: () => Date;
}

/**
 * `POST /v1/emails`: validate, render, leave out suppressed recipients, store, queue.
 * Everything that can reject the request runs before anything is written, and a failure after the
 * first write undoes it: a rejected request changes nothing.
 */
export async function submitEmail(
  input: { body: unknown; idempotencyKey?: string },
  deps: SubmitEmailDeps,
): Promise<SubmitResponse> {
  const request = parseRequest(emailRequestSchema, input.body);
  const from = request.from ?? deps.defaultFrom;
  requireSendingDomain(from, deps.sendingDomain);
  const key = input.idempotencyKey;
  if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
    throw badRequest('invalid_idempotency_key', 'Idempotency-Key must be 1 to 255 visible ASCII characters');
  }

  let messageId = deps.newId();
  if (key !== undefined) {
    const claim = await deps.idempotency.claim(key, fingerprint(input.body), messageId, deps.now());
    if (claim.outcome === 'replay') return claim.response;
    if (claim.outcome === 'mismatch') {
      throw conflict('idempotency_mismatch', 'This Idempotency-Key was used with a different request body');
    }
    if (claim.outcome === 'in_progress') {
      throw conflict(
        'idempotency_in_progress',
        'A request with this Idempotency-Key is still being processed',
      );
    }
    messageId = claim.messageId;
  }

  let response: SubmitResponse;
  try {
    response = await acceptEmail(request, from, messageId, key, deps);
  } catch (error) {
    // Nothing was queued, so the key is free again for a corrected request.
    if (key !== undefined) await deps.idempotency.release(key);
    throw error;
  }
  // If this write fails the claim stays in progress; a retry takes it over with the same message id.
  if (key !== undefined) await deps.idempotency.complete(key, response);
  return response;
}

async function acceptEmail(
  request: EmailRequest,
  from: Mailbox,
  id: string,
  idempotencyKey: string | undefined,
  deps: SubmitEmailDeps,
): Promise<SubmitResponse> {
  const content = await resolveContent(request, deps.templates);
  const size =
    Buffer.byteLength(content.subject) +
    Buffer.byteLength(content.html ?? '') +
    Buffer.byteLength(content.text ?? '');
  if (size > MAX_RENDERED_BYTES) {
    throw new ApiError(
      413,
      'rendered_too_large',
      `The rendered mail is ${size} bytes; at most ${MAX_RENDERED_BYTES}`,
    );
  }

  const recipients = dedupeRecipients(request);
  const all = [...recipients.to, ...recipients.cc, ...recipients.bcc];
  const suppressedSet = await deps.suppressions.suppressedAmong(
    all.map((m) => normalizeAddress(m.address)),
    'transactional',
  );
  const keep = (list: Mailbox[]) => list.filter((m) => !suppressedSet.has(normalizeAddress(m.address)));
  const suppressed = all.map((m) => m.address).filter((a) => suppressedSet.has(normalizeAddress(a)));
  const to = keep(recipients.to);
  const cc = keep(recipients.cc);
  const bcc = keep(recipients.bcc);
  if (to.length + cc.length + bcc.length === 0) {
    throw unprocessable('all_recipients_suppressed', 'Every recipient is on the suppression list', {
      suppressed,
    });
  }

  const now = deps.now().toISOString();
  const message: StoredMessage = {
    id,
    stream: 'transactional',
    status: 'queued',
    createdAt: now,
    updatedAt: now,
    from: formatMailbox(from),
    to: to.map(formatMailbox),
    cc: cc.map(formatMailbox),
    bcc: bcc.map(formatMailbox),
    replyTo: (request.replyTo ?? deps.defaultReplyTo ?? []).map(formatMailbox),
    ...content,
    headers: Object.entries(request.headers ?? {}).map(([name, value]) => ({ name, value })),
    tags: request.tags ?? {},
    ...(request.template === undefined ? {} : { template: request.template }),
    suppressed,
    ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
    attempts: 0,
    history: [{ type: 'queued', at: now }],
  };
  // false means a crashed earlier attempt with the same Idempotency-Key stored it already: queueing
  // it again is harmless, the sender's claim lets only one send through.
  const created = await deps.messages.create(message);
  try {
    await deps.queue.enqueue(id);
  } catch (error) {
    if (created) await deps.messages.delete(id);
    throw error;
  }
  return { id, status: 'queued', suppressed };
}

async function resolveContent(
  request: EmailRequest,
  templates: TemplateRepository,
): Promise<TemplateContent> {
  let source: TemplateContent;
  if (request.template !== undefined) {
    const template = await templates.get(request.template);
    if (!template) throw unprocessable('unknown_template', `No template named "${request.template}"`);
    source = template;
  } else {
    // Inline content is sent as written unless the caller gives data to merge into it.
    source = { subject: request.subject ?? '', html: request.html, text: request.text };
    if (request.data === undefined) return stripUndefined(source);
  }
  return renderOrThrow(() => renderContent(stripUndefined(source), request.data ?? {}));
}

function stripUndefined(content: TemplateContent): TemplateContent {
  return {
    subject: content.subject,
    ...(content.html === undefined ? {} : { html: content.html }),
    ...(content.text === undefined ? {} : { text: content.text }),
  };
}

/** The same person twice (in to and cc, or in two cases) gets one mail, in the first list named. */
function dedupeRecipients(request: EmailRequest) {
  const seen = new Set<string>();
  const once = (list: Mailbox[] = []) =>
    list.filter((m) => {
      const key = normalizeAddress(m.address);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  return { to: once(request.to), cc: once(request.cc), bcc: once(request.bcc) };
}
