import type { FunctionName } from './functions';

/**
 * The custom (EMF) metrics, as plain data: the functions emit them under these names
 * (lambdas/functions/*), and the dashboard and alarms (lib/constructs/monitoring.ts) read them
 * under the same names. Every count is a `Count` with statistic `Sum`.
 */

/**
 * The CloudWatch namespace of one stack's own (EMF) metrics, e.g. `Mailroom/Mailroom-mail-acme-com`.
 * Per stack, because two Mailroom stacks in one account and region (staging and production, two
 * products) would otherwise add their figures together on each other's dashboards and alarms.
 */
export function metricsNamespaceOf(stackName: string): string {
  return `Mailroom/${stackName}`;
}

/**
 * A function's Powertools service name: the `service` key of its log lines and the `service`
 * dimension of its metrics (the stack sets it as POWERTOOLS_SERVICE_NAME).
 */
export function serviceNameOf<F extends FunctionName>(fn: F): `mailroom-${F}` {
  return `mailroom-${fn}`;
}

/** The `service` dimension of each function whose metrics the dashboard and alarms read. */
export const METRIC_SERVICES = {
  sender: serviceNameOf('sender'),
  events: serviceNameOf('events'),
  fanout: serviceNameOf('fanout'),
  scheduler: serviceNameOf('scheduler'),
  webhooks: serviceNameOf('webhooks'),
} as const;

/**
 * The sender's count for each outcome of a record (dimensions `service`=`mailroom-sender`,
 * `stream`); an outcome missing here is counted under its own name.
 */
export const SENDER_OUTCOME_METRICS = {
  sent: 'Sent',
  failed: 'Failed',
  requeued: 'Requeued',
  deferred: 'Deferred',
  duplicate: 'DuplicateSkipped',
  orphan: 'Orphaned',
  stale_claim_failed: 'StaleClaimFailed',
  released: 'ReleasedOnPause',
  cancelled: 'Cancelled',
  waiting_for_quota: 'WaitingForQuota',
} as const satisfies Record<string, string>;

/** The sender's other metrics (dimensions `service`=`mailroom-sender`, `stream`). */
export const SENDER_METRICS = {
  /** Count: a record that could not be processed at all; SQS delivers it again. */
  recordErrors: 'RecordErrors',
  /** CountPerSecond: the account rate the sender paces to, reported once per batch. */
  rateInUse: 'RateInUse',
} as const;

/** The events function's metrics (dimension `service`=`mailroom-events`). */
export const EVENTS_METRICS = {
  /** Count: one per SES event handled. */
  processed: 'EventsProcessed',
  /** Count: addresses an event put on the suppression list. */
  suppressionsAdded: 'SuppressionsAdded',
  /** Count: an SES event that could not be read (it goes to the DLQ). */
  unparseable: 'UnparseableEvents',
  /** Count: the reputation guard paused bulk mail (alarm ReputationGuardTripped). */
  reputationGuardTripped: 'ReputationGuardTripped',
} as const;

/** The campaign functions' metrics (dimension `service`: the scheduler's or the fan-out's). */
export const CAMPAIGN_METRICS = {
  /**
   * Count: a campaign's counters were repaired from its recipient records, by the tick
   * (mailroom-scheduler) or by the fan-out's watch (mailroom-fanout); the alarm
   * CampaignCountersRepaired sums both.
   */
  countersRepaired: 'CampaignCountersRepaired',
} as const;

/** The fan-out's count per link outcome (dimension `service`=`mailroom-fanout`), e.g. `Fanout_done`. */
export function fanoutOutcomeMetric<Outcome extends string>(outcome: Outcome): `Fanout_${Outcome}` {
  return `Fanout_${outcome}`;
}

/** The webhooks function's metrics (dimension `service`=`mailroom-webhooks`). */
export const WEBHOOK_METRICS = {
  /** Count: a delivery attempt the endpoint answered 2xx. */
  delivered: 'WebhookDelivered',
  /** Count: a delivery attempt that failed (non-2xx, timeout, refused address); it is retried. */
  attemptFailed: 'WebhookAttemptFailed',
  /** Count: a webhook disabled after its endpoint failed for a whole retry schedule (alarm WebhookDisabled). */
  disabled: 'WebhookDisabled',
} as const;
