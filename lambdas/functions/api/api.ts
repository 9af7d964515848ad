import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { corsHeaders } from '../../../contract/cors';
import { SqsFanoutQueue } from '../../campaigns/adapters/campaign-queues';
import { DynamoCampaignStore } from '../../campaigns/adapters/campaign-store';
import { DynamoRecipientStore } from '../../campaigns/adapters/recipient-store';
import { DynamoIdempotencyStore } from '../../emails/adapters/idempotency-store';
import { DynamoMessageStore } from '../../emails/adapters/message-store';
import { SqsSendQueue } from '../../emails/adapters/send-queue';
import { DynamoDeliverabilityStore } from '../../feedback/adapters/deliverability-store';
import { DynamoCampaignEventTotals } from '../../feedback/adapters/event-records';
import { SnsProductEvents } from '../../feedback/adapters/product-events';
import { SesAccountSuppressions } from '../../feedback/adapters/ses-account-suppressions';

import { DynamoSuppressionList } from '../../feedback/adapters/suppression-store';
import { unsubscribeSecretReader } from '../../feedback/adapters/unsubscribe-secret';
import { guardThresholdsFrom } from '../../feedback/reputation-guard';
import { domainOf, parseMailbox } from '../../mail/addresses';
import { secretsManager } from '../../platform/clients/secrets-manager';
import { sesForReading } from '../../platform/clients/ses';
import { sns } from '../../platform/clients/sns';
import type { FunctionEnvironment } from '../../platform/environment';
import { lambdaHandler, timeLeft } from '../../platform/lambda-handler';
import { observabilityOf } from '../../platform/observability';
import { ApiError } from '../../requests/errors';
import { DynamoRateLedger } from '../../sending/adapters/rate-ledger';
import { fetchAccountQuota } from '../../sending/adapters/ses-mailer';
import { DynamoTemplateStore } from '../../templates/adapters/template-store';
import { SqsDeliveryQueue } from '../../webhooks/adapters/delivery-queue';
import { DynamoWebhookStore } from '../../webhooks/adapters/webhook-store';
import { errorResponse } from './http';
import { buildRouter } from './routes';

/** API Gateway's proxy event in, its result out. Local mode's API server gives only the time left. */
export type ApiHandler = (
  event: APIGatewayProxyEvent,
  context?: ApiContext,
) => Promise<APIGatewayProxyResult>;
type ApiContext = Partial<Pick<Context, 'getRemainingTimeInMillis'>>;

/**
 * The api function's composition root: API Gateway (REST, proxy integration) → the /v1 routes and
 * the public unsubscribe page. Refuses to start when DEFAULT_FROM is not at SENDING_DOMAIN: a
 * deploy mistake, not the caller's, so it should not be blamed on every request's `from`.
 */
export function createApi(env: FunctionEnvironment<'api'>): ApiHandler {
  const observability = observabilityOf('api');
  const { logger } = observability;
  const defaultFrom = parseMailbox(env.DEFAULT_FROM);
  if (domainOf(defaultFrom.address) !== env.SENDING_DOMAIN) {
    throw new Error(
      `Invalid environment: DEFAULT_FROM must be an address at SENDING_DOMAIN ${env.SENDING_DOMAIN}`,
    );
  }

  const messages = new DynamoMessageStore(env.MESSAGES_TABLE);
  const transactionalQueue = new SqsSendQueue(env.TRANSACTIONAL_QUEUE_URL);
  const suppressions = new DynamoSuppressionList(env.SUPPRESSIONS_TABLE);
  const secret = unsubscribeSecretReader(env, secretsManager);
  const webhookStore = new DynamoWebhookStore(env.WEBHOOKS_TABLE);

  const router = buildRouter({
    sendingDomain: env.SENDING_DOMAIN,
    defaultFrom,
    ...(env.DEFAULT_REPLY_TO ? { defaultReplyTo: [parseMailbox(env.DEFAULT_REPLY_TO)] } : {}),
    messages,
    templates: new DynamoTemplateStore(env.TEMPLATES_TABLE),
    suppressions,
    idempotency: new DynamoIdempotencyStore(env.IDEMPOTENCY_TABLE),
    queue: transactionalQueue,
    campaigns: new DynamoCampaignStore(env.CAMPAIGNS_TABLE),
    recipients: new DynamoRecipientStore(env.RECIPIENTS_TABLE),
    // Starting, scheduling and cancelling a campaign is a message to the fan-out; only the fan-out
    // itself writes to the bulk queue.
    queues: new SqsFanoutQueue(env.FANOUT_QUEUE_URL),
    ledger: new DynamoRateLedger(env.RATE_LEDGER_TABLE),
    bulkContent: async () => ({ unsubscribeSecret: await secret(), publicBaseUrl: env.PUBLIC_BASE_URL }),
    accountSuppressions: new SesAccountSuppressions(sesForReading),
    reputation: new DynamoDeliverabilityStore(env.DELIVERABILITY_TABLE),
    unsubscribe: async () => ({
      suppressions,
      campaigns: new DynamoCampaignEventTotals(env.CAMPAIGNS_TABLE),
      products: new SnsProductEvents(sns, env.PRODUCT_EVENTS_TOPIC_ARN),
      secret: await secret(),
      now: () => new Date(),
    }),
    submitMessage: async (message) => {
      await messages.create(message);
      await transactionalQueue.enqueue(message.id);
    },
    accountQuota: async () => {
      try {
        return await fetchAccountQuota(sesForReading);
      } catch (error) {
        logger.error('GetAccount failed', { error });
        throw new ApiError(502, 'ses_unavailable', 'SES did not answer GetAccount; try again shortly');
      }
    },
    webhookDeps: {
      webhooks: webhookStore,
      deliveries: webhookStore,
      deliveryQueue: new SqsDeliveryQueue(env.WEBHOOKS_QUEUE_URL),
      addressPolicy: { allowLoopback: env.WEBHOOK_ALLOW_LOOPBACK },
      newId: () => randomUUID(),
      now: () => new Date(),
    },
    maxSendRateOverride: env.MAX_SEND_RATE,
    sendRateShare: env.SEND_RATE_SHARE,
    guardThresholds: guardThresholdsFrom(env),
    newId: () => randomUUID(),
    now: () => new Date(),
  });

  const respond = async (
    event: APIGatewayProxyEvent,
    context: ApiContext | undefined,
  ): Promise<APIGatewayProxyResult> => {
    // An upload stops writing in time to answer 503 itself before the function is stopped (S1).
    const remaining = timeLeft(context);
    const deadline = remaining ? new Date(Date.now() + remaining()) : undefined;
    try {
      return await router.handle(event, deadline ? { deadline } : {});
    } catch (error) {
      if (error instanceof ApiError) {
        if (error.status >= 500) logger.error('request failed', { error });
        const response = errorResponse(error);
        // Work done in part: sent again a moment later, it finishes (upload_incomplete).
        return error.status === 503
          ? { ...response, headers: { ...response.headers, 'retry-after': '1' } }
          : response;
      }
      logger.error('unexpected error', { error, path: event.path, method: event.httpMethod });
      return errorResponse(
        new ApiError(
          500,
          'internal_error',
          'Something went wrong on our side; retry with the same Idempotency-Key to be safe',
        ),
      );
    }
  };
  // The console calls from its own origin (CloudFront): every answer names it (contract/cors.ts).
  const cors = env.CONSOLE_ORIGIN === undefined ? undefined : corsHeaders(env.CONSOLE_ORIGIN);
  const answer = async (event: APIGatewayProxyEvent, context: ApiContext | undefined) => {
    const result = await respond(event, context);
    return cors === undefined ? result : { ...result, headers: { ...result.headers, ...cors } };
  };
  return lambdaHandler<APIGatewayProxyEvent, APIGatewayProxyResult, ApiContext | undefined>(
    observability,
    answer,
  );
}
