import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { CAMPAIGNS_BY_STATUS } from '../../contract/tables';
import { MailroomFunction } from './mailroom-function';
import { eventSourceFor } from './queues';

/** Properties of {@link Campaigns}. */
export interface CampaignsProps {
  readonly campaigns: dynamodb.ITable;
  readonly recipients: dynamodb.ITable;
  /** Checked in batches before recipients are queued. */
  readonly suppressions: dynamodb.ITable;
  /** What the transactional senders use now, so continuations are spaced to the bulk rate left. */
  readonly rateLedger: dynamodb.ITable;
  /** The reputation guard: while it holds bulk mail, a due start is paused instead. */
  readonly deliverability: dynamodb.ITable;
  /** The fan-out chain's queue (consumed by the fan-out function, fed by it, the API and the tick). */
  readonly fanoutQueue: sqs.IQueue;
  /** Where the fan-out puts one message per recipient for the sender. */
  readonly bulkQueue: sqs.IQueue;
  /**
   * Send-rate ceiling in emails per second.
   * @default - the account's MaxSendRate from SES GetAccount
   */
  readonly maxSendRate?: number;
  /**
   * This stack's fraction of the account's MaxSendRate (shared with the other Mailroom stacks in
   * the account and region).
   * @default 1
   */
  readonly sendRateShare?: number;
  /**
   * What happens to the functions' log groups when the stack is deleted.
   * @default RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE
   */
  readonly logRemovalPolicy?: RemovalPolicy;
}

/**
 * The campaign machinery behind the API: the fan-out function, which turns a campaign into bulk
 * queue messages one page at a time (a continuation message carries the rest, so no invocation
 * runs long whatever the list size), and the one-minute tick that starts scheduled campaigns and
 * restarts fan-out chains that died.
 */
export class Campaigns extends Construct {
  /** The fan-out function. */
  readonly fanout: MailroomFunction;
  /** The tick. */
  readonly scheduler: MailroomFunction;
  /** Runs the tick every minute. */
  readonly tick: events.Rule;

  constructor(scope: Construct, id: string, props: CampaignsProps) {
    super(scope, id);

    this.fanout = new MailroomFunction(this, 'Fanout', {
      contract: 'fanout',
      description: 'Mailroom fan-out: a page of campaign recipients at a time onto the bulk queue',
      logRemovalPolicy: props.logRemovalPolicy,
    });
    this.fanout
      // BatchGetItem: a campaign's content and counter shards (campaign-parts.ts).
      .bindTable('CAMPAIGNS_TABLE', props.campaigns, [
        'dynamodb:GetItem',
        'dynamodb:UpdateItem',
        'dynamodb:BatchGetItem',
      ])
      .bindTable('RECIPIENTS_TABLE', props.recipients, ['dynamodb:Query', 'dynamodb:UpdateItem'])
      .bindTable('SUPPRESSIONS_TABLE', props.suppressions, ['dynamodb:BatchGetItem'])
      .bindTable('RATE_LEDGER_TABLE', props.rateLedger, ['dynamodb:Query'])
      .bindTable('DELIVERABILITY_TABLE', props.deliverability, ['dynamodb:GetItem'])
      // The continuation of the chain (and a not-yet-due start, put back with a delay).
      .bindQueue('FANOUT_QUEUE_URL', props.fanoutQueue, ['sqs:SendMessage'])
      // SendMessageBatch is authorized as sqs:SendMessage.
      .bindQueue('BULK_QUEUE_URL', props.bulkQueue, ['sqs:SendMessage'])
      .allowAccountLevel(
        ['ses:GetAccount'],
        'The fan-out spaces its continuations by the account send rate from ses:GetAccount, which ' +
          'is account-wide and has no resource-level permissions; SES accepts only Resource "*" for it.',
      );
    if (props.maxSendRate !== undefined) this.fanout.setEnv('MAX_SEND_RATE', String(props.maxSendRate));
    this.fanout.setEnv('SEND_RATE_SHARE', String(props.sendRateShare ?? 1));
    // One link per invocation, at most two at once: contract/queues.ts.
    this.fanout.lambda.addEventSource(eventSourceFor('fanout', props.fanoutQueue));

    this.scheduler = new MailroomFunction(this, 'Scheduler', {
      contract: 'scheduler',
      description:
        'Mailroom tick: starts due scheduled campaigns, restarts stalled fan-out chains, recounts quiet campaigns',
      logRemovalPolicy: props.logRemovalPolicy,
    });
    this.scheduler
      // BatchGetItem: the counter shards a recount reads (campaign-parts.ts).
      .bindTable('CAMPAIGNS_TABLE', props.campaigns, ['dynamodb:UpdateItem', 'dynamodb:BatchGetItem'], {
        [CAMPAIGNS_BY_STATUS]: ['dynamodb:Query'],
      })
      // Recounts a quiet campaign's counters from its recipient records.
      .bindTable('RECIPIENTS_TABLE', props.recipients, ['dynamodb:Query'])
      .bindQueue('FANOUT_QUEUE_URL', props.fanoutQueue, ['sqs:SendMessage']);
    // A failed tick is not retried: the next one comes within a minute and does the same work.
    this.scheduler.lambda.configureAsyncInvoke({ retryAttempts: 0 });

    this.tick = new events.Rule(this, 'Tick', {
      description: 'Mailroom: starts scheduled campaigns and restarts stalled fan-outs, every minute',
      schedule: events.Schedule.rate(Duration.minutes(1)),
      targets: [new targets.LambdaFunction(this.scheduler.lambda, { retryAttempts: 0 })],
    });
  }
}
