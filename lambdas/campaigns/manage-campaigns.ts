import { createHash } from 'node:crypto';
import type * as z from 'zod';
import type { StoredMessage } from '../emails/message';
import { suppressionKey } from '../feedback/manage-suppressions';
import type { ReputationStore, SuppressionList } from '../feedback/ports';
import { formatMailbox, type Mailbox, normalizeAddress } from '../mail/addresses';
import { ApiError, badRequest, conflict, notFound, unavailable, unprocessable } from '../requests/errors';
import { parseRequest, requireSendingDomain } from '../requests/validation';
import { MAX_QUEUE_DELAY_SECONDS } from '../sending/retry';
import type { TemplateRepository } from '../templates/ports';
import { checkSyntaxOrThrow, renderOrThrow } from '../templates/template-errors';
import type { TemplateContent } from '../templates/template-rules';
import { type BulkContentDeps, renderForRecipient } from './bulk-content';
import {
  type Campaign,
  type CampaignAction,
  type CampaignStatus,
  campaignProgress,
  emptyEventTotals,
  emptyTotals,
  parseUploadEntry,
  RECIPIENTS_OPEN,
  recipientView,
  transitionProblem,
  UPLOAD_LEASE_MS,
  UPLOAD_WRITE_MS,
  uploadEntry,
  uploadHoldsFence,
  uploadsClosed,
} from './campaign';
import {
  addRecipientsSchema,
  createCampaignSchema,
  MAX_CAMPAIGN_CONTENT_BYTES,
  MAX_RECIPIENTS_PER_CALL,
  sendCampaignSchema,
  testSendSchema,
  updateCampaignSchema,
} from './campaign-request';
import type {
  campaignSchema,
  campaignWithProgressSchema,
  recipientsResultSchema,
  testSendAcceptedSchema,
  unrenderableDetailsSchema,
  uploadIncompleteDetailsSchema,
} from './campaign-response';
import type { CampaignEdit, CampaignRepository, FanoutQueue, RateLedger, RecipientRepository } from './ports';
import { checkRows, renderProblem, rowsFromCsv } from './recipient-import';
import { contentWarnings } from './unsubscribe-link';

export interface CampaignDeps {
  campaigns: CampaignRepository;
  recipients: RecipientRepository;
  templates: TemplateRepository;
  suppressions: Pick<SuppressionList, 'suppressedAmong'>;
  queues: FanoutQueue;
  ledger: RateLedger;
  /** The reputation guard: while it holds bulk mail, nothing starts or resumes. */
  reputation: Pick<ReputationStore, 'guard' | 'clear'>;
  /** The unsubscribe key and public URL, for test sends (read lazily: only tests need them here). */
  bulkContent: () => Promise<BulkContentDeps>;
  sendingDomain: string;
  defaultFrom: Mailbox;
  defaultReplyTo?: Mailbox[];
  /** Queues a one-off transactional message (test sends). */
  submitMessage: (message: StoredMessage) => Promise<void>;
  newId: () => string;
  now: () => Date;
}

/** `POST /v1/campaigns`: a draft, its content compiled (and a template's content copied) now. */
export async function createCampaign(body: unknown, deps: CampaignDeps): Promise<WithWarnings<Campaign>> {
  const fields = await editableFields(body, deps);
  const now = deps.now().toISOString();
  const campaign: Campaign = {
    id: deps.newId(),
    status: 'draft',
    ...fields,
    createdAt: now,
    updatedAt: now,
    fanoutGeneration: 0,
    fanoutDone: false,
    totals: emptyTotals(),
    events: emptyEventTotals(),
  };
  await deps.campaigns.create(campaign);
  return withWarnings(campaign, contentWarnings(fields.content));
}

/**
 * What a create request (createCampaignSchema) sets: the sender checked against the sending
 * domain, a template's content copied, every part compiled.
 */
async function editableFields(
  body: unknown,
  deps: Pick<CampaignDeps, 'templates' | 'sendingDomain' | 'defaultFrom' | 'defaultReplyTo'>,
): Promise<CampaignEdit> {
  const request = parseRequest(createCampaignSchema, body);
  const from = request.from ?? deps.defaultFrom;
  requireSendingDomain(from, deps.sendingDomain);
  const content =
    request.template === undefined
      ? { subject: request.subject ?? '', ...pick(request) }
      : await templateContent(request.template, deps);
  checkSyntaxOrThrow(content);
  return {
    name: request.name,
    from: formatMailbox(from),
    replyTo: (request.replyTo ?? deps.defaultReplyTo ?? []).map(formatMailbox),
    content,
    ...(request.template === undefined ? {} : { template: request.template }),
    tags: request.tags ?? {},
  };
}

/**
 * The campaign's editable fields with the request's changes: parsed and checked as at creation
 * (the sender's domain, a template's content copied, every part compiled).
 */
async function editedFields(
  campaign: Campaign,
  request: z.output<typeof updateCampaignSchema>,
  deps: Pick<CampaignDeps, 'templates' | 'sendingDomain'>,
): Promise<CampaignEdit> {
  if (request.from !== undefined) requireSendingDomain(request.from, deps.sendingDomain);
  let content = campaign.content;
  let template = campaign.template;
  if (request.template !== undefined) {
    content = await templateContent(request.template, deps);
    template = request.template;
  } else if (request.subject !== undefined || request.html !== undefined || request.text !== undefined) {
    const merged = { ...content };
    if (request.subject !== undefined) merged.subject = request.subject;
    for (const part of ['html', 'text'] as const) {
      const given = request[part];
      if (given === null) delete merged[part];
      else if (given !== undefined) merged[part] = given;
    }
    if (merged.html === undefined && merged.text === undefined) {
      throw badRequest('validation_failed', 'The campaign would have neither html nor text', [
        { path: 'html', message: 'give html, text or both: removing both leaves no body' },
      ]);
    }
    content = merged;
    template = undefined;
  }
  const bytes = contentBytes(content);
  if (bytes > MAX_CAMPAIGN_CONTENT_BYTES) {
    throw new ApiError(
      413,
      'too_large',
      `The campaign's content would be ${bytes} bytes of UTF-8 (subject, html and text together); at most ${MAX_CAMPAIGN_CONTENT_BYTES}`,
    );
  }
  checkSyntaxOrThrow(content);
  return {
    name: request.name ?? campaign.name,
    from: request.from === undefined ? campaign.from : formatMailbox(request.from),
    replyTo: request.replyTo === undefined ? campaign.replyTo : request.replyTo.map(formatMailbox),
    content,
    ...(template === undefined ? {} : { template }),
    tags: request.tags ?? campaign.tags,
  };
}

/** A stored template's content, copied (a campaign never follows later edits of the template). */
async function templateContent(
  name: string,
  deps: Pick<CampaignDeps, 'templates'>,
): Promise<TemplateContent> {
  const template = await deps.templates.get(name);
  if (!template) throw unprocessable('unknown_template', `No template named "${name}"`);
  return { subject: template.subject, ...pick(template) };
}

/** Per request: how long an edit may spend checking the campaign's rows (tests shorten it). */
export interface EditOptions extends UploadOptions {
  checkBudgetMs?: number;
}

/**
 * `PATCH /v1/campaigns/{id}`: changes a draft's or a scheduled campaign's name, sender, reply-to,
 * tags or content (updateCampaignSchema); what the body leaves out stays as it is. A schedule
 * stays as it is.
 *
 * Invariant 5 (campaign.ts): new content is checked against every row already stored before it is
 * written, and a row that does not render with it refuses the edit (422 with the first rows and
 * their reasons), changing nothing; the write is conditional on no upload being registered, none
 * having registered since the campaign was read (`uploadRegistrations`: rows it wrote, even if it
 * has finished since, might have been missed by the check), and the revision the rows were
 * checked against still being current. Checking stops after EDIT_CHECK_BUDGET_MS (or before the
 * function's deadline): a list too long to check in one request cannot take new content (409),
 * only the other fields.
 */
export async function updateCampaign(
  id: string,
  body: unknown,
  deps: CampaignDeps,
  options: EditOptions = {},
): Promise<WithWarnings<Campaign>> {
  const request = parseRequest(updateCampaignSchema, body);
  const campaign = await existing(id, deps, 'edit');
  const fields = await editedFields(campaign, request, deps);
  if (uploadHoldsFence(campaign, deps.now())) throw uploadInProgress(id);
  if (!sameContent(campaign.content, fields.content)) {
    const started = performance.now();
    const stopAt = Math.min(
      started + (options.checkBudgetMs ?? EDIT_CHECK_BUDGET_MS),
      started +
        (options.deadline ? options.deadline.getTime() - Date.now() - UPLOAD_RELEASE_MARGIN_MS : Infinity),
    );
    await checkStoredRows(id, fields.content, deps, stopAt);
  }
  const edited = await deps.campaigns.edit(id, fields, campaign, deps.newId(), RECIPIENTS_OPEN, deps.now());
  if (edited) return withWarnings(edited, contentWarnings(fields.content));
  // Refused: say why, as it is now.
  const now = await existing(id, deps, 'edit');
  if (uploadHoldsFence(now, deps.now())) throw uploadInProgress(id);
  throw conflict('invalid_state', `Campaign ${id} changed state meanwhile; read it and try again`);
}

function contentBytes(content: TemplateContent): number {
  return [content.subject, content.html ?? '', content.text ?? ''].reduce(
    (sum, part) => sum + Buffer.byteLength(part, 'utf8'),
    0,
  );
}

function sameContent(a: TemplateContent, b: TemplateContent): boolean {
  return a.subject === b.subject && a.html === b.html && a.text === b.text;
}

/** How long an edit may spend reading and rendering the stored rows against new content. */
export const EDIT_CHECK_BUDGET_MS = 4_000;
/** Rows named in an edit's refusal (the first found). */
export const EDIT_FAILURES_SHOWN = 10;

/** Every stored row of the campaign renders with `content`, or the edit is refused (see updateCampaign). */
async function checkStoredRows(
  id: string,
  content: TemplateContent,
  deps: Pick<CampaignDeps, 'recipients'>,
  stopAt: number,
): Promise<void> {
  const failures: { email: string; reason: string }[] = [];
  let checked = 0;
  let cursor: string | undefined;
  do {
    const page = await deps.recipients.page(id, MAX_RECIPIENTS_PER_CALL, cursor);
    for (const row of page.items) {
      if (performance.now() > stopAt) {
        throw conflict(
          'too_many_recipients_to_check',
          `Campaign ${id} has more recipients than an edit can check against new content in one request (${checked} checked): its content can no longer change (its name, sender and tags can, with the same content). Create a new campaign for new content`,
        );
      }
      const problem = renderProblem(content, row.data);
      checked++;
      if (problem === undefined) continue;
      failures.push({ email: row.email, reason: problem });
      if (failures.length >= EDIT_FAILURES_SHOWN) break;
    }
    cursor = page.nextCursor;
  } while (cursor !== undefined && failures.length < EDIT_FAILURES_SHOWN);
  if (failures.length > 0) {
    throw unprocessable(
      'unrenderable_for_recipients',
      `The new content does not render for ${failures.length === EDIT_FAILURES_SHOWN ? `at least ${failures.length}` : failures.length} of the campaign's recipients (their data lacks what it uses); nothing was changed`,
      { failures } satisfies z.output<typeof unrenderableDetailsSchema>,
    );
  }
}

/** What the caller should know but that does not stop the request; shown as `warnings` in the response. */
export type WithWarnings<T> = T & { warnings?: string[] };

function withWarnings<T extends object>(value: T, warnings: string[]): WithWarnings<T> {
  return warnings.length === 0 ? value : { ...value, warnings };
}

function jsonRows(json: unknown): unknown[] {
  const list = (json as { recipients?: unknown } | null)?.recipients;
  if (Array.isArray(list) && list.length > MAX_RECIPIENTS_PER_CALL) {
    throw badRequest(
      'too_many_recipients',
      `At most ${MAX_RECIPIENTS_PER_CALL} recipients per call; got ${list.length}`,
    );
  }
  return parseRequest(addRecipientsSchema, json).recipients;
}

function pick(source: { html?: string | undefined; text?: string | undefined }) {
  return {
    ...(source.html === undefined ? {} : { html: source.html }),
    ...(source.text === undefined ? {} : { text: source.text }),
  };
}

/** A campaign as the API shows it (campaignSchema): without the fan-out's bookkeeping. */
export function campaignView(campaign: WithWarnings<Campaign>): z.output<typeof campaignSchema> {
  const {
    fanoutGeneration,
    fanoutCursor,
    fanoutUpdatedAt,
    fanoutDone,
    startQueued,
    openUploads,
    uploadFenceUntil,
    reconciledAt,
    recountTriedAt,
    startRequestedAt,
    contentRevision,
    uploadRegistrations,
    ...shown
  } = campaign;
  return shown;
}

export async function getCampaign(
  id: string,
  deps: Pick<CampaignDeps, 'campaigns' | 'ledger' | 'now'>,
): Promise<z.output<typeof campaignWithProgressSchema>> {
  const campaign = await deps.campaigns.get(id);
  if (!campaign) throw notFound(`No campaign with id "${id}"`);
  const rate = campaign.status === 'sending' ? await deps.ledger.current('bulk', deps.now()) : 0;
  return { ...campaignView(campaign), ...campaignProgress(campaign, rate) };
}

/**
 * `GET /v1/campaigns/{id}/recipients/{email}`: one recipient's state and what SES reported about
 * its mail, headers included, so a caller can check what went out without reading the mailbox.
 */
export async function getRecipient(
  id: string,
  rawEmail: string,
  deps: Pick<CampaignDeps, 'campaigns' | 'recipients'>,
) {
  const email = suppressionKey(rawEmail);
  const recipient = await deps.recipients.get(id, email);
  if (!recipient) {
    if (!(await deps.campaigns.get(id))) throw notFound(`No campaign with id "${id}"`);
    throw notFound(`${email} is not a recipient of campaign ${id}`);
  }
  return recipientView(recipient);
}

async function existing(
  id: string,
  deps: Pick<CampaignDeps, 'campaigns'>,
  action: CampaignAction,
): Promise<Campaign> {
  const campaign = await deps.campaigns.get(id);
  if (!campaign) throw notFound(`No campaign with id "${id}"`);
  const problem = transitionProblem(action, campaign.status);
  if (problem) throw conflict('invalid_state', `Campaign ${id}: ${problem}`);
  return campaign;
}

/** What an upload answers (recipientsResultSchema). */
export type AddRecipientsResult = z.output<typeof recipientsResultSchema>;

/** Per request: what the API knows about the call beyond its body. */
export interface UploadOptions {
  /**
   * When the function will be stopped (Lambda's remaining time at the start of the request): the
   * upload stops writing UPLOAD_RELEASE_MARGIN_MS before it, so it can always release and answer
   * 503 itself instead of being killed (API Gateway's 502).
   */
  deadline?: Date;
}

/**
 * `POST /v1/campaigns/{id}/recipients`, JSON `{recipients: [{email, data}]}` or a CSV body. Valid rows
 * are added (an address already in the campaign counts as a duplicate, once); invalid rows are
 * reported with their reason and change nothing.
 *
 * Invariants 2 and 4 (campaign.ts): every row is checked before anything is written, so no write
 * fails on the data. The upload then registers on the campaign (a write conditional on the status
 * being draft or scheduled: otherwise 409 and nothing written), writes its rows until its write
 * deadline, and, if it wrote every row, releases the registration while counting what it wrote, in
 * one write. While it is registered no start can happen (the fence).
 *
 * An upload that does not finish (out of time, a DynamoDB error) answers 503 upload_incomplete and
 * keeps its registration: its rows stay pending, tagged with its id, in a campaign that has not
 * started, and uncounted. Its retry (issue 11 review, S2) is the same logical upload (its upload
 * key: a hash of its valid addresses, normalized and sorted, so row order, case and display names
 * do not make another upload, and a reused Idempotency-Key cannot merge two different lists) and
 * adopts the rows of every still-registered
 * attempt of that upload, live lease or not (an attempt killed at 10 s keeps a 30 s lease), plus
 * rows of any upload whose lease ran out; on finishing it counts them and removes those attempts'
 * registrations in its release. Each row is counted by exactly one release: a release is
 * conditional on every registration it removes, an attempt whose registration was removed counts
 * nothing (its rows were adopted), and rows adopted from an attempt that released first are not
 * counted again. Rows of an upload nobody retries are counted by the reconcile.
 */
export async function addRecipients(
  id: string,
  input: { json: unknown } | { csv: string },
  deps: CampaignDeps,
  options: UploadOptions = {},
): Promise<AddRecipientsResult> {
  const rows = 'csv' in input ? rowsFromCsv(input.csv, MAX_RECIPIENTS_PER_CALL) : jsonRows(input.json);
  if (rows.length === 0) throw badRequest('no_rows', 'The upload holds no recipient rows');
  const { checked, registration } = await checkAndRegister(id, rows, deps);
  const result = (added: number): AddRecipientsResult => ({
    added,
    duplicates: checked.duplicates + checked.valid.length - added,
    invalid: checked.invalid,
  });
  if (!registration) return result(0);
  const { registered, registeredAt, uploadKey, uploadId, leaseEnd, entry } = registration;
  const others = openUploads(registered).filter((upload) => upload.uploadId !== uploadId);
  const sameUpload = others.filter((upload) => uploadKeyOfId(upload.uploadId) === uploadKey);
  const dead = others.filter((upload) => upload.leaseEnd < registeredAt.getTime());
  const writeUntil = Math.min(
    registeredAt.getTime() + UPLOAD_WRITE_MS,
    (options.deadline?.getTime() ?? Number.POSITIVE_INFINITY) - UPLOAD_RELEASE_MARGIN_MS,
  );
  // `details` says how many rows are in (a start that was waiting for this upload sends them).
  const incomplete = (written: number, left: number) =>
    unavailable(
      'upload_incomplete',
      `${written} rows were written before the upload ${left > 0 ? 'ran out of time' : 'failed'}; they are kept, and counted when the same rows are sent again (in any order), which adds the other ${left}. If a send is waiting for this upload, the campaign starts with the rows written once this upload's lease ends, and takes no more`,
      { written, unwritten: left } satisfies z.output<typeof uploadIncompleteDetailsSchema>,
    );
  let outcome: Awaited<ReturnType<RecipientRepository['addNew']>>;
  try {
    outcome = await deps.recipients.addNew(
      checked.valid.map((r) => ({ ...r, uploadId })),
      {
        adoptFrom: [...new Set([...sameUpload, ...dead].map((upload) => upload.uploadId))],
        writeUntil,
        now: () => deps.now().getTime(),
      },
    );
  } catch {
    throw incomplete(0, checked.valid.length);
  }
  // Not finished: the registration stays (its lease ends it), so its retry adopts and counts these rows.
  if (outcome.error !== undefined || outcome.unwritten > 0)
    throw incomplete(outcome.added.size, outcome.unwritten);

  const released = await releaseCounting(
    id,
    { entry, uploadKey, leaseEnd, registered },
    outcome,
    sameUpload,
    deps,
  ).catch(() => {
    throw incomplete(outcome.added.size, 0);
  });
  // A newer attempt of the same upload registered: it adopts our rows and counts them.
  if (released === 'superseded') throw incomplete(outcome.added.size, 0);
  if (!released) {
    // S4: our registration is gone: its lease ran out and a start (or a recount) cleared it.
    const now = await deps.campaigns.get(id);
    if (now && RECIPIENTS_OPEN.includes(now.status)) {
      throw incomplete(outcome.added.size, 0);
    }
    throw conflict(
      'upload_expired',
      `Campaign ${id} started (${now?.status ?? 'gone'}) after this upload's registration ran out, before it could count its ${outcome.added.size} rows: those rows may not be mailed. GET /v1/campaigns/${id}/recipients/{email} shows each one's state (pending in a started campaign: not mailed; the next recount queues any still pending)`,
    );
  }
  return result(outcome.added.size);
}

/**
 * Checks the rows against the campaign's content and registers the upload (the fence), unless no
 * row is valid. Invariant 5: the registration is conditional on the content the rows were checked
 * against; an edit landing in between refuses it, and the rows are checked again with the new
 * content (twice more at most: then the usual 409).
 */
async function checkAndRegister(id: string, rows: unknown[], deps: CampaignDeps) {
  let campaign = await existing(id, deps, 'addRecipients');
  for (let attempt = 1; ; attempt++) {
    const checked = checkRows(rows, id, campaign.content, deps.now());
    if (checked.valid.length === 0) return { checked };
    const uploadKey = uploadKeyOf(JSON.stringify(checked.valid.map((r) => r.email).sort()));
    const uploadId = `${uploadKey}.${deps.newId()}`;
    const registeredAt = deps.now();
    const leaseEnd = new Date(registeredAt.getTime() + UPLOAD_LEASE_MS);
    const entry = uploadEntry(uploadId, leaseEnd);
    const registered = await deps.campaigns.registerUpload(
      id,
      entry,
      leaseEnd,
      RECIPIENTS_OPEN,
      campaign.contentRevision,
      registeredAt,
    );
    if (registered) {
      return { checked, registration: { registered, registeredAt, uploadKey, uploadId, leaseEnd, entry } };
    }
    const now = await existing(id, deps, 'addRecipients');
    if (now.contentRevision === campaign.contentRevision || attempt === 3)
      return refuseRegistration(id, registeredAt, deps);
    campaign = now;
  }
}

/** Stop writing this long before the function's deadline: time to release and answer. */
const UPLOAD_RELEASE_MARGIN_MS = 1_500;

/** A short stable key for the same body: a retry without an Idempotency-Key adopts by it. */
export function uploadKeyOf(text: string): string {
  return createHash('sha256').update(text).digest('base64url').slice(0, 22);
}

function uploadKeyOfId(uploadId: string): string {
  return uploadId.slice(0, uploadId.lastIndexOf('.'));
}

function openUploads(campaign: Campaign) {
  return [...(campaign.openUploads ?? [])].map((entry) => ({ entry, ...parseUploadEntry(entry) }));
}

/**
 * Releases our registration counting what we wrote plus what we adopted, and removes the
 * registrations of earlier attempts of the same upload (we wrote or adopted every row they could
 * have written).
 *
 * Only the newest attempt of an upload releases (issue 11 review, concurrent retries): an attempt
 * that finds a same-upload registration it did not see when it registered answers
 * `superseded`, counting nothing, and that newer attempt adopts and counts its rows. The release
 * is conditional on the exact number of registrations last read, so one that appears between the
 * read and the write makes it fail and read again. With that, an earlier attempt that vanished
 * can only have released itself (a newer remover would have removed us too), having counted its
 * own rows: rows we adopted from it are left out of our count. False when our own registration is
 * gone.
 */
async function releaseCounting(
  id: string,
  ours: { entry: string; uploadKey: string; leaseEnd: Date; registered: Campaign },
  outcome: { added: Set<string>; adopted?: Map<string, number> },
  sameUpload: { entry: string; uploadId: string }[],
  deps: Pick<CampaignDeps, 'campaigns' | 'now'>,
): Promise<boolean | 'superseded'> {
  const adopted = outcome.adopted ?? new Map<string, number>();
  const sameIds = new Set(sameUpload.map((upload) => upload.uploadId));
  const ownId = parseUploadEntry(ours.entry).uploadId;
  let present = sameUpload;
  let current = ours.registered;
  for (let attempt = 0; attempt < 5; attempt++) {
    // Past our own lease we are a dead upload: another may be adopting our rows right now.
    if (deps.now().getTime() > ours.leaseEnd.getTime()) return false;
    const newer = openUploads(current).some(
      (upload) =>
        upload.uploadId !== ownId &&
        !sameIds.has(upload.uploadId) &&
        uploadKeyOfId(upload.uploadId) === ours.uploadKey,
    );
    if (newer) return 'superseded';
    const presentIds = new Set(present.map((upload) => upload.uploadId));
    let count = outcome.added.size;
    for (const [from, rows] of adopted) if (sameIds.has(from) && !presentIds.has(from)) count -= rows;
    const ok = await deps.campaigns.releaseUpload(
      id,
      ours.entry,
      count,
      deps.now(),
      present.map((upload) => upload.entry),
      current.openUploads?.size ?? 0,
    );
    if (ok) return true;
    const reread = await deps.campaigns.get(id);
    if (!reread?.openUploads?.has(ours.entry)) return false;
    current = reread;
    present = present.filter((upload) => reread.openUploads?.has(upload.entry));
  }
  return false;
}

/** Why the campaign refused the registration: a 409 that says what to do. */
async function refuseRegistration(
  id: string,
  now: Date,
  deps: Pick<CampaignDeps, 'campaigns'>,
): Promise<never> {
  const current = await existing(id, deps, 'addRecipients');
  const closed = uploadsClosed(current, now);
  if (closed) throw conflict('start_pending', `Campaign ${id}: ${closed}`);
  throw conflict('invalid_state', `Campaign ${id} changed state meanwhile; read it and try again`);
}

/**
 * `POST /v1/campaigns/{id}/test`: the rendered campaign to a few addresses now, as transactional
 * mail (subject prefixed "[Test] "). Each address once; suppressed ones are left out and listed.
 */
export async function sendTest(
  id: string,
  body: unknown,
  deps: CampaignDeps,
): Promise<z.output<typeof testSendAcceptedSchema>> {
  const request = parseRequest(testSendSchema, body);
  const campaign = await deps.campaigns.get(id);
  if (!campaign) throw notFound(`No campaign with id "${id}"`);
  // Each address once, as first written.
  const unique = request.to.filter(
    (m, i) =>
      request.to.findIndex((other) => normalizeAddress(other.address) === normalizeAddress(m.address)) === i,
  );
  const blocked = await deps.suppressions.suppressedAmong(
    unique.map((m) => normalizeAddress(m.address)),
    'bulk',
  );
  const suppressed = unique.filter((m) => blocked.has(normalizeAddress(m.address))).map((m) => m.address);
  const recipients = unique.filter((m) => !blocked.has(normalizeAddress(m.address)));
  if (recipients.length === 0) {
    throw unprocessable('all_recipients_suppressed', 'Every test address is on the suppression list', {
      suppressed,
    });
  }
  const bulkContent = await deps.bulkContent();
  const now = deps.now().toISOString();
  const messages = recipients.map((to): StoredMessage => {
    const rendered = renderTest(campaign, to, request.data ?? {}, bulkContent);
    return {
      id: deps.newId(),
      stream: 'transactional',
      status: 'queued',
      createdAt: now,
      updatedAt: now,
      from: campaign.from,
      to: [formatMailbox(to)],
      cc: [],
      bcc: [],
      replyTo: campaign.replyTo,
      subject: `[Test] ${rendered.subject}`,
      ...pick(rendered),
      headers: rendered.headers,
      tags: { ...campaign.tags, campaignTest: campaign.id },
      suppressed: [],
      attempts: 0,
      history: [{ type: 'queued', at: now }],
    };
  });
  for (const message of messages) await deps.submitMessage(message);
  return { ids: messages.map((m) => m.id), suppressed };
}

function renderTest(
  campaign: Campaign,
  to: Mailbox,
  data: Record<string, unknown>,
  content: BulkContentDeps,
) {
  return renderOrThrow(() =>
    renderForRecipient(campaign, { email: normalizeAddress(to.address), data }, content),
  );
}

/**
 * `POST /v1/campaigns/{id}/send`: now, or `{at}` to schedule (an `at` not in the future starts now,
 * with a warning). A start while an upload is being written is a 409 (the upload fence): sent
 * again a moment later, it starts with every row of that upload.
 */
export async function sendCampaign(
  id: string,
  body: unknown,
  deps: CampaignDeps,
): Promise<WithWarnings<Campaign>> {
  const request = parseRequest(sendCampaignSchema, body ?? {});
  const now = deps.now();
  const at = request.at === undefined ? undefined : new Date(request.at);
  const scheduled = at !== undefined && at.getTime() > now.getTime() + 1000;
  const campaign = await existing(id, deps, scheduled ? 'schedule' : 'send');
  if (!scheduled) await refuseWhileGuarded(deps);
  if (campaign.totals.recipients === 0) throw unprocessable('no_recipients', 'Add recipients before sending');
  const generation = campaign.fanoutGeneration + 1;
  const warnings = [
    ...(at !== undefined && !scheduled
      ? [`"at" (${request.at}) is not in the future, so the campaign starts now instead of being scheduled.`]
      : []),
    ...contentWarnings(campaign.content),
  ];

  if (scheduled && at)
    return withWarnings(await scheduleStart(id, campaign.status, at, generation, deps), warnings);
  const updated = await startTransition(deps, id, 'draft', {
    startedAt: now.toISOString(),
    fanoutGeneration: generation,
    fanoutDone: false,
    fanoutCursor: undefined,
  });
  try {
    await deps.queues.fanout({ kind: 'fanout', campaignId: id, generation }, 0);
  } catch (error) {
    // Not started after all: back to draft, so the caller can simply try again.
    await deps.campaigns.transition(id, ['sending'], 'draft', { startedAt: undefined }, deps.now());
    throw error;
  }
  return withWarnings(updated, warnings);
}

/** The 409 for a request the upload fence refuses: an upload is writing rows (at most a lease long). */
function uploadInProgress(id: string) {
  return conflict(
    'upload_in_progress',
    `Campaign ${id} has an upload of recipients in progress; send the request again when it has finished (at most ${UPLOAD_LEASE_MS / 1000} s)`,
  );
}

/** A move into `sending`, which the upload fence can refuse: then a 409 the caller can retry. */
async function startTransition(
  deps: Pick<CampaignDeps, 'campaigns' | 'now'>,
  id: string,
  from: CampaignStatus,
  changes: Partial<Campaign>,
): Promise<Campaign> {
  const updated = await deps.campaigns.transition(id, [from], 'sending', changes, deps.now());
  if (updated) return updated;
  const current = await deps.campaigns.get(id);
  // Still in `from`: the fence refused it (the upload may have finished since: then a retry starts it).
  if (current?.status === from) {
    // N2: no new upload registers while this start waits (uploadsClosed), so the fence ends.
    const now = deps.now();
    await deps.campaigns.transition(id, [from], from, { startRequestedAt: now.toISOString() }, now);
    throw uploadInProgress(id);
  }
  throw conflict('invalid_state', `Campaign ${id} changed state meanwhile; read it and try again`);
}

/**
 * Schedules the start at `at`. A start within SQS's 15-minute delay goes on the fan-out queue now,
 * delayed to the second; a later one is left to the one-minute tick.
 */
async function scheduleStart(
  id: string,
  from: CampaignStatus,
  at: Date,
  generation: number,
  deps: CampaignDeps,
  extra: Partial<Campaign> = {},
): Promise<Campaign> {
  const delay = Math.ceil((at.getTime() - deps.now().getTime()) / 1000);
  // A start this close is queued straight away, with the delay on the message.
  const direct = delay <= MAX_QUEUE_DELAY_SECONDS;
  const updated = await mustTransition(deps, id, from, 'scheduled', {
    ...extra,
    scheduledAt: at.toISOString(),
    fanoutGeneration: generation,
    startQueued: direct,
  });
  if (!direct) return updated;
  try {
    await deps.queues.fanout({ kind: 'fanout', campaignId: id, generation }, delay);
  } catch (error) {
    // Leave it to the tick, which queues any start due within the minute that is not queued yet.
    await deps.campaigns.transition(id, ['scheduled'], 'scheduled', { startQueued: false }, deps.now());
    throw error;
  }
  return updated;
}

/** Pause takes effect within seconds: the fan-out chain stops and queued mail goes back to pending. */
export async function pauseCampaign(id: string, deps: CampaignDeps, pausedBy = 'user'): Promise<Campaign> {
  const campaign = await existing(id, deps, 'pause');
  return mustTransition(deps, id, campaign.status, 'paused', {
    pausedAt: deps.now().toISOString(),
    pausedBy,
    fanoutGeneration: campaign.fanoutGeneration + 1,
  });
}

/** Resume re-reads the list from the start and queues only who is still pending: nobody skipped, nobody twice. */
export async function resumeCampaign(id: string, deps: CampaignDeps): Promise<Campaign> {
  const campaign = await existing(id, deps, 'resume');
  await refuseWhileGuarded(deps);
  const generation = campaign.fanoutGeneration + 1;
  const scheduledAt = campaign.scheduledAt === undefined ? undefined : new Date(campaign.scheduledAt);
  if (!campaign.startedAt && scheduledAt && scheduledAt.getTime() > deps.now().getTime() + 1000) {
    // Paused before it ever started: resuming puts it back on its schedule, not out at once.
    return scheduleStart(id, 'paused', scheduledAt, generation, deps, {
      pausedAt: undefined,
      pausedBy: undefined,
    });
  }
  const updated = await startTransition(deps, id, 'paused', {
    pausedAt: undefined,
    pausedBy: undefined,
    startedAt: campaign.startedAt ?? deps.now().toISOString(),
    fanoutGeneration: generation,
    fanoutDone: false,
    fanoutCursor: undefined,
  });
  await deps.queues.fanout({ kind: 'fanout', campaignId: id, generation }, 0);
  return updated;
}

/** Cancel: nothing more goes out; a sweep marks every unsent recipient cancelled. */
export async function cancelCampaign(id: string, deps: CampaignDeps): Promise<Campaign> {
  const campaign = await existing(id, deps, 'cancel');
  const generation = campaign.fanoutGeneration + 1;
  const updated = await mustTransition(deps, id, campaign.status, 'cancelled', {
    cancelledAt: deps.now().toISOString(),
    fanoutGeneration: generation,
    // The sweep sets this when it has been through the whole list; until then the tick watches it.
    fanoutDone: false,
    fanoutCursor: undefined,
    fanoutUpdatedAt: deps.now().toISOString(),
  });
  await deps.queues.fanout({ kind: 'cancel', campaignId: id, generation }, 0);
  return updated;
}

async function refuseWhileGuarded(deps: Pick<CampaignDeps, 'reputation'>): Promise<void> {
  const guard = await deps.reputation.guard();
  if (guard.paused) {
    throw conflict(
      'bulk_paused',
      `Bulk sending is paused by the reputation guard (${guard.reason ?? 'rates too high'}); clean the list, then POST /v1/account/bulk/resume`,
    );
  }
}

async function mustTransition(
  deps: Pick<CampaignDeps, 'campaigns' | 'now'>,
  id: string,
  from: CampaignStatus | CampaignStatus[],
  to: CampaignStatus,
  changes: Partial<Campaign>,
): Promise<Campaign> {
  const updated = await deps.campaigns.transition(
    id,
    Array.isArray(from) ? from : [from],
    to,
    changes,
    deps.now(),
  );
  if (!updated)
    throw conflict('invalid_state', `Campaign ${id} changed state meanwhile; read it and try again`);
  return updated;
}
