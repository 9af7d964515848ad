import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { CAMPAIGN_METRICS } from '../../../contract/metrics';
import { SqsFanoutQueue } from '../../campaigns/adapters/campaign-queues';
import { DynamoCampaignStore } from '../../campaigns/adapters/campaign-store';
import { DynamoRecipientStore } from '../../campaigns/adapters/recipient-store';
import { tick } from '../../campaigns/tick';
import type { FunctionEnvironment } from '../../platform/environment';
import { lambdaHandler, timeLeft } from '../../platform/lambda-handler';
import { observabilityOf } from '../../platform/observability';

/** The EventBridge rule's event is not read; local mode's tick gives none, nor a context. */
export type SchedulerHandler = (event?: unknown, context?: SchedulerContext) => Promise<void>;
type SchedulerContext = Partial<Pick<Context, 'getRemainingTimeInMillis'>>;

/**
 * The scheduler's composition root: a one-minute tick (EventBridge rule) rather than one
 * EventBridge Scheduler schedule per campaign: it works the same in local mode, needs no schedule
 * to create, update or delete when a campaign is rescheduled or cancelled, and the same pass
 * restarts fan-out chains that died. It only ever writes to the fan-out queue.
 */
export function createScheduler(env: FunctionEnvironment<'scheduler'>): SchedulerHandler {
  const observability = observabilityOf('scheduler');
  const { logger } = observability;
  const deps = {
    campaigns: new DynamoCampaignStore(env.CAMPAIGNS_TABLE),
    recipients: new DynamoRecipientStore(env.RECIPIENTS_TABLE),
    queues: new SqsFanoutQueue(env.FANOUT_QUEUE_URL),
    now: () => new Date(),
  };

  return lambdaHandler<unknown, void, SchedulerContext | undefined>(
    observability,
    async (_event, context, { metrics }) => {
      // The recount pass stops in time to return (campaigns/tick.ts); local mode gives no deadline.
      const remainingMs = timeLeft(context);
      const result = await tick(remainingMs ? { ...deps, remainingMs } : deps);
      if (result.started.length + result.restarted.length + result.reconciled.length > 0)
        logger.info('campaign tick', result);
      if (result.repaired.length > 0) {
        // Records and counters disagreed: a crash between two writes, or a bug. The alarm
        // CampaignCountersRepaired (lib/constructs/monitoring.ts) tells ops.
        logger.warn('campaign counters repaired from the recipient records', { campaigns: result.repaired });
        metrics.addMetric(CAMPAIGN_METRICS.countersRepaired, MetricUnit.Count, result.repaired.length);
      }
    },
  );
}
