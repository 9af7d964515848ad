import { randomUUID } from 'node:crypto';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { SENDER_METRICS, SENDER_OUTCOME_METRICS } from '../../../contract/metrics';
import { DynamoCampaignStore } from '../../campaigns/adapters/campaign-store';
import { DynamoRecipientStore } from '../../campaigns/adapters/recipient-store';
import { deliverBulk } from '../../campaigns/bulk-delivery';
import type { CampaignTotals, SendableCampaign } from '../../campaigns/campaign';
import { CounterBuffer } from '../../campaigns/counter-buffer';
import { DynamoMessageStore } from '../../emails/adapters/message-store';
import { SqsSendQueue } from '../../emails/adapters/send-queue';
import { deliver } from '../../emails/delivery';
import { DynamoDeliverabilityStore } from '../../feedback/adapters/deliverability-store';
import { unsubscribeSecretReader } from '../../feedback/adapters/unsubscribe-secret';
import { secretsManager } from '../../platform/clients/secrets-manager';
import { sesForReading, sesForSending } from '../../platform/clients/ses';
import type { FunctionEnvironment } from '../../platform/environment';
import { lambdaHandler } from '../../platform/lambda-handler';
import { observabilityOf } from '../../platform/observability';
import { DynamoSendSchedule } from '../../sending/adapters/dynamo-send-schedule';
import { DynamoRateLedger } from '../../sending/adapters/rate-ledger';
import { fetchAccountQuota, SesMailer } from '../../sending/adapters/ses-mailer';
import type { SendSlot } from '../../sending/claim-and-settle';
import type { Stream } from '../../sending/outgoing-mail';
import { processBatch } from '../../sending/process-batch';
import { CachedQuota, dailyQuotaExhausted, RecentSends, rateInUse } from '../../sending/send-rate';
import { BULK_LOOKAHEAD_MS, LanedSendSchedule, systemClock } from '../../sending/send-schedule';

export type SenderHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

const REPORT_EVERY_MS = 2_000;
const CAMPAIGN_CACHE_MS = 2_000;

/**
 * The sender's composition root: SQS (transactional or bulk queue) → SES, paced, once per message.
 * Build it once per container: what it keeps between invocations (the campaign and guard caches,
 * what this container sent lately for the rate ledger and the daily quota guard, the account quota)
 * lives in this closure, so each root is one container's worth of state. Local mode builds one and
 * feeds it both streams, as the bench's containers do.
 */
export function createSender(env: FunctionEnvironment<'sender'>): SenderHandler {
  const observability = observabilityOf('sender');
  const { logger } = observability;
  const messages = new DynamoMessageStore(env.MESSAGES_TABLE);
  const campaigns = new DynamoCampaignStore(env.CAMPAIGNS_TABLE);
  const recipients = new DynamoRecipientStore(env.RECIPIENTS_TABLE);
  const ledger = new DynamoRateLedger(env.RATE_LEDGER_TABLE);
  // One schedule of send slots for both streams and every container (in the rate ledger table),
  // split into lanes above LANE_RATE mails a second.
  const schedule = new LanedSendSchedule((lane) => new DynamoSendSchedule(env.RATE_LEDGER_TABLE, lane));
  const deliverability = new DynamoDeliverabilityStore(env.DELIVERABILITY_TABLE);
  const queues = {
    transactional: new SqsSendQueue(env.TRANSACTIONAL_QUEUE_URL),
    bulk: new SqsSendQueue(env.BULK_QUEUE_URL),
  };
  const mailer = new SesMailer(sesForSending, {
    transactional: env.TRANSACTIONAL_CONFIGURATION_SET,
    bulk: env.BULK_CONFIGURATION_SET,
  });
  const quota = new CachedQuota(
    () => fetchAccountQuota(sesForReading),
    Date.now,
    undefined,
    (error) => logger.warn('GetAccount failed; pacing on the last known rate', { error }),
  );
  const unsubscribeSecret = unsubscribeSecretReader(env, secretsManager);

  // What this container sent lately, for the rate ledger (what GET /v1/campaigns/{id} shows as the
  // current rate) and the daily quota guard.
  const worker = randomUUID();
  const recent: Record<Stream, RecentSends> = { transactional: new RecentSends(), bulk: new RecentSends() };
  const lastReported: Record<Stream, number> = { transactional: 0, bulk: 0 };
  const campaignCache = new Map<string, { campaign: SendableCampaign | undefined; at: number }>();
  let guardCache: { paused: boolean; at: number } | undefined;

  /** The reputation guard, looked at every few seconds: it pauses every bulk sender within that. */
  async function bulkPaused(options?: { fresh: boolean }): Promise<boolean> {
    const cached = guardCache && Date.now() - guardCache.at < CAMPAIGN_CACHE_MS;
    if (guardCache && cached && !options?.fresh) return guardCache.paused;
    const { paused } = await deliverability.guard();
    guardCache = { paused, at: Date.now() };
    return paused;
  }

  /** Only bulk mail carries unsubscribe links; transactional sending never waits on the secret. */
  async function secretFor(stream: Stream): Promise<string> {
    return stream === 'transactional' ? '' : unsubscribeSecret();
  }

  async function cachedCampaign(id: string): Promise<SendableCampaign | undefined> {
    const hit = campaignCache.get(id);
    if (hit && Date.now() - hit.at < CAMPAIGN_CACHE_MS) return hit.campaign;
    // Status and settings only: the content is read once per container, the counters never.
    const campaign = await campaigns.sendable(id);
    campaignCache.set(id, { campaign, at: Date.now() });
    return campaign;
  }

  async function reportRate(stream: Stream): Promise<void> {
    const now = Date.now();
    if (now - lastReported[stream] < REPORT_EVERY_MS) return;
    lastReported[stream] = now;
    await ledger
      .report(stream, worker, recent[stream].perSecond(now), new Date(now))
      .catch((error: unknown) => {
        logger.warn('could not report the send rate', { error });
      });
  }

  function deliverer(stream: Stream, unsubscribeSecret: string, totals: CounterBuffer<keyof CampaignTotals>) {
    const count = <T extends string>(outcome: Promise<T>) =>
      outcome.then((result) => {
        if (result === 'sent') recent[stream].record(Date.now());
        return result;
      });
    if (stream === 'transactional') {
      return (body: string, slot: SendSlot) =>
        count(
          deliver(body, {
            claims: messages,
            mailer,
            requeue: queues.transactional,
            now: () => new Date(),
            slot,
          }),
        );
    }
    return (body: string, slot: SendSlot) =>
      count(
        deliverBulk(body, {
          campaign: cachedCampaign,
          campaigns: {
            get: (id) => campaigns.get(id),
            setWaitingForQuota: (id, since) => campaigns.setWaitingForQuota(id, since),
            addToTotals: async (id, delta) => totals.add(id, delta),
          },
          recipients,
          mailer,
          requeue: queues.bulk,
          content: {
            unsubscribeSecret,
            publicBaseUrl: env.PUBLIC_BASE_URL,
          },
          bulkPaused,
          quotaExhausted: async () => {
            const current = await quota.get();
            return dailyQuotaExhausted(
              current,
              recent.transactional.since(quota.fetchedAtMs) + recent.bulk.since(quota.fetchedAtMs),
            );
          },
          now: () => new Date(),
          slot,
        }),
      );
  }

  return lambdaHandler<SQSEvent, SQSBatchResponse, Context>(
    observability,
    async (event, context, { metrics }) => {
      const stream: Stream =
        event.Records[0]?.eventSourceARN === env.BULK_QUEUE_ARN ? 'bulk' : 'transactional';
      // This invocation's own Metrics: its stream is the only one it adds the dimension for.
      metrics.addDimension('stream', stream);
      // This batch's moves of campaign recipients, counted once per campaign when it ends.
      const totals = new CounterBuffer<keyof CampaignTotals>((id, sums) =>
        campaigns.addToTotals(id, sums, new Date()),
      );
      try {
        return await processBatch(event.Records, {
          schedule,
          clock: systemClock,
          requeue: queues[stream],
          deadline: Date.now() + context.getRemainingTimeInMillis(),
          currentRate: async () => {
            const rate = rateInUse(await quota.get(), env.MAX_SEND_RATE, env.SEND_RATE_SHARE);
            metrics.addMetric(SENDER_METRICS.rateInUse, MetricUnit.CountPerSecond, rate);
            return rate;
          },
          // Transactional first: it takes the next free slot wherever it is; bulk only what is left
          // close ahead of now.
          lookaheadMs: stream === 'bulk' ? BULK_LOOKAHEAD_MS : Number.POSITIVE_INFINITY,
          deliver: deliverer(stream, await secretFor(stream), totals),
          onOutcome: (outcome) =>
            metrics.addMetric(
              (SENDER_OUTCOME_METRICS as Record<string, string>)[outcome] ?? outcome,
              MetricUnit.Count,
              1,
            ),
          onHoldFailed: (error) =>
            logger.warn('could not hold the send schedule after a throttle', { error }),
          onError: (error, record) => {
            metrics.addMetric(SENDER_METRICS.recordErrors, MetricUnit.Count, 1);
            logger.error('record not processed; SQS will deliver it again', {
              error,
              sqsMessageId: record.messageId,
              stream,
            });
          },
        });
      } finally {
        await totals.flush().catch((error: unknown) => {
          // The records are the authority: the recount of the quiet campaign puts the counters right.
          logger.warn('could not add the batch to the campaign counters', { error });
        });
        await reportRate(stream);
      }
    },
  );
}
