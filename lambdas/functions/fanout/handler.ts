import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { z } from 'zod';
import { SqsCampaignQueues } from '../../campaigns/adapters/campaign-queues';
import { DynamoCampaignStore } from '../../campaigns/adapters/campaign-store';
import { DynamoRecipientStore } from '../../campaigns/adapters/recipient-store';
import { fanOut } from '../../campaigns/fanout';
import { COUNTERS_REPAIRED_METRIC } from '../../campaigns/reconcile';
import { DynamoDeliverabilityStore } from '../../feedback/adapters/deliverability-store';
import { DynamoSuppressionList } from '../../feedback/adapters/suppression-store';
import { sesForReading } from '../../platform/aws-clients';
import { functionEnvironment } from '../../platform/environment';
import { logger, metrics } from '../../platform/observability';
import { DynamoRateLedger } from '../../sending/adapters/rate-ledger';
import { fetchAccountQuota } from '../../sending/adapters/ses-mailer';
import { bulkRate, CachedQuota, rateInUse } from '../../sending/send-rate';

const env = functionEnvironment('fanout');

const messageSchema = z.strictObject({
  kind: z.enum(['fanout', 'cancel']),
  campaignId: z.string().min(1).max(100),
  generation: z.number().int().min(0),
  cursor: z.string().max(2048).optional(),
});

const ledger = new DynamoRateLedger(env.RATE_LEDGER_TABLE);
const deliverability = new DynamoDeliverabilityStore(env.DELIVERABILITY_TABLE);
const quota = new CachedQuota(() => fetchAccountQuota(sesForReading));
const deps = {
  campaigns: new DynamoCampaignStore(env.CAMPAIGNS_TABLE),
  recipients: new DynamoRecipientStore(env.RECIPIENTS_TABLE),
  suppressions: new DynamoSuppressionList(env.SUPPRESSIONS_TABLE),
  queues: new SqsCampaignQueues({ fanout: env.FANOUT_QUEUE_URL, bulk: env.BULK_QUEUE_URL }),
  bulkRate: async () =>
    bulkRate(
      rateInUse(await quota.get(), env.MAX_SEND_RATE, env.SEND_RATE_SHARE),
      await ledger.current('transactional', new Date()),
    ),
  bulkPaused: async () => (await deliverability.guard()).paused,
  now: () => new Date(),
};

/** Fan-out queue → pages of recipients onto the bulk queue, one link of the chain per message. */
export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  const failures: string[] = [];
  for (const record of event.Records) {
    try {
      const outcome = await fanOut(messageSchema.parse(JSON.parse(record.body)), deps);
      metrics.addMetric(`Fanout_${outcome}`, MetricUnit.Count, 1);
      // The watch found the counters wrong and set them from the records (alarm CampaignCountersRepaired).
      if (outcome === 'repaired') metrics.addMetric(COUNTERS_REPAIRED_METRIC, MetricUnit.Count, 1);
    } catch (error) {
      logger.error('fan-out link failed; SQS will deliver it again', {
        error,
        sqsMessageId: record.messageId,
      });
      failures.push(record.messageId);
    }
  }
  metrics.publishStoredMetrics();
  return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
}
