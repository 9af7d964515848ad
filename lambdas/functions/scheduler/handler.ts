import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { SqsCampaignQueues } from '../../campaigns/adapters/campaign-queues';
import { DynamoCampaignStore } from '../../campaigns/adapters/campaign-store';
import { DynamoRecipientStore } from '../../campaigns/adapters/recipient-store';
import { COUNTERS_REPAIRED_METRIC } from '../../campaigns/reconcile';
import { tick } from '../../campaigns/tick';
import { functionEnvironment } from '../../platform/environment';
import { logger, metrics } from '../../platform/observability';

const env = functionEnvironment('scheduler');

const deps = {
  campaigns: new DynamoCampaignStore(env.CAMPAIGNS_TABLE),
  recipients: new DynamoRecipientStore(env.RECIPIENTS_TABLE),
  queues: new SqsCampaignQueues({ fanout: env.FANOUT_QUEUE_URL, bulk: env.BULK_QUEUE_URL }),
  now: () => new Date(),
};

/**
 * A one-minute tick (EventBridge rule) rather than one EventBridge Scheduler schedule per campaign:
 * it works the same in local mode, needs no schedule to create, update or delete when a campaign
 * is rescheduled or cancelled, and the same pass restarts fan-out chains that died.
 */
export async function handler(
  _event?: unknown,
  context?: Pick<Context, 'getRemainingTimeInMillis'>,
): Promise<void> {
  // The recount pass stops in time to return (campaign-tick.ts); local mode has no context.
  const result = await tick(
    context ? { ...deps, remainingMs: () => context.getRemainingTimeInMillis() } : deps,
  );
  if (result.started.length + result.restarted.length + result.reconciled.length > 0)
    logger.info('campaign tick', result);
  if (result.repaired.length > 0) {
    // Records and counters disagreed: a crash between two writes, or a bug. The alarm
    // CampaignCountersRepaired (lib/constructs/monitoring.ts) tells ops.
    logger.warn('campaign counters repaired from the recipient records', { campaigns: result.repaired });
    metrics.addMetric(COUNTERS_REPAIRED_METRIC, MetricUnit.Count, result.repaired.length);
    metrics.publishStoredMetrics();
  }
}
