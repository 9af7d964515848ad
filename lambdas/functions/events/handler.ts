import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { PublishCommand } from '@aws-sdk/client-sns';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { DynamoCampaignStore } from '../../campaigns/adapters/campaign-store';
import { DynamoDeliverabilityStore } from '../../feedback/adapters/deliverability-store';
import { DynamoCampaignEventTotals, DynamoEventRecords } from '../../feedback/adapters/event-records';
import { SnsProductEvents } from '../../feedback/adapters/product-events';
import { DynamoSuppressionList } from '../../feedback/adapters/suppression-store';
import { processSesEvent } from '../../feedback/process-ses-event';
import { checkReputation } from '../../feedback/reputation-guard';
import { parseSesNotification, UnparseableEventError } from '../../feedback/ses-events';
import { sns } from '../../platform/aws-clients';
import { functionEnvironment } from '../../platform/environment';
import { logger, metrics } from '../../platform/observability';

const env = functionEnvironment('events');

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

/**
 * SES events (SNS topic → SQS queue) → suppression list, message history, campaign counters, the
 * events product backends subscribe to, and the reputation guard. An event that cannot be parsed is
 * logged, counted and reported as a failure, so it ends in the queue's DLQ: never dropped, and
 * never in the way of the rest of the batch.
 */
export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  const failures: string[] = [];
  let reputationWorse = false;
  for (const record of event.Records) {
    try {
      const mailEvent = parseSesNotification(record.body);
      const effects = await processSesEvent(mailEvent, deps);
      reputationWorse ||= effects.reputationWorse;
      metrics.addMetric('EventsProcessed', MetricUnit.Count, 1);
      if (effects.suppressed.length > 0) {
        metrics.addMetric('SuppressionsAdded', MetricUnit.Count, effects.suppressed.length);
        logger.info('suppressed', {
          suppressed: effects.suppressed.map((s) => ({ email: s.email, reason: s.reason })),
        });
      }
    } catch (error) {
      if (error instanceof UnparseableEventError) {
        metrics.addMetric('UnparseableEvents', MetricUnit.Count, 1);
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
      failures.push(record.messageId);
    }
  }
  if (reputationWorse) await guard();
  metrics.publishStoredMetrics();
  return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
}

async function guard(): Promise<void> {
  await checkReputation({
    reputation: deliverability,
    campaigns,
    thresholds: {
      bounceRate: env.BOUNCE_RATE_THRESHOLD,
      complaintRate: env.COMPLAINT_RATE_THRESHOLD,
      minimumSample: env.GUARD_MINIMUM_SAMPLE,
      windowHours: 24,
    },
    now: () => new Date(),
    onTrip: async (reason, paused) => {
      metrics.addMetric('ReputationGuardTripped', MetricUnit.Count, 1);
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
