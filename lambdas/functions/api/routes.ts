import type { APIGatewayProxyEvent } from 'aws-lambda';
import * as z from 'zod';
import { SES_REVIEW_RATES } from '../../../contract/alarms';
import {
  addRecipients,
  type CampaignDeps,
  campaignView,
  cancelCampaign,
  createCampaign,
  getCampaign,
  getRecipient,
  pauseCampaign,
  resumeCampaign,
  sendCampaign,
  sendTest,
  updateCampaign,
} from '../../campaigns/manage-campaigns';
import { publicView } from '../../emails/message';
import { type SubmitEmailDeps, submitEmail } from '../../emails/submit-email';
import {
  deleteSuppression,
  getSuppression,
  putSuppression,
  reasonFilter,
} from '../../feedback/manage-suppressions';
import type { AccountSuppressionList, ReputationStore, SuppressionList } from '../../feedback/ports';
import { type BulkRates, currentBulkRates, type GuardThresholds } from '../../feedback/reputation-guard';
import {
  checkToken,
  type UnsubscribeDeps,
  type UnsubscribeVia,
  unsubscribe,
} from '../../feedback/unsubscribe';
import { InvalidCursorError } from '../../platform/page-cursor';
import { badRequest, conflict, notFound } from '../../requests/errors';
import { type AccountQuota, rateInUse } from '../../sending/send-rate';
import { deleteTemplate, getTemplate, saveTemplate } from '../../templates/manage-templates';
import type { TemplateRepository } from '../../templates/ports';
import { previewContent } from '../../templates/preview';
import {
  createWebhook,
  deleteWebhook,
  enableWebhook,
  getWebhook,
  testWebhook,
  type WebhookDeps,
  webhookView,
} from '../../webhooks/manage-webhooks';
import type { accountSchema, bulkResumedSchema } from './account-response';
import { readForm } from './form';
import { header, json, jsonBody, jsonOrCsvBody } from './http';
import { Router } from './router';
import { confirmPage, donePage, formProblemPage, invalidLinkPage, testSendPage } from './unsubscribe-pages';

export interface ApiDeps extends SubmitEmailDeps, CampaignDeps {
  /** The webhooks and their delivery attempts (the webhooks function delivers). */
  webhookDeps: WebhookDeps;
  templates: TemplateRepository;
  /** The whole suppression list (the send paths only ask who is on it). */
  suppressions: SuppressionList;
  accountSuppressions: AccountSuppressionList;
  unsubscribe: () => Promise<UnsubscribeDeps>;
  accountQuota: () => Promise<AccountQuota>;
  maxSendRateOverride: number | undefined;
  /** This stack's fraction of the account's MaxSendRate. */
  sendRateShare: number;
  /** The guard's store: its state, and the bulk counts it judges (GET /v1/account shows both). */
  reputation: Pick<ReputationStore, 'guard' | 'clear' | 'total'>;
  /** The thresholds the events function's guard is given (the same deploy config values). */
  guardThresholds: GuardThresholds;
}

const RESOURCE_ID = /^[A-Za-z0-9_-]{1,100}$/;
/** An email's or a campaign's id in a path; anything else is a 404 (knownId). */
export const resourceIdSchema = z
  .string()
  .regex(RESOURCE_ID)
  .meta({ description: 'Anything not matching the pattern is a 404.' });

/** The page size of the list routes: `limit`, checked by pageParams. */
export const pageLimitSchema = z.coerce
  .number()
  .int()
  .min(1)
  .max(100)
  .default(50)
  .meta({ description: 'Page size, a whole number from 1 to 100.' });

/** An id that cannot exist is simply not found: no lookup, no different error. */
function knownId(id: string, what: string): string {
  if (!RESOURCE_ID.test(id)) throw notFound(`No ${what} with id "${id.slice(0, 100)}"`);
  return id;
}

/** An optional JSON body: none at all means `{}` (e.g. `POST …/send` to send now). */
function optionalJson(event: APIGatewayProxyEvent): unknown {
  return event.body ? jsonBody(event) : {};
}

/** Every route of the contract (contract/routes.ts): parse the request, call the domain, map the result. */
export function buildRouter(deps: ApiDeps): Router {
  return new Router({
    sendEmail: async (event) => {
      const idempotencyKey = header(event, 'idempotency-key');
      const body = jsonBody(event);
      const response = await submitEmail(
        idempotencyKey === undefined ? { body } : { body, idempotencyKey },
        deps,
      );
      return json(202, response);
    },
    getEmail: async (_event, { id }) => {
      const message = await deps.messages.get(knownId(id, 'email'));
      if (!message) throw notFound(`No email with id "${id}"`);
      return json(200, publicView(message));
    },
    listTemplates: async (event) => {
      const { limit, cursor } = pageParams(event);
      const page = await withCursor(() => deps.templates.list(limit, cursor));
      return json(200, { items: page.items, ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) });
    },
    putTemplate: async (event, { name }) => {
      const body = jsonBody(event);
      const { template, created } = await saveTemplate(name, body, deps);
      return json(created ? 201 : 200, template);
    },
    getTemplate: async (_event, { name }) => json(200, await getTemplate(name, deps.templates)),
    previewContent: async (event) => json(200, previewContent(jsonBody(event))),
    deleteTemplate: async (_event, { name }) => {
      await deleteTemplate(name, deps.templates);
      return json(204, undefined);
    },
    createCampaign: async (event) => json(201, campaignView(await createCampaign(jsonBody(event), deps))),
    listCampaigns: async (event) => {
      const { limit, cursor } = pageParams(event);
      const page = await withCursor(() => deps.campaigns.list(limit, cursor));
      return json(200, {
        items: page.items.map(campaignView),
        ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
      });
    },
    getCampaign: async (_event, { id }) => json(200, await getCampaign(knownId(id, 'campaign'), deps)),
    updateCampaign: async (event, { id }, invocation) => {
      const body = jsonBody(event);
      return json(
        200,
        campaignView(
          await updateCampaign(
            knownId(id, 'campaign'),
            body,
            deps,
            invocation.deadline ? { deadline: invocation.deadline } : {},
          ),
        ),
      );
    },
    addCampaignRecipients: async (event, { id }, invocation) => {
      const body = jsonOrCsvBody(event);
      return json(
        200,
        await addRecipients(
          knownId(id, 'campaign'),
          body,
          deps,
          invocation.deadline ? { deadline: invocation.deadline } : {},
        ),
      );
    },
    getCampaignRecipient: async (_event, { id, email }) =>
      json(200, await getRecipient(knownId(id, 'campaign'), email, deps)),
    sendCampaignTest: async (event, { id }) => {
      const body = jsonBody(event);
      // Test mails carry a test token: its link answers "this was a test" and suppresses nobody.
      const testContent = async () => ({ ...(await deps.bulkContent()), testSend: true });
      return json(202, await sendTest(knownId(id, 'campaign'), body, { ...deps, bulkContent: testContent }));
    },
    sendCampaign: async (event, { id }) => {
      const body = optionalJson(event);
      return json(202, campaignView(await sendCampaign(knownId(id, 'campaign'), body, deps)));
    },
    pauseCampaign: async (_event, { id }) =>
      json(200, campaignView(await pauseCampaign(knownId(id, 'campaign'), deps))),
    resumeCampaign: async (_event, { id }) =>
      json(200, campaignView(await resumeCampaign(knownId(id, 'campaign'), deps))),
    cancelCampaign: async (_event, { id }) =>
      json(200, campaignView(await cancelCampaign(knownId(id, 'campaign'), deps))),
    unsubscribePage: async (event) => {
      const { secret } = await deps.unsubscribe();
      const checked = checkToken(event.queryStringParameters?.token, secret);
      if (!checked.ok) return invalidLinkPage();
      return checked.test ? testSendPage(checked.email) : confirmPage(checked.email);
    },
    unsubscribe: async (event) => {
      // The token in the URL decides who; the body says which way the request came.
      const unsubscribeDeps = await deps.unsubscribe();
      const token = event.queryStringParameters?.token;
      if (!checkToken(token, unsubscribeDeps.secret).ok) return invalidLinkPage();
      const form = readForm(event);
      if (!form.ok) return formProblemPage(form.problem === 'unsupported_type' ? 415 : 400, form.message);
      const via = unsubscribeVia(form.fields);
      if (!via) {
        return formProblemPage(
          400,
          "The body has neither List-Unsubscribe=One-Click (RFC 8058) nor the unsubscribe page's confirm=yes",
        );
      }
      const result = await unsubscribe(token, via, unsubscribeDeps);
      if (!result.ok) return invalidLinkPage();
      return result.test ? testSendPage(result.email) : donePage(result.email);
    },
    listSuppressions: async (event) => {
      const { limit, cursor } = pageParams(event);
      const reason = reasonFilter(event.queryStringParameters?.reason);
      const page = await withCursor(() => deps.suppressions.list(reason, limit, cursor));
      return json(200, { items: page.items, ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) });
    },
    getSuppression: async (_event, { email }) => json(200, await getSuppression(email, deps.suppressions)),
    putSuppression: async (event, { email }) => {
      const body = optionalJson(event);
      const { entry, created } = await putSuppression(email, body, {
        suppressions: deps.suppressions,
        now: deps.now,
      });
      return json(created ? 201 : 200, entry);
    },
    deleteSuppression: async (_event, { email }) => {
      await deleteSuppression(email, {
        suppressions: deps.suppressions,
        accountSuppressions: deps.accountSuppressions,
      });
      return json(204, undefined);
    },
    resumeBulk: async () => {
      if (!(await deps.reputation.clear())) throw conflict('not_paused', 'Bulk sending is not paused');
      return json(200, BULK_RESUMED);
    },
    createWebhook: async (event) => json(201, await createWebhook(jsonBody(event), deps.webhookDeps)),
    listWebhooks: async () => json(200, { items: (await deps.webhookDeps.webhooks.list()).map(webhookView) }),
    getWebhook: async (_event, { id }) =>
      json(200, webhookView(await getWebhook(knownId(id, 'webhook'), deps.webhookDeps))),
    deleteWebhook: async (_event, { id }) => {
      await deleteWebhook(knownId(id, 'webhook'), deps.webhookDeps);
      return json(204, undefined);
    },
    testWebhook: async (_event, { id }) =>
      json(202, await testWebhook(knownId(id, 'webhook'), deps.webhookDeps)),
    enableWebhook: async (_event, { id }) =>
      json(200, webhookView(await enableWebhook(knownId(id, 'webhook'), deps.webhookDeps))),
    listWebhookDeliveries: async (event, { id }) => {
      const webhook = await getWebhook(knownId(id, 'webhook'), deps.webhookDeps);
      const { limit, cursor } = pageParams(event);
      const page = await withCursor(() =>
        deps.webhookDeps.deliveries.listDeliveries(webhook.id, limit, cursor),
      );
      return json(200, { items: page.items, ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) });
    },
    getAccount: async () => {
      const [quota, guard, rates] = await Promise.all([
        deps.accountQuota(),
        deps.reputation.guard(),
        currentBulkRates(deps.reputation, deps.guardThresholds, deps.now()),
      ]);
      return json(200, accountView(quota, guard, rates, deps));
    },
  });
}

/** What `POST /v1/account/bulk/resume` answers (bulkResumedSchema). */
export const BULK_RESUMED = { stream: 'bulk', paused: false } as const satisfies z.output<
  typeof bulkResumedSchema
>;

/** What `GET /v1/account` shows: SES's quota, the rate in use and what the reputation guard holds. */
export function accountView(
  quota: AccountQuota,
  guard: Awaited<ReturnType<ApiDeps['reputation']['guard']>>,
  rates: BulkRates,
  deps: Pick<ApiDeps, 'maxSendRateOverride' | 'sendRateShare' | 'guardThresholds'>,
): z.output<typeof accountSchema> {
  return {
    sandbox: !quota.productionAccess,
    sendingEnabled: quota.sendingEnabled,
    enforcementStatus: quota.enforcementStatus ?? null,
    maxSendRate: quota.maxSendRate,
    max24HourSend: quota.max24HourSend,
    sentLast24Hours: quota.sentLast24Hours,
    rateInUse: rateInUse(quota, deps.maxSendRateOverride, deps.sendRateShare),
    sendRateShare: deps.sendRateShare,
    rateOverride: deps.maxSendRateOverride ?? null,
    // A tripped guard always has its reason and time (DynamoDeliverabilityStore.guard).
    pausedStreams: guard.paused
      ? [{ stream: 'bulk', reason: guard.reason ?? '', since: guard.at ?? '' }]
      : [],
    bulkReputation: {
      windowHours: deps.guardThresholds.windowHours,
      ...rates.counts,
      bounceRate: rates.bounceRate,
      complaintRate: rates.complaintRate,
      minimumSample: deps.guardThresholds.minimumSample,
      judged: rates.judged,
      guardThresholds: {
        bounceRate: deps.guardThresholds.bounceRate,
        complaintRate: deps.guardThresholds.complaintRate,
      },
      sesReviewRates: { bounceRate: SES_REVIEW_RATES.bounce, complaintRate: SES_REVIEW_RATES.complaint },
    },
  };
}

/** The form fields `POST /unsubscribe` acts on, each with its value: RFC 8058's and the page's button's. */
export const UNSUBSCRIBE_FIELDS = {
  'one-click': { name: 'List-Unsubscribe', value: 'One-Click' },
  page: { name: 'confirm', value: 'yes' },
} as const satisfies Record<UnsubscribeVia, { name: string; value: string }>;

/** RFC 8058's field wins: a provider's POST is one-click even if it copies other fields along. */
function unsubscribeVia(fields: Map<string, string[]>): UnsubscribeVia | undefined {
  for (const via of ['one-click', 'page'] as const) {
    const { name, value } = UNSUBSCRIBE_FIELDS[via];
    if (fields.get(name)?.includes(value)) return via;
  }
  return undefined;
}

function pageParams(event: APIGatewayProxyEvent): { limit: number; cursor?: string } {
  const query = event.queryStringParameters ?? {};
  const limit = pageLimitSchema.safeParse(query.limit);
  if (!limit.success) throw badRequest('invalid_limit', 'limit must be a whole number from 1 to 100');
  return query.cursor ? { limit: limit.data, cursor: query.cursor } : { limit: limit.data };
}

async function withCursor<T>(list: () => Promise<T>): Promise<T> {
  try {
    return await list();
  } catch (error) {
    if (error instanceof InvalidCursorError) throw badRequest('invalid_cursor', error.message);
    throw error;
  }
}
