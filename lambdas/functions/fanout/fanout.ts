import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import * as z from 'zod';
import { CAMPAIGN_METRICS, fanoutOutcomeMetric } from '../../../contract/metrics';
import { SqsCampaignQueues } from '../../campaigns/adapters/campaign-queues';
import { DynamoCampaignStore } from '../../campaigns/adapters/campaign-store';
import { DynamoRecipientStore } from '../../campaigns/adapters/recipient-store';
import { fanOut } from '../../campaigns/fanout';
import { DynamoDeliverabilityStore } from '../../feedback/adapters/deliverability-store';
import { DynamoSuppressionList } from '../../feedback/adapters/suppression-store';
import { sesForReading } from '../../platform/clients/ses';
import type { FunctionEnvironment } from '../../platform/environment';
import { lambdaHandler } from '../../platform/lambda-handler';
import { observabilityOf } from '../../platform/observability';
import { eachRecord } from '../../platform/sqs-batch';
import { DynamoRateLedger } from '../../sending/adapters/rate-ledger';
import { fetchAccountQuota } from '../../sending/adapters/ses-mailer';
import { bulkRate, CachedQuota, rateInUse } from '../../sending/send-rate';

export type FanoutHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

const messageSchema = z.strictObject({
  kind: z.enum(['fanout', 'cancel']),
  campaignId: z.string().min(1).max(100),
  generation: z.number().int().min(0),
  cursor: z.string().max(2048).optional(),
});

/**
 * The fan-out's composition root: fan-out queue → pages of recipients onto the bulk queue, one
 * link of the chain per message. The account quota it paces by is cached in this closure, once per
 * container.
 */
export function createFanout(env: FunctionEnvironment<'fanout'>): FanoutHandler {
  const observability = observabilityOf('fanout');
  const { logger } = observability;
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

  return lambdaHandler<SQSEvent, SQSBatchResponse, Context>(observability, (event, _context, { metrics }) =>
    eachRecord(event, async (record) => {
      try {
        const outcome = await fanOut(messageSchema.parse(JSON.parse(record.body)), deps);
        metrics.addMetric(fanoutOutcomeMetric(outcome), MetricUnit.Count, 1);
        // The watch found the counters wrong and set them from the records (alarm CampaignCountersRepaired).
        if (outcome === 'repaired') metrics.addMetric(CAMPAIGN_METRICS.countersRepaired, MetricUnit.Count, 1);
      } catch (error) {
        logger.error('fan-out link failed; SQS will deliver it again', {
          error,
          sqsMessageId: record.messageId,
        });
        throw error;
      }
    }),
  );
}
