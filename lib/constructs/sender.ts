import { type RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledgeWildcardResource } from '../nag';
import type { SendingIdentity } from './identity';
import { MailroomFunction } from './mailroom-function';
import { eventSourceFor } from './queues';

/** Properties of {@link Sender}. */
export interface SenderProps {
  /** The messages table: read the message, claim it, record the outcome. */
  readonly messages: dynamodb.ITable;
  /** Campaigns: read (cached for seconds) for pause and cancel, counters and the quota flag updated. */
  readonly campaigns: dynamodb.ITable;
  /** Campaign recipients: each claimed, then marked sent, failed, suppressed or cancelled. */
  readonly recipients: dynamodb.ITable;
  /** Each sender container reports its rate here; the shared send schedule lives here too. */
  readonly rateLedger: dynamodb.ITable;
  /** The reputation guard, looked at every few seconds by bulk senders. */
  readonly deliverability: dynamodb.ITable;
  /** The transactional queue it consumes and re-queues throttled messages to. */
  readonly transactionalQueue: sqs.IQueue;
  /** The bulk queue it consumes (a second event source) and re-queues deferred messages to. */
  readonly bulkQueue: sqs.IQueue;
  /** Signs the unsubscribe links of bulk mail. */
  readonly unsubscribeSecret: secretsmanager.ISecret;
  /** The API's public URL, where unsubscribe links point. */
  readonly publicBaseUrl: string;
  /** The SES identity and the configuration sets (one per stream) it sends through. */
  readonly identity: SendingIdentity;
  /** The verified sending domain; `ses:SendEmail` is allowed only with a From address there. */
  readonly sendingDomain: string;
  /** Maximum concurrency of the transactional event source (C in DESIGN.md). */
  readonly concurrency: number;
  /** Maximum concurrency of the bulk event source. */
  readonly bulkConcurrency: number;
  /**
   * Concurrency reserved for the sender, at least `concurrency + bulkConcurrency`. Lambda refuses a
   * reservation that leaves fewer than 100 of the account's executions unreserved, so on a new
   * account (quota 10 or 50) the create fails unless this is off or the quota is raised.
   * @default - none: the event sources' maximum concurrency is the only cap
   */
  readonly reservedConcurrency?: number;
  /**
   * This stack's fraction of the account's MaxSendRate, shared with the other Mailroom stacks in
   * the account and region.
   * @default 1
   */
  readonly sendRateShare?: number;
  /**
   * Send-rate ceiling in emails per second, below the account's MaxSendRate.
   * @default - the account's MaxSendRate from SES GetAccount
   */
  readonly maxSendRate?: number;
  /**
   * What happens to the function's log group when the stack is deleted.
   * @default RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE
   */
  readonly logRemovalPolicy?: RemovalPolicy;
}

/**
 * The only function that calls SES to send: SQS → paced SendEmail, for both streams. Each event
 * source has a maximum concurrency (transactional C, bulk B) and the function reserves C + B, so
 * nothing else in the account can starve it and the poller never pulls batches it cannot run
 * (reserved concurrency alone lets the poller over-pull, and throttled batches drift toward the
 * DLQ). A campaign can never take the transactional stream's C.
 */
export class Sender extends Construct {
  /** The sender function. */
  readonly function: MailroomFunction;

  constructor(scope: Construct, id: string, props: SenderProps) {
    super(scope, id);

    const fn = new MailroomFunction(this, 'Function', {
      contract: 'sender',
      description: 'Mailroom sender: SQS to SES SendEmail, paced to the account send rate',
      reservedConcurrentExecutions: props.reservedConcurrency,
      logRemovalPolicy: props.logRemovalPolicy,
    });
    this.function = fn;
    const anyIdentity = Stack.of(this).formatArn({ service: 'ses', resource: 'identity', resourceName: '*' });

    fn.bindTable('MESSAGES_TABLE', props.messages, ['dynamodb:GetItem', 'dynamodb:UpdateItem'])
      // UpdateItem: counter shards; BatchGetItem: a campaign read whole (content and shards).
      .bindTable('CAMPAIGNS_TABLE', props.campaigns, [
        'dynamodb:GetItem',
        'dynamodb:UpdateItem',
        'dynamodb:BatchGetItem',
      ])
      .bindTable('RECIPIENTS_TABLE', props.recipients, ['dynamodb:GetItem', 'dynamodb:UpdateItem'])
      // Its own rate (PutItem) and the shared send schedule (UpdateItem, GetItem) live there.
      .bindTable('RATE_LEDGER_TABLE', props.rateLedger, [
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'dynamodb:GetItem',
      ])
      .bindTable('DELIVERABILITY_TABLE', props.deliverability, ['dynamodb:GetItem'])
      // SendMessage too: a throttled message goes back to the queue with a delay.
      .bindQueue('TRANSACTIONAL_QUEUE_URL', props.transactionalQueue, ['sqs:SendMessage'])
      .bindQueue('BULK_QUEUE_URL', props.bulkQueue, ['sqs:SendMessage'])
      // A batch's stream is told by the records' eventSourceARN.
      .setQueueArn('BULK_QUEUE_ARN', props.bulkQueue)
      .bindSecret('UNSUBSCRIBE_SECRET_ARN', props.unsubscribeSecret)
      .setEnv('PUBLIC_BASE_URL', props.publicBaseUrl)
      .setEnv('TRANSACTIONAL_CONFIGURATION_SET', props.identity.configurationSetNames.transactional)
      .setEnv('BULK_CONFIGURATION_SET', props.identity.configurationSetNames.bulk)
      .addToPolicy(
        new iam.PolicyStatement({
          actions: ['ses:SendEmail'],
          // SES authorizes every send against the From identity and the configuration set it
          // names. No template ARNs: Mailroom renders its own templates and sends them as Simple
          // content. The API accepts any From at the sending domain, so the condition does too.
          // In the sandbox SES also authorizes the send against each verified recipient's identity
          // ("is not authorized to perform `ses:SendEmail' on resource
          // `arn:aws:ses:…:identity/<recipient>`": aws/aws-sdk-js#3641, GSA/data.gov#3810), so a
          // policy naming only the sending domain denies every first test mail. Hence every
          // identity of this account and region, still only with a From at the sending domain.
          resources: [
            props.identity.identityArn,
            anyIdentity,
            props.identity.configurationSetArns.transactional,
            props.identity.configurationSetArns.bulk,
          ],
          conditions: { StringLike: { 'ses:FromAddress': `*@${props.sendingDomain}` } },
        }),
      )
      .allowAccountLevel(
        ['ses:GetAccount'],
        'ses:GetAccount reads the account-wide send quota and has no resource-level permissions; ' +
          'SES accepts only Resource "*" for it.',
      );
    acknowledgeWildcardResource(
      fn.role,
      anyIdentity,
      'In the SES sandbox, ses:SendEmail is authorized against the verified recipient identity as ' +
        'well as the sender (aws/aws-sdk-js#3641): every identity of this account and region, and ' +
        'only with a From address at the sending domain (the ses:FromAddress condition).',
    );
    if (props.maxSendRate !== undefined) fn.setEnv('MAX_SEND_RATE', String(props.maxSendRate));
    fn.setEnv('SEND_RATE_SHARE', String(props.sendRateShare ?? 1));

    // Batch size, partial batch responses and which setting caps each one: contract/queues.ts.
    const concurrency = {
      senderConcurrency: props.concurrency,
      bulkSenderConcurrency: props.bulkConcurrency,
    };
    fn.lambda.addEventSource(eventSourceFor('transactional', props.transactionalQueue, concurrency));
    fn.lambda.addEventSource(eventSourceFor('bulk', props.bulkQueue, concurrency));
  }
}
