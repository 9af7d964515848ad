import {
  type CampaignRecipient,
  type CampaignWithProgress,
  type Email,
  MailroomApiError,
  type MailroomClient,
  type Suppression,
} from '@mailroom/client';

/** SES's mailbox simulator: works in the sandbox, costs nothing, and never reaches a person. */
export const SIMULATOR = {
  success: 'success@simulator.amazonses.com',
  bounce: 'bounce@simulator.amazonses.com',
  complaint: 'complaint@simulator.amazonses.com',
} as const;

/** A step's failure: its message is the report line, with where to look. */
export class StepFailure extends Error {}

export interface SmokeContext {
  client: MailroomClient;
  /** Unique per run: in subjects and the campaign's name. */
  runId: string;
  pollMs: number;
  /** Suppressions this run may have caused; cleanup removes each, whatever failed. */
  added: Set<string>;
  campaign?: { id: string; name: string };
  /** Leftovers from an earlier run that were removed first (reported, not a failure). */
  notes: string[];
}

/** The time one step has left; every request and every wait in the step stays within it. */
export class Deadline {
  private readonly end: number;
  constructor(readonly seconds: number) {
    this.end = Date.now() + seconds * 1000;
  }
  remainingMs(): number {
    return this.end - Date.now();
  }
  /** A request's own timeout: what is left, at most 15 s, and never nothing. */
  requestMs(): number {
    return Math.max(1000, Math.min(15_000, this.remainingMs()));
  }
}

/** Polls `probe` until it returns a value; on timeout, fails with `onTimeout()`'s words. */
async function waitFor<T>(
  ctx: SmokeContext,
  deadline: Deadline,
  probe: () => Promise<T | undefined>,
  onTimeout: () => string | Promise<string>,
): Promise<T> {
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (deadline.remainingMs() <= 0) throw new StepFailure(await onTimeout());
    await new Promise((r) => setTimeout(r, Math.min(ctx.pollMs, Math.max(0, deadline.remainingMs()))));
  }
}

/** Each request's own time limit: what is left of the step, at most 15 s (retries included). */
const within = (deadline: Deadline) => ({ signal: AbortSignal.timeout(deadline.requestMs()) });

/** `HTTP 404 not_found: No email with id "…"`: an API error as one line. */
export function describeError(error: MailroomApiError): string {
  return `HTTP ${error.status} ${error.code}: ${error.message}`;
}

/** The API's refusal of `what` as the step's failure, with where to look; anything else as it is. */
async function expectOk<T>(call: Promise<T>, what: string, hint = ''): Promise<T> {
  try {
    return await call;
  } catch (error) {
    if (!(error instanceof MailroomApiError)) throw error;
    throw new StepFailure(`${what}: ${describeError(error)}${hint ? `: ${hint}` : ''}`);
  }
}

/** The call's answer, or undefined when the API answered 404. */
async function unlessNotFound<T>(call: Promise<T>): Promise<T | undefined> {
  try {
    return await call;
  } catch (error) {
    if (error instanceof MailroomApiError && error.status === 404) return undefined;
    throw error;
  }
}

/** 1. The API answers, the caller may call it, and SES lets the account send. */
export async function accountStep(ctx: SmokeContext, deadline: Deadline): Promise<string> {
  const account = await ctx.client.account.get(within(deadline)).catch((error: unknown) => {
    if (!(error instanceof MailroomApiError)) throw error;
    throw new StepFailure(
      error.status === 403
        ? `GET /v1/account: ${describeError(error)}: the API takes only SigV4-signed requests from IAM principals allowed execute-api:Invoke on it; check which credentials you use (AWS_PROFILE), that they are in the stack's account, and the region`
        : `GET /v1/account: ${describeError(error)}: check the api function's logs`,
    );
  });
  if (!account.sendingEnabled) {
    throw new StepFailure(
      `SES sending is disabled for this account and region (enforcement status ${account.enforcementStatus ?? 'unknown'}): see the SES console's account dashboard`,
    );
  }
  const paused = account.pausedStreams.map((p) => `${p.stream} paused (${p.reason ?? 'no reason'})`);
  return [
    `${account.sandbox ? 'sandbox' : 'production'}, sending at ${account.rateInUse}/s`,
    `(SES max ${account.maxSendRate}/s, ${account.sentLast24Hours}/${account.max24HourSend} sent in 24 h)`,
    ...paused,
  ].join(' ');
}

/** Why SES refused a mail, and what to do about it. */
function failureHint(failure: { code: string; message: string } | undefined): string {
  if (!failure) return "check the sender function's logs";
  const text = `${failure.code}: ${failure.message}`;
  if (/AccessDenied|not authorized/i.test(text)) {
    return `${text}: the sender's IAM policy does not allow ses:SendEmail here (in the sandbox SES also checks the recipient's identity)`;
  }
  if (/not verified/i.test(text)) {
    return `${text}: the sending identity is not verified yet: publish the DKIM records the stack printed and wait for SES to verify them`;
  }
  return `${text}: check the sender function's logs`;
}

async function submit(ctx: SmokeContext, deadline: Deadline, to: string, what: string): Promise<string> {
  const accepted = await expectOk(
    ctx.client.emails.send(
      {
        to,
        subject: `Mailroom smoke check ${ctx.runId} (${what})`,
        text: `Sent by npm run smoke at ${ctx.runId} to SES's mailbox simulator.`,
        tags: { smoke: 'true' },
      },
      within(deadline),
    ),
    `POST /v1/emails to ${to}`,
  );
  return accepted.id;
}

async function email(ctx: SmokeContext, deadline: Deadline, id: string): Promise<Email> {
  return expectOk(ctx.client.emails.get(id, within(deadline)), `GET /v1/emails/${id}`);
}

const noEventsHint = (stream: 'transactional' | 'bulk') =>
  `check the ${stream} configuration set's event destination and the events topic's key policy`;

/** 2. A transactional mail goes out and SES's Delivery event comes back. */
export async function transactionalStep(ctx: SmokeContext, deadline: Deadline): Promise<string> {
  const id = await submit(ctx, deadline, SIMULATOR.success, 'delivery');
  let last: Email | undefined;
  const done = await waitFor(
    ctx,
    deadline,
    async () => {
      last = await email(ctx, deadline, id);
      if (last.status === 'failed')
        throw new StepFailure(`message ${id} failed: ${failureHint(last.failure)}`);
      return last.status === 'sent' && last.events.some((e) => e.type === 'delivery') ? last : undefined;
    },
    () =>
      last?.status === 'sent'
        ? `no Delivery event after ${deadline.seconds} s (message ${id} was sent, SES MessageId ${last.sesMessageId ?? '?'}): ${noEventsHint('transactional')}`
        : `message ${id} not sent after ${deadline.seconds} s (status ${last?.status ?? 'unknown'}): check the sender function's logs and the transactional queue's DLQ`,
  );
  return `message ${id} sent to ${SIMULATOR.success} (SES ${done.sesMessageId ?? '?'}), Delivery event in its history`;
}

async function suppression(
  ctx: SmokeContext,
  deadline: Deadline,
  address: string,
): Promise<Suppression | undefined> {
  return expectOk(
    unlessNotFound(ctx.client.suppressions.get(address, within(deadline))),
    `GET /v1/suppressions/${address}`,
  );
}

/** An entry left by an earlier run that did not get to clean up would make this run prove nothing. */
async function clearLeftover(ctx: SmokeContext, deadline: Deadline, address: string): Promise<void> {
  if (!(await suppression(ctx, deadline, address))) return;
  await expectOk(
    unlessNotFound(ctx.client.suppressions.delete(address, within(deadline))),
    `DELETE /v1/suppressions/${address} (left over from an earlier run)`,
  );
  ctx.notes.push(`removed a suppression of ${address} left over from an earlier run`);
}

/** 3. A bounce and a complaint each end on the suppression list, with their reasons. */
export async function feedbackStep(ctx: SmokeContext, deadline: Deadline): Promise<string> {
  const expected = [
    { address: SIMULATOR.bounce, reason: 'bounce', event: 'bounce', name: 'Bounce' },
    { address: SIMULATOR.complaint, reason: 'complaint', event: 'complaint', name: 'Complaint' },
  ];
  const ids = new Map<string, string>();
  for (const { address } of expected) {
    await clearLeftover(ctx, deadline, address);
    ctx.added.add(address);
    ids.set(address, await submit(ctx, deadline, address, address.split('@')[0] ?? ''));
  }
  const lines: string[] = [];
  for (const { address, reason, event, name } of expected) {
    const id = ids.get(address) ?? '';
    const entry = await waitFor(
      ctx,
      deadline,
      async () => {
        const mail = await email(ctx, deadline, id);
        if (mail.status === 'failed') {
          throw new StepFailure(`message ${id} to ${address} failed: ${failureHint(mail.failure)}`);
        }
        return suppression(ctx, deadline, address);
      },
      async () => {
        const mail = await email(ctx, deadline, id).catch(() => undefined);
        if (mail?.status !== 'sent') {
          return `message ${id} to ${address} not sent after ${deadline.seconds} s (status ${mail?.status ?? 'unknown'}): check the sender function's logs and the transactional queue's DLQ`;
        }
        if (!mail.events.some((e) => e.type === event)) {
          return `no ${name} event for ${address} after ${deadline.seconds} s (message ${id} was sent): ${noEventsHint('transactional')}`;
        }
        return `the ${name} event for ${address} arrived but the address is not suppressed after ${deadline.seconds} s: check the events function's logs and the events queue's DLQ`;
      },
    );
    if (entry.reason !== reason) {
      throw new StepFailure(`${address} is suppressed with reason ${entry.reason}, expected ${reason}`);
    }
    lines.push(`${address} suppressed (${entry.reason}${entry.detail ? `: ${entry.detail}` : ''})`);
  }
  return lines.join('; ');
}

const header = (recipient: CampaignRecipient, name: string) =>
  recipient.headers.find((h) => h.name.toLowerCase() === name.toLowerCase())?.value;

/**
 * 4. A one-recipient campaign: its mail carried the RFC 8058 headers (as SES reported them back),
 * the unsubscribe page answers, and a one-click POST suppresses the address.
 */
export async function campaignStep(ctx: SmokeContext, deadline: Deadline): Promise<string> {
  const to = SIMULATOR.success;
  await clearLeftover(ctx, deadline, to);
  const name = `mailroom smoke ${ctx.runId}`;
  const created = await expectOk(
    ctx.client.campaigns.create(
      {
        name,
        subject: `Mailroom smoke check ${ctx.runId} (campaign)`,
        html: '<p>Mailroom smoke check.</p><p><a href="{{unsubscribe_url}}">Unsubscribe</a></p>',
        text: 'Mailroom smoke check. Unsubscribe: {{unsubscribe_url}}',
        tags: { smoke: 'true' },
      },
      within(deadline),
    ),
    'POST /v1/campaigns',
  );
  const id = created.id;
  ctx.campaign = { id, name };
  await expectOk(
    ctx.client.campaigns.addRecipients(id, [{ email: to, data: {} }], within(deadline)),
    `POST /v1/campaigns/${id}/recipients`,
  );
  await expectOk(ctx.client.campaigns.send(id, {}, within(deadline)), `POST /v1/campaigns/${id}/send`);

  let campaign: CampaignWithProgress | undefined;
  await waitFor(
    ctx,
    deadline,
    async () => {
      campaign = await expectOk(ctx.client.campaigns.get(id, within(deadline)), `GET /v1/campaigns/${id}`);
      if (campaign.status === 'paused' || campaign.status === 'cancelled') {
        throw new StepFailure(
          `campaign ${id} is ${campaign.status}${campaign.pausedBy ? ` by ${campaign.pausedBy}` : ''}: see GET /v1/account (pausedStreams)`,
        );
      }
      return campaign.status === 'completed' ? campaign : undefined;
    },
    () =>
      `campaign ${id} not completed after ${deadline.seconds} s (status ${campaign?.status ?? 'unknown'}, totals ${JSON.stringify(campaign?.totals ?? {})}): check the fan-out and bulk queues' DLQs and the sender function's logs`,
  );

  let recipient: CampaignRecipient | undefined;
  await waitFor(
    ctx,
    deadline,
    async () => {
      recipient = await ctx.client.campaigns
        .getRecipient(id, to, within(deadline))
        .catch((error: unknown) => {
          if (!(error instanceof MailroomApiError)) throw error;
          // A 404 without the API's error envelope: the route itself is missing (an older stack).
          throw new StepFailure(
            error.status === 404 && error.code === 'http_404'
              ? `GET /v1/campaigns/{id}/recipients/{email} is not there (${describeError(error)}): deploy the current version of the stack`
              : `GET /v1/campaigns/${id}/recipients/${to}: ${describeError(error)}`,
          );
        });
      if (recipient.status !== 'sent') {
        throw new StepFailure(
          `the campaign mail to ${to} ended ${recipient.status}${recipient.reason ? `: ${recipient.reason}` : ''}`,
        );
      }
      return header(recipient, 'List-Unsubscribe') ? recipient : undefined;
    },
    () =>
      `no SES event with the mail's headers for ${to} after ${deadline.seconds} s (the campaign mail was sent, SES MessageId ${recipient?.sesMessageId ?? '?'}): ${noEventsHint('bulk')}`,
  );
  const listUnsubscribe = header(recipient as CampaignRecipient, 'List-Unsubscribe') ?? '';
  const listUnsubscribePost = header(recipient as CampaignRecipient, 'List-Unsubscribe-Post');
  const link = /^<(https?:\/\/[^>]+\/unsubscribe\?token=[^>]+)>$/.exec(listUnsubscribe)?.[1];
  if (!link) {
    throw new StepFailure(
      `List-Unsubscribe is "${listUnsubscribe}", expected <https://…/unsubscribe?token=…>`,
    );
  }
  const url = new URL(link);
  if (url.protocol !== 'https:' && !/^(localhost|127\.|\[::1\])/.test(url.host)) {
    throw new StepFailure(
      `List-Unsubscribe points to ${url.origin}: mail clients need https (PUBLIC_BASE_URL)`,
    );
  }
  if (listUnsubscribePost !== 'List-Unsubscribe=One-Click') {
    throw new StepFailure(
      `List-Unsubscribe-Post is ${listUnsubscribePost === undefined ? 'missing' : `"${listUnsubscribePost}"`}, expected "List-Unsubscribe=One-Click" (RFC 8058)`,
    );
  }

  const page = await ctx.client.unsubscribe.page(url, within(deadline));
  if (page.status !== 200 || !page.contentType.startsWith('text/html')) {
    throw new StepFailure(
      `GET of the unsubscribe link answered ${page.status} ${page.contentType || '(no content type)'}, expected 200 text/html: check the /unsubscribe route and the api function's logs`,
    );
  }
  ctx.added.add(to);
  const oneClick = await ctx.client.unsubscribe.oneClick(url, within(deadline));
  if (oneClick.status !== 200) {
    throw new StepFailure(
      `the one-click POST (RFC 8058) answered ${oneClick.status}, expected 200: check the api function's logs`,
    );
  }
  const entry = await waitFor(
    ctx,
    deadline,
    () => suppression(ctx, deadline, to),
    () =>
      `the one-click POST answered 200 but ${to} is not suppressed after ${deadline.seconds} s: check the api function's logs`,
  );
  if (!/unsubscribe/.test(entry.reason)) {
    throw new StepFailure(`${to} is suppressed with reason ${entry.reason}, expected unsubscribe`);
  }
  return [
    `campaign ${id} completed`,
    `List-Unsubscribe <${url.origin}${url.pathname}?token=…> and List-Unsubscribe-Post One-Click`,
    'unsubscribe page 200',
    `one-click POST suppressed ${to} (${entry.reason})`,
  ].join('; ');
}

/** 5. Whatever happened before: remove every suppression this run may have added. */
export async function cleanupStep(ctx: SmokeContext, deadline: Deadline): Promise<string> {
  const removed: string[] = [];
  const problems: string[] = [];
  for (const address of ctx.added) {
    try {
      await ctx.client.suppressions.delete(address, within(deadline));
      removed.push(address);
    } catch (error) {
      if (error instanceof MailroomApiError && error.status === 404) continue;
      problems.push(
        `${address}: ${error instanceof MailroomApiError ? describeError(error) : error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
  const campaign = ctx.campaign
    ? `campaign ${ctx.campaign.id} ("${ctx.campaign.name}") stays: campaigns cannot be deleted through the API`
    : undefined;
  if (problems.length > 0) {
    throw new StepFailure(
      [`could not remove ${problems.join('; ')}: DELETE /v1/suppressions/{email} by hand`, campaign]
        .filter(Boolean)
        .join('; '),
    );
  }
  return [
    removed.length > 0 ? `removed the suppressions of ${removed.join(', ')}` : 'no suppression to remove',
    campaign,
  ]
    .filter(Boolean)
    .join('; ');
}
