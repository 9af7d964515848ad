import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { WEBHOOK_METRICS } from '../../../contract/metrics';
import { SnsProductEvents } from '../../feedback/adapters/product-events';
import { sns } from '../../platform/clients/sns';
import type { FunctionEnvironment } from '../../platform/environment';
import { lambdaHandler } from '../../platform/lambda-handler';
import { observabilityOf } from '../../platform/observability';
import { eachRecord } from '../../platform/sqs-batch';
import { SqsDeliveryQueue } from '../../webhooks/adapters/delivery-queue';
import { guardedPost } from '../../webhooks/adapters/guarded-http';
import { DynamoWebhookStore } from '../../webhooks/adapters/webhook-store';
import { type DeliverDeps, deliver, fanOutEvent } from '../../webhooks/deliver';
import { parseWebhookWork } from '../../webhooks/delivery-message';
import { parseRetrySchedule } from '../../webhooks/retry-schedule';
import type { StoredWebhook } from '../../webhooks/webhook-schemas';

export type WebhooksHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

/**
 * The webhooks function's composition root: the webhooks queue carries product events (from the
 * product events topic) and deliveries. An event becomes one delivery per subscribed webhook; a
 * delivery is one signed POST, recorded, and on failure queued again per the retry schedule until
 * the webhook is disabled. Runs outside a VPC, so it reaches the internet directly (see
 * lib/constructs/webhooks.ts for the evidence); the SSRF rules (webhooks/address-policy.ts) keep it
 * off the account's own addresses.
 */
export function createWebhooks(env: FunctionEnvironment<'webhooks'>): WebhooksHandler {
  const observability = observabilityOf('webhooks');
  const { logger } = observability;
  const store = new DynamoWebhookStore(env.WEBHOOKS_TABLE);
  const deps: DeliverDeps = {
    webhooks: store,
    deliveries: store,
    queue: new SqsDeliveryQueue(env.WEBHOOKS_QUEUE_URL),
    post: guardedPost({ allowLoopback: env.WEBHOOK_ALLOW_LOOPBACK }),
    products: new SnsProductEvents(sns, env.PRODUCT_EVENTS_TOPIC_ARN),
    schedule: parseRetrySchedule(env.WEBHOOK_RETRY_SCHEDULE),
    now: () => new Date(),
  };

  return lambdaHandler<SQSEvent, SQSBatchResponse, Context>(
    observability,
    async (event, _context, { metrics }) => {
      // One registry read per batch, not per event: every delivered mail is a product event, and
      // most stacks have few webhooks or none.
      let registry: Promise<StoredWebhook[]> | undefined;
      const webhooks = () => {
        registry ??= store.list();
        return registry;
      };
      return eachRecord(
        event,
        async (record) => {
          const work = parseWebhookWork(record.body);
          if (work.kind === 'event') {
            const queued = await fanOutEvent(work.event, { ...deps, webhooks });
            logger.debug('event fanned out', { eventId: work.event.id, type: work.event.type, queued });
            return;
          }
          const { delivery } = work;
          const effects = await deliver(delivery, deps);
          if (effects.outcome === 'succeeded')
            metrics.addMetric(WEBHOOK_METRICS.delivered, MetricUnit.Count, 1);
          if (['retrying', 'exhausted', 'test_failed'].includes(effects.outcome)) {
            metrics.addMetric(WEBHOOK_METRICS.attemptFailed, MetricUnit.Count, 1);
          }
          if (effects.disabled) {
            metrics.addMetric(WEBHOOK_METRICS.disabled, MetricUnit.Count, 1);
            // The URL's origin: its path or query may hold the receiver's token. Never the secret.
            logger.error('webhook disabled: its endpoint failed a whole retry schedule', {
              webhookId: effects.disabled.id,
              origin: new URL(effects.disabled.url).origin,
            });
          }
        },
        { parallel: true },
      );
    },
  );
}
