import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { z } from 'zod';
import { sesForReading, sesForSending } from '../shared/adapters/aws-clients';
import { DynamoMessageStore } from '../shared/adapters/message-store';
import { SqsSendQueue } from '../shared/adapters/send-queue';
import { fetchAccountQuota, SesMailer } from '../shared/adapters/ses-mailer';
import { Pacer, systemClock } from '../shared/domain/pacer';
import { CachedQuota, rateInUse, SANDBOX_RATE } from '../shared/domain/send-rate';
import {
  maxSendRateOverride,
  queueUrl,
  readEnvironment,
  senderConcurrency,
  tableName,
} from '../shared/environment';
import { logger, metrics } from '../shared/observability';
import { processBatch } from './process-batch';

const env = readEnvironment({
  MESSAGES_TABLE: tableName,
  TRANSACTIONAL_QUEUE_URL: queueUrl,
  TRANSACTIONAL_CONFIGURATION_SET: z.string().optional(),
  MAX_SEND_RATE: maxSendRateOverride,
  SENDER_CONCURRENCY: senderConcurrency,
});

const store = new DynamoMessageStore(env.MESSAGES_TABLE);
const queue = new SqsSendQueue(env.TRANSACTIONAL_QUEUE_URL);
const mailer = new SesMailer(sesForSending, {
  transactional: env.TRANSACTIONAL_CONFIGURATION_SET ?? '',
});
const quota = new CachedQuota(
  () => fetchAccountQuota(sesForReading),
  Date.now,
  undefined,
  (error) => logger.warn('GetAccount failed; pacing on the last known rate', { error }),
);
// Module scope: the pacer outlives one invocation, so back-to-back batches in a warm container do
// not each start with a burst.
const pacer = new Pacer(SANDBOX_RATE);

/** SQS (transactional queue) → SES, paced, once per message. */
export async function handler(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  try {
    return await processBatch(event.Records, {
      claims: store,
      mailer,
      requeue: queue,
      pacer,
      clock: systemClock,
      now: () => new Date(),
      deadline: Date.now() + context.getRemainingTimeInMillis(),
      currentRate: async () => {
        const rate = rateInUse(await quota.get(), env.MAX_SEND_RATE);
        metrics.addMetric('RateInUse', MetricUnit.CountPerSecond, rate);
        // Each concurrent sender paces itself to an equal share of the account's rate.
        return rate / env.SENDER_CONCURRENCY;
      },
      onOutcome: (outcome) => metrics.addMetric(`Messages_${outcome}`, MetricUnit.Count, 1),
      onError: (error, record) => {
        metrics.addMetric('Messages_error', MetricUnit.Count, 1);
        logger.error('record not processed; SQS will deliver it again', {
          error,
          sqsMessageId: record.messageId,
        });
      },
    });
  } finally {
    metrics.publishStoredMetrics();
  }
}
