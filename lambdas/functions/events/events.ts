import type { Metrics } from '@aws-lambda-powertools/metrics';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { PublishCommand } from '@aws-sdk/client-sns';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { EVENTS_METRICS } from '../../../contract/metrics';
import { DynamoCampaignStore } from '../../campaigns/adapters/campaign-store';
import { CounterBuffer } from '../../campaigns/counter-buffer';
import { DynamoDeliverabilityStore } from '../../feedback/adapters/deliverability-store';
import { DynamoCampaignEventTotals, DynamoEventRecords } from '../../feedback/adapters/event-records';
import { SnsProductEvents } from '../../feedback/adapters/product-events';
import { DynamoSuppressionList } from '../../feedback/adapters/suppression-store';
import type { EventCounter, EventDelta } from '../../feedback/ports';
import { processSesEvent } from '../../feedback/process-ses-event';
import { ProductEventOutbox } from '../../feedback/product-event-outbox';
import { ReputationBuffer } from '../../feedback/reputation-buffer';
import { checkReputation, guardThresholdsFrom } from '../../feedback/reputation-guard';
import { parseSesNotification, UnparseableEventError } from '../../feedback/ses-events';
import { sns } from '../../platform/clients/sns';
import type { FunctionEnvironment } from '../../platform/environment';
import { lambdaHandler } from '../../platform/lambda-handler';
import { observabilityOf } from '../../platform/observability';
import { eachRecord, withFailures } from '../../platform/sqs-batch';

export type EventsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

/**
 * The events function's composition root: SES events (SNS topic → SQS queue) → suppression list,
 * message history, campaign counters, the events product backends subscribe to, and the reputation
 * guard. An event that cannot be parsed is logged, counted and reported as a failure, so it ends in
 * the queue's DLQ: never dropped, and never in the way of the rest of the batch.
 */
export function createEventsProcessor(env: FunctionEnvironment<'events'>): EventsHandler {
  const observability = observabilityOf('events');
  const { logger } = observability;
  const deliverability = new DynamoDeliverabilityStore(env.DELIVERABILITY_TABLE);
  const campaigns = new DynamoCampaignStore(env.CAMPAIGNS_TABLE);
  const deps = {
    suppressions: new DynamoSuppressionList(env.SUPPRESSIONS_TABLE),
    transientBounces: deliverability,
    records: new DynamoEventRecords({ messages: env.MESSAGES_TABLE, recipients: env.RECIPIENTS_TABLE }),
    campaigns: new DynamoCampaignEventTotals(env.CAMPAIGNS_TABLE),
    reputation: deliverability,
    products: new SnsProductEvents(sns, env.PRODUCT_EVENTS_TOPIC_ARN),
    transientPolicy: { limit: env.TRANSIENT_BOUNCE_LIMIT, windowDays: env.TRANSIENT_BOUNCE_WINDOW_DAYS },
    now: () => new Date(),
  };

  async function guard(metrics: Metrics): Promise<void> {
    await checkReputation({
      reputation: deliverability,
      campaigns,
      thresholds: guardThresholdsFrom(env),
      now: () => new Date(),
      onTrip: async (reason, paused) => {
        metrics.addMetric(EVENTS_METRICS.reputationGuardTripped, MetricUnit.Count, 1);
        logger.error('reputation guard paused bulk sending', { reason, pausedCampaigns: paused });
        if (env.OPS_TOPIC_ARN) {
          await sns.send(
            new PublishCommand({
              TopicArn: env.OPS_TOPIC_ARN,
              Subject: 'Mailroom paused bulk sending',
              Message: `${reason}. Campaigns paused: ${paused.join(', ') || 'none'}. Transactional mail goes on. Resume with POST /v1/account/bulk/resume, then resume each campaign.`,
            }),
          );
        }
      },
    });
  }

  return lambdaHandler<SQSEvent, SQSBatchResponse, Context>(
    observability,
    async (event, _context, { metrics }) => {
      let reputationWorse = false;
      // This batch's events, added to each campaign's counters once when it ends (counter-buffer.ts).
      const counted = new CounterBuffer<EventCounter>((id, sums) => deps.campaigns.addEvents(id, sums));
      // And its product events, published ten to a call when it ends (product-event-outbox.ts).
      const outbox = new ProductEventOutbox();
      // And the reputation guard's counts, once per hourly bucket (reputation-buffer.ts).
      const reputationSums = new ReputationBuffer();
      const batchDeps = {
        ...deps,
        campaigns: { addEvents: async (id: string, delta: EventDelta) => counted.add(id, delta) },
      };
      const response = await eachRecord(event, async (record) => {
        try {
          const effects = await processSesEvent(parseSesNotification(record.body), {
            ...batchDeps,
            products: outbox.forRecord(record.messageId),
            reputation: reputationSums.forRecord(record.messageId),
          });
          reputationWorse ||= effects.reputationWorse;
          metrics.addMetric(EVENTS_METRICS.processed, MetricUnit.Count, 1);
          if (effects.suppressed.length > 0) {
            metrics.addMetric(EVENTS_METRICS.suppressionsAdded, MetricUnit.Count, effects.suppressed.length);
            logger.info('suppressed', {
              suppressed: effects.suppressed.map((s) => ({ email: s.email, reason: s.reason })),
            });
          }
        } catch (error) {
          if (error instanceof UnparseableEventError) {
            metrics.addMetric(EVENTS_METRICS.unparseable, MetricUnit.Count, 1);
            logger.error('unparseable SES event; it goes to the DLQ', {
              reason: error.message,
              sqsMessageId: record.messageId,
            });
          } else {
            logger.error('event not processed; SQS will deliver it again', {
              error,
              sqsMessageId: record.messageId,
            });
          }
          throw error;
        }
      });
      const unpublished = await outbox.flush(deps.products);
      if (unpublished.length > 0) {
        // Delivered again, they give the same events again (same ids): at least once.
        logger.warn('product events not published; their SES events will be delivered again', {
          sqsMessageIds: unpublished,
        });
      }
      await counted.flush().catch((error: unknown) => {
        // The events are recorded on their messages and recipients; only the view is short.
        logger.warn('could not add the batch to the campaign event counters', { error });
      });
      // Before the guard reads them. Records delivered again anyway count then, not now.
      const uncounted = await reputationSums.flush(deliverability, new Set(unpublished));
      if (uncounted.length > 0) {
        logger.warn('reputation counts not written; their SES events will be delivered again', {
          sqsMessageIds: uncounted,
        });
      }
      if (reputationWorse) {
        // Not thrown: the batch's work is done and its counts written, and a failed batch would come
        // back and count them again. The next bounce or complaint checks again.
        await guard(metrics).catch((error: unknown) => {
          logger.error('the reputation guard could not check; the next bounce or complaint checks again', {
            error,
          });
        });
      }
      return withFailures(response, [...unpublished, ...uncounted]);
    },
  );
}
