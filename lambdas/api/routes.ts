import type { APIGatewayProxyEvent } from 'aws-lambda';
import { InvalidCursorError } from '../shared/adapters/page-cursor';
import { badRequest, notFound } from '../shared/domain/errors';
import { deleteTemplate, getTemplate, saveTemplate } from '../shared/domain/manage-templates';
import { publicView } from '../shared/domain/message';
import type { TemplateRepository } from '../shared/domain/ports';
import { type AccountQuota, rateInUse } from '../shared/domain/send-rate';
import { type SubmitEmailDeps, submitEmail } from '../shared/domain/submit-email';
import { header, json, jsonBody } from './http';
import { Router } from './router';

export interface ApiDeps extends SubmitEmailDeps {
  templates: TemplateRepository;
  accountQuota: () => Promise<AccountQuota>;
  maxSendRateOverride: number | undefined;
}

const MESSAGE_ID = /^[A-Za-z0-9_-]{1,100}$/;

/** Every /v1 route: parse the request, call the domain, map the result. */
export function buildRouter(deps: ApiDeps): Router {
  return new Router()
    .on('POST', '/v1/emails', async (event) => {
      const idempotencyKey = header(event, 'idempotency-key');
      const body = jsonBody(event);
      const response = await submitEmail(
        idempotencyKey === undefined ? { body } : { body, idempotencyKey },
        deps,
      );
      return json(202, response);
    })
    .on('GET', '/v1/emails/{id}', async (_event, { id = '' }) => {
      const message = MESSAGE_ID.test(id) ? await deps.messages.get(id) : undefined;
      if (!message) throw notFound(`No email with id "${id}"`);
      return json(200, publicView(message));
    })
    .on('GET', '/v1/templates', async (event) => {
      const { limit, cursor } = pageParams(event);
      try {
        const page = await deps.templates.list(limit, cursor);
        return json(200, { items: page.items, ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) });
      } catch (error) {
        if (error instanceof InvalidCursorError) throw badRequest('invalid_cursor', error.message);
        throw error;
      }
    })
    .on('PUT', '/v1/templates/{name}', async (event, { name = '' }) => {
      const body = jsonBody(event);
      const { template, created } = await saveTemplate(name, body, deps);
      return json(created ? 201 : 200, template);
    })
    .on('GET', '/v1/templates/{name}', async (_event, { name = '' }) =>
      json(200, await getTemplate(name, deps.templates)),
    )
    .on('DELETE', '/v1/templates/{name}', async (_event, { name = '' }) => {
      await deleteTemplate(name, deps.templates);
      return json(204, undefined);
    })
    .on('GET', '/v1/account', async () => {
      const quota = await deps.accountQuota();
      return json(200, {
        sandbox: !quota.productionAccess,
        sendingEnabled: quota.sendingEnabled,
        enforcementStatus: quota.enforcementStatus ?? null,
        maxSendRate: quota.maxSendRate,
        max24HourSend: quota.max24HourSend,
        sentLast24Hours: quota.sentLast24Hours,
        rateInUse: rateInUse(quota, deps.maxSendRateOverride),
        rateOverride: deps.maxSendRateOverride ?? null,
      });
    });
}

function pageParams(event: APIGatewayProxyEvent): { limit: number; cursor?: string } {
  const query = event.queryStringParameters ?? {};
  const limit = query.limit === undefined ? 50 : Number(query.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    throw badRequest('invalid_limit', 'limit must be a whole number from 1 to 100');
  }
  return query.cursor ? { limit, cursor: query.cursor } : { limit };
}
