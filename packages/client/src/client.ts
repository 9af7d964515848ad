import type {
  Account,
  AddRecipientsResult,
  ApiRouteId,
  BulkResumed,
  Campaign,
  CampaignRecipient,
  CampaignWithProgress,
  CreateCampaignRequest,
  Email,
  Preview,
  PreviewRequest,
  PutSuppressionRequest,
  PutTemplateRequest,
  RecipientRow,
  SendCampaignRequest,
  SendEmailRequest,
  SendEmailResponse,
  SendTestRequest,
  SendTestResponse,
  Suppression,
  SuppressionReason,
  Template,
  UpdateCampaignRequest,
  Webhook,
  WebhookCreated,
  WebhookDeliveryAttempt,
  WebhookRequest,
  WebhookTestQueued,
} from './api-types';
import { MailroomConfigError } from './errors';
import { IDEMPOTENCY_KEY } from './limits';
import { ROUTES, type RouteParams, routePath } from './routes';
import { type Credentials, parseApiUrl, RequestSigner, type Signing, signingFor } from './signing';
import { type Call, type RetryPolicy, Transport } from './transport';

export interface MailroomClientOptions {
  /**
   * The API's base URL, stage included: the stack's `ApiUrl` output
   * (`https://{id}.execute-api.{region}.amazonaws.com/live`), or local mode's `http://127.0.0.1:3000`.
   */
  apiUrl: string | URL;
  /** The region to sign for. @default the region in an execute-api host name (required behind a custom domain) */
  region?: string;
  /** Sign requests with SigV4. @default true, except for a loopback URL (local mode) */
  sign?: boolean;
  /**
   * AWS credentials, or a provider of them.
   * @default the standard chain (environment, `AWS_PROFILE`, SSO, container or instance role), loaded when first needed
   */
  credentials?: Credentials;
  /** A profile of ~/.aws/config to take credentials from (the standard chain with that profile). */
  profile?: string;
  /** Requests per call, the first included. @default 3 */
  maxAttempts?: number;
  /** Backoff base: retry n waits a random time up to min(maxDelayMs, baseDelayMs × 2^(n-1)). @default 200 */
  baseDelayMs?: number;
  /** The longest wait before a retry; a longer `Retry-After` is not waited for. @default 20000 */
  maxDelayMs?: number;
  /** Each attempt's time limit, in milliseconds. @default 30000 */
  timeoutMs?: number;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  /** How to wait between attempts (tests inject one). @default setTimeout */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Random numbers in [0, 1) for the backoff's jitter. @default Math.random */
  random?: () => number;
  /** Makes Idempotency-Keys. @default crypto.randomUUID */
  newIdempotencyKey?: () => string;
}

/** What every call takes besides its own arguments. */
export interface CallOptions {
  signal?: AbortSignal;
}

export interface SendOptions extends CallOptions {
  /**
   * The send's Idempotency-Key (1–255 visible ASCII characters): the same key with the same body
   * sends once, however often it is sent. @default a new random UUID per call, reused by its retries
   */
  idempotencyKey?: string;
}

export interface PageOptions extends CallOptions {
  /** 1–100. @default 50 */
  limit?: number;
  /** A page's `nextCursor`. */
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  /** Present when there is more: pass it as `cursor`. */
  nextCursor?: string;
}

/** A public page's answer (the unsubscribe routes answer HTML for people, not JSON). */
export interface PageResponse {
  status: number;
  contentType: string;
  text: string;
}

/**
 * A typed client of the Mailroom API: one method per route of contract/routes.ts.
 *
 * ```ts
 * const mailroom = new MailroomClient({ apiUrl: process.env.MAILROOM_API_URL! });
 * const { id } = await mailroom.emails.send({ to: 'jane@example.org', subject: 'Hi', text: 'Hello' });
 * ```
 */
export class MailroomClient {
  /** Whether and where requests are signed, as decided from the options. */
  readonly signing: Signing;
  readonly apiUrl: URL;
  private readonly transport: Transport;
  private readonly newKey: () => string;

  constructor(options: MailroomClientOptions) {
    if (options === undefined || options === null || options.apiUrl === undefined) {
      throw new MailroomConfigError('apiUrl is required: the stack ApiUrl output, or http://127.0.0.1:3000');
    }
    this.apiUrl = parseApiUrl(options.apiUrl);
    this.signing = signingFor(this.apiUrl, {
      ...(options.region === undefined ? {} : { region: options.region }),
      ...(options.sign === undefined ? {} : { sign: options.sign }),
    });
    const policy: RetryPolicy = {
      maxAttempts: positiveInteger('maxAttempts', options.maxAttempts, 3),
      baseDelayMs: nonNegative('baseDelayMs', options.baseDelayMs, 200),
      maxDelayMs: nonNegative('maxDelayMs', options.maxDelayMs, 20_000),
    };
    const fetchImpl = options.fetch ?? globalThis.fetch;
    if (typeof fetchImpl !== 'function') {
      throw new MailroomConfigError('no fetch in this runtime: pass options.fetch (Node.js 20 has one)');
    }
    this.transport = new Transport({
      ...policy,
      baseUrl: this.apiUrl,
      signer: this.signing.signed
        ? new RequestSigner({
            region: this.signing.region,
            credentials: options.credentials,
            profile: options.profile,
          })
        : undefined,
      // Called as a plain function: a browser's fetch called as a method of another object throws
      // "Illegal invocation" (the console, issue 15, found it).
      fetch: (input, init) => fetchImpl(input, init),
      sleep: options.sleep ?? sleep,
      random: options.random ?? Math.random,
      timeoutMs: positive('timeoutMs', options.timeoutMs, 30_000),
    });
    this.newKey = options.newIdempotencyKey ?? (() => globalThis.crypto.randomUUID());
  }

  private call<Id extends ApiRouteId>(
    id: Id,
    params: RouteParams<Id>,
    rest: Omit<Call, 'method' | 'path'> = {},
  ): Promise<unknown> {
    return this.transport.call({ ...rest, method: ROUTES[id].method, path: routePath(id, params) });
  }

  readonly emails = {
    /**
     * `POST /v1/emails`: queues one transactional mail → `{id, status: 'queued', suppressed}`.
     * Carries an Idempotency-Key (yours, or a new one), the same on every retry.
     */
    send: async (email: SendEmailRequest, options: SendOptions = {}): Promise<SendEmailResponse> =>
      (await this.call(
        'sendEmail',
        {},
        {
          body: { json: email },
          idempotencyKey: checkedIdempotencyKey(options.idempotencyKey ?? this.newKey()),
          signal: options.signal,
        },
      )) as SendEmailResponse,
    /** `GET /v1/emails/{id}`: status, SES message id, failure and history. */
    get: async (id: string, options: CallOptions = {}): Promise<Email> =>
      (await this.call('getEmail', { id }, { signal: options.signal })) as Email,
  };

  readonly templates = {
    /** `PUT /v1/templates/{name}`: creates or replaces it (compiled first: a syntax error is a 400). */
    put: async (name: string, template: PutTemplateRequest, options: CallOptions = {}): Promise<Template> =>
      (await this.call(
        'putTemplate',
        { name },
        { body: { json: template }, signal: options.signal },
      )) as Template,
    get: async (name: string, options: CallOptions = {}): Promise<Template> =>
      (await this.call('getTemplate', { name }, { signal: options.signal })) as Template,
    list: async (options: PageOptions = {}): Promise<Page<Template>> =>
      (await this.call('listTemplates', {}, pageCall(options))) as Page<Template>,
    /** Every template, page after page. */
    all: (options: Omit<PageOptions, 'cursor'> = {}): AsyncGenerator<Template> =>
      pages((cursor) => this.templates.list({ ...options, ...cursor })),
    delete: async (name: string, options: CallOptions = {}): Promise<void> => {
      await this.call('deleteTemplate', { name }, { signal: options.signal });
    },
    /** `POST /v1/previews`: content rendered with `data` as a send would render it; sends nothing. */
    preview: async (request: PreviewRequest, options: CallOptions = {}): Promise<Preview> =>
      (await this.call('previewContent', {}, { body: { json: request }, signal: options.signal })) as Preview,
  };

  readonly campaigns = {
    /** `POST /v1/campaigns`: a draft (`warnings` when its HTML has no `{{unsubscribe_url}}`). */
    create: async (campaign: CreateCampaignRequest, options: CallOptions = {}): Promise<Campaign> =>
      (await this.call(
        'createCampaign',
        {},
        { body: { json: campaign }, signal: options.signal },
      )) as Campaign,
    list: async (options: PageOptions = {}): Promise<Page<Campaign>> =>
      (await this.call('listCampaigns', {}, pageCall(options))) as Page<Campaign>,
    all: (options: Omit<PageOptions, 'cursor'> = {}): AsyncGenerator<Campaign> =>
      pages((cursor) => this.campaigns.list({ ...options, ...cursor })),
    /** `GET /v1/campaigns/{id}`: status, totals, progress, current rate and ETA. */
    get: async (id: string, options: CallOptions = {}): Promise<CampaignWithProgress> =>
      (await this.call('getCampaign', { id }, { signal: options.signal })) as CampaignWithProgress,
    /**
     * `PATCH /v1/campaigns/{id}`: changes a draft's (or scheduled campaign's) name, sender,
     * reply-to, tags or content; what `changes` leaves out stays. New content must render for every
     * recipient already added (`422 unrenderable_for_recipients` names those it does not).
     */
    update: async (
      id: string,
      changes: UpdateCampaignRequest,
      options: CallOptions = {},
    ): Promise<Campaign> =>
      (await this.call(
        'updateCampaign',
        { id },
        { body: { json: changes }, signal: options.signal },
      )) as Campaign,
    /**
     * `POST /v1/campaigns/{id}/recipients`: up to 1,000 rows → `{added, duplicates, invalid}`. An
     * upload that did not finish (`503 upload_incomplete`) is sent again with the same rows, which
     * completes it: the server knows an upload by its addresses.
     */
    addRecipients: async (
      id: string,
      recipients: readonly RecipientRow[],
      options: CallOptions = {},
    ): Promise<AddRecipientsResult> =>
      (await this.call(
        'addCampaignRecipients',
        { id },
        { body: { json: { recipients } }, replayable: true, signal: options.signal },
      )) as AddRecipientsResult,
    /**
     * The same, from CSV text: a header row with an `email` column, the other columns merge
     * variables (lower-cased, spaces and hyphens as `_`); at most 1,000 rows per call.
     */
    addRecipientsCsv: async (
      id: string,
      csv: string,
      options: CallOptions = {},
    ): Promise<AddRecipientsResult> =>
      (await this.call(
        'addCampaignRecipients',
        { id },
        { body: { csv }, replayable: true, signal: options.signal },
      )) as AddRecipientsResult,
    /** `GET /v1/campaigns/{id}/recipients/{email}`: status, reason, SES events and the headers its mail carried. */
    getRecipient: async (id: string, email: string, options: CallOptions = {}): Promise<CampaignRecipient> =>
      (await this.call(
        'getCampaignRecipient',
        { id, email },
        { signal: options.signal },
      )) as CampaignRecipient,
    /** `POST /v1/campaigns/{id}/test`: the rendered campaign to up to 5 addresses now. */
    test: async (id: string, test: SendTestRequest, options: CallOptions = {}): Promise<SendTestResponse> =>
      (await this.call(
        'sendCampaignTest',
        { id },
        { body: { json: test }, signal: options.signal },
      )) as SendTestResponse,
    /** `POST /v1/campaigns/{id}/send`: now, or `{at}` (ISO 8601) to schedule. */
    send: async (id: string, when: SendCampaignRequest = {}, options: CallOptions = {}): Promise<Campaign> =>
      (await this.call('sendCampaign', { id }, { body: { json: when }, signal: options.signal })) as Campaign,
    pause: async (id: string, options: CallOptions = {}): Promise<Campaign> =>
      (await this.call('pauseCampaign', { id }, { signal: options.signal })) as Campaign,
    resume: async (id: string, options: CallOptions = {}): Promise<Campaign> =>
      (await this.call('resumeCampaign', { id }, { signal: options.signal })) as Campaign,
    cancel: async (id: string, options: CallOptions = {}): Promise<Campaign> =>
      (await this.call('cancelCampaign', { id }, { signal: options.signal })) as Campaign,
  };

  readonly suppressions = {
    list: async (options: PageOptions & { reason?: SuppressionReason } = {}): Promise<Page<Suppression>> =>
      (await this.call(
        'listSuppressions',
        {},
        pageCall(options, { reason: options.reason }),
      )) as Page<Suppression>,
    all: (
      options: Omit<PageOptions, 'cursor'> & { reason?: SuppressionReason } = {},
    ): AsyncGenerator<Suppression> => pages((cursor) => this.suppressions.list({ ...options, ...cursor })),
    get: async (email: string, options: CallOptions = {}): Promise<Suppression> =>
      (await this.call('getSuppression', { email }, { signal: options.signal })) as Suppression,
    /** `PUT /v1/suppressions/{email}`: adds or replaces the entry (by default reason `manual`, every stream). */
    put: async (
      email: string,
      entry: PutSuppressionRequest = {},
      options: CallOptions = {},
    ): Promise<Suppression> =>
      (await this.call(
        'putSuppression',
        { email },
        { body: { json: entry }, signal: options.signal },
      )) as Suppression,
    /** `DELETE /v1/suppressions/{email}`: mail may reach the address again (SES's account list included). */
    delete: async (email: string, options: CallOptions = {}): Promise<void> => {
      await this.call('deleteSuppression', { email }, { signal: options.signal });
    },
  };

  readonly webhooks = {
    /** `POST /v1/webhooks`: `{url, events?}` → the webhook with its `secret`, shown only here. */
    create: async (webhook: WebhookRequest, options: CallOptions = {}): Promise<WebhookCreated> =>
      (await this.call(
        'createWebhook',
        {},
        { body: { json: webhook }, signal: options.signal },
      )) as WebhookCreated,
    /** `GET /v1/webhooks`: every webhook (at most 20), without secrets. */
    list: async (options: CallOptions = {}): Promise<Webhook[]> =>
      ((await this.call('listWebhooks', {}, { signal: options.signal })) as Page<Webhook>).items,
    get: async (id: string, options: CallOptions = {}): Promise<Webhook> =>
      (await this.call('getWebhook', { id }, { signal: options.signal })) as Webhook,
    delete: async (id: string, options: CallOptions = {}): Promise<void> => {
      await this.call('deleteWebhook', { id }, { signal: options.signal });
    },
    /** `POST /v1/webhooks/{id}/test`: queues one signed `test` event (one attempt, see `deliveries`). */
    test: async (id: string, options: CallOptions = {}): Promise<WebhookTestQueued> =>
      (await this.call('testWebhook', { id }, { signal: options.signal })) as WebhookTestQueued,
    /** `POST /v1/webhooks/{id}/enable`: turns a disabled webhook back on. */
    enable: async (id: string, options: CallOptions = {}): Promise<Webhook> =>
      (await this.call('enableWebhook', { id }, { signal: options.signal })) as Webhook,
    /** `GET /v1/webhooks/{id}/deliveries`: attempts, newest first (status, HTTP status, latency, attempt). */
    deliveries: async (id: string, options: PageOptions = {}): Promise<Page<WebhookDeliveryAttempt>> =>
      (await this.call('listWebhookDeliveries', { id }, pageCall(options))) as Page<WebhookDeliveryAttempt>,
  };

  readonly account = {
    /** `GET /v1/account`: sandbox or production, SES quota, the rate in use, paused streams. */
    get: async (options: CallOptions = {}): Promise<Account> =>
      (await this.call('getAccount', {}, { signal: options.signal })) as Account,
    /** `POST /v1/account/bulk/resume`: clears the reputation guard's pause (409 `not_paused` if none). */
    resumeBulk: async (options: CallOptions = {}): Promise<BulkResumed> =>
      (await this.call('resumeBulk', {}, { signal: options.signal })) as BulkResumed,
  };

  /**
   * The public unsubscribe routes, as a recipient's mail client calls them: never signed, and
   * answered as they are (HTML pages), whatever the status. `link` is the URL from a mail's
   * `List-Unsubscribe` header or its `{{unsubscribe_url}}`, token included.
   */
  readonly unsubscribe = {
    /** `GET /unsubscribe?token=…`: the confirmation page. */
    page: async (link: string | URL, options: CallOptions = {}): Promise<PageResponse> =>
      this.transport.page(unsubscribeUrl(link), { method: ROUTES.unsubscribePage.method }, options.signal),
    /** `POST /unsubscribe?token=…` with `List-Unsubscribe=One-Click` (RFC 8058). */
    oneClick: async (link: string | URL, options: CallOptions = {}): Promise<PageResponse> =>
      this.transport.page(
        unsubscribeUrl(link),
        {
          method: ROUTES.unsubscribe.method,
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: 'List-Unsubscribe=One-Click',
        },
        options.signal,
      ),
  };
}

function checkedIdempotencyKey(key: unknown): string {
  if (typeof key !== 'string' || !IDEMPOTENCY_KEY.test(key)) {
    throw new MailroomConfigError(
      `idempotencyKey must be 1 to 255 visible ASCII characters (no spaces), got ${JSON.stringify(String(key).slice(0, 40))}${String(key).length > 40 ? '…' : ''}`,
    );
  }
  return key;
}

function pageCall(
  options: PageOptions,
  extra: Record<string, string | undefined> = {},
): Omit<Call, 'method' | 'path'> {
  return { query: { limit: options.limit, cursor: options.cursor, ...extra }, signal: options.signal };
}

async function* pages<T>(list: (cursor: { cursor?: string }) => Promise<Page<T>>): AsyncGenerator<T> {
  let cursor: string | undefined;
  do {
    const page = await list(cursor === undefined ? {} : { cursor });
    yield* page.items;
    cursor = page.nextCursor;
  } while (cursor !== undefined);
}

function unsubscribeUrl(link: string | URL): URL {
  let url: URL;
  try {
    url = new URL(String(link));
  } catch {
    throw new TypeError(`"${String(link)}" is not an unsubscribe link (an absolute URL)`);
  }
  if (url.pathname.replace(/\/+$/, '').split('/').at(-1) !== ROUTES.unsubscribe.path.slice(1)) {
    throw new TypeError(`${url.origin}${url.pathname} is not an unsubscribe link (…/unsubscribe?token=…)`);
  }
  return url;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1)
    throw new MailroomConfigError(`${name} must be a whole number ≥ 1`);
  return value;
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new MailroomConfigError(`${name} must be a number > 0`);
  return value;
}

function nonNegative(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0) throw new MailroomConfigError(`${name} must be a number ≥ 0`);
  return value;
}
