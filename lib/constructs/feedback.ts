import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DEFAULT_EVENTS_CONCURRENCY } from '../../contract/queues';
import { CAMPAIGNS_BY_STATUS } from '../../contract/tables';
import { MailroomFunction } from './mailroom-function';
import { eventSourceFor } from './queues';

/** When bulk sending pauses by itself (fractions of the last 24 hours of bulk mail). */
export interface ReputationGuardThresholds {
  /** Bounce rate that trips the guard, e.g. 0.04. */
  readonly bounceRate: number;
  /** Complaint rate that trips the guard, e.g. 0.0008. */
  readonly complaintRate: number;
  /** Bulk mails sent in the window before a rate counts at all. */
  readonly minimumSample: number;
}

/** When soft bounces suppress an address. */
export interface TransientBouncePolicy {
  /** Soft bounces within the window that suppress the address. */
  readonly limit: number;
  /** The window, in days. */
  readonly windowDays: number;
}

/** Properties of {@link Feedback}. */
export interface FeedbackProps {
  /** Messages: each event is added to the message's history. */
  readonly messages: dynamodb.ITable;
  /** Campaign recipients: each event is recorded on the recipient it is about. */
  readonly recipients: dynamodb.ITable;
  /** Campaigns: event counters, and the campaigns the guard pauses. */
  readonly campaigns: dynamodb.ITable;
  /** Where bounces, complaints and repeated soft bounces are suppressed. */
  readonly suppressions: dynamodb.ITable;
  /** Soft-bounce histories, reputation buckets and the guard itself. */
  readonly deliverability: dynamodb.ITable;
  /** The queue the SES events topic delivers to. */
  readonly eventsQueue: sqs.IQueue;
  /** Batches of SES events at once (the config's eventsConcurrency). @default DEFAULT_EVENTS_CONCURRENCY */
  readonly concurrency?: number;
  readonly reputationGuard: ReputationGuardThresholds;
  readonly transientBounces: TransientBouncePolicy;
  /**
   * Keep the unsubscribe secret when the stack is deleted. Unsubscribe links in mail already sent
   * are signed with it, so it is data like the tables.
   * @default true
   */
  readonly retainData?: boolean;
  /**
   * What happens to the function's log group when the stack is deleted.
   * @default RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE
   */
  readonly logRemovalPolicy?: RemovalPolicy;
}

/**
 * What happens after SES accepts a mail: the events function (SES events topic → events queue →
 * suppression list, message and recipient history, campaign counters, reputation guard), the
 * topic product backends subscribe to, and the key that signs one-click unsubscribe links.
 */
export class Feedback extends Construct {
  /** The events function. */
  readonly function: MailroomFunction;
  /**
   * Normalized events (suppressed, bounced, complained, unsubscribed, delivered) for product
   * backends; each message has a `type` attribute to filter on.
   */
  readonly productEvents: sns.Topic;
  /** Encrypts {@link Feedback.productEvents}; its publishers are granted its use. */
  readonly productEventsKey: kms.Key;
  /** Signs and verifies the tokens in unsubscribe links. */
  readonly unsubscribeSecret: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: FeedbackProps) {
    super(scope, id);
    const retainData = props.retainData ?? true;

    this.unsubscribeSecret = new secretsmanager.Secret(this, 'UnsubscribeSecret', {
      description: 'Mailroom: HMAC key of the one-click unsubscribe links in bulk mail',
      // 64 letters and digits (~380 bits); the functions refuse fewer than 32 characters.
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      removalPolicy: retainData ? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE : RemovalPolicy.DESTROY,
    });
    Validations.of(this.unsubscribeSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        "Rotating this key would break every unsubscribe link already in recipients' inboxes (each " +
        'is signed with it, and a link must keep working for as long as the mail is read). Rotation ' +
        'needs the functions to verify against the previous key as well; that dual-key scheme is ' +
        'future work.',
    });

    // A key of its own rather than the AWS-managed alias/aws/sns: AWS creates its managed keys on
    // a service's first use, so in a brand-new account that alias may not resolve to a key yet
    // (nozaq/terraform-aws-secure-baseline#229), and a key of the stack's own also scopes who may
    // publish to exactly the functions granted below. Subscribers need no key access: SNS
    // decrypts before it delivers.
    this.productEventsKey = new kms.Key(this, 'ProductEventsKey', {
      description: 'Encrypts the Mailroom product events topic',
      enableKeyRotation: true,
      // Protects messages in flight only: nothing is left to decrypt once the topic is gone.
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    this.productEvents = new sns.Topic(this, 'ProductEvents', {
      displayName: 'Mailroom product events',
      masterKey: this.productEventsKey,
      enforceSSL: true,
    });

    const fn = new MailroomFunction(this, 'Function', {
      contract: 'events',
      description:
        'Mailroom events: SES events to suppressions, message history, campaign counters and the guard',
      logRemovalPolicy: props.logRemovalPolicy,
    });
    this.function = fn;
    const { reputationGuard: guard, transientBounces } = props;
    fn.bindTable('MESSAGES_TABLE', props.messages, ['dynamodb:UpdateItem'])
      .bindTable('RECIPIENTS_TABLE', props.recipients, ['dynamodb:UpdateItem'])
      // Counters (added to shards); the guard pauses campaigns it finds through the status index,
      // read with their counter shards (BatchGetItem).
      .bindTable('CAMPAIGNS_TABLE', props.campaigns, ['dynamodb:UpdateItem', 'dynamodb:BatchGetItem'], {
        [CAMPAIGNS_BY_STATUS]: ['dynamodb:Query'],
      })
      // A conditional put: a bounce outranks an unsubscribe, nothing outranks a bounce.
      .bindTable('SUPPRESSIONS_TABLE', props.suppressions, ['dynamodb:PutItem'])
      .bindTable('DELIVERABILITY_TABLE', props.deliverability, [
        'dynamodb:UpdateItem',
        'dynamodb:BatchGetItem',
        'dynamodb:PutItem',
      ])
      .bindTopic('PRODUCT_EVENTS_TOPIC_ARN', this.productEvents, this.productEventsKey)
      .setEnv('BOUNCE_RATE_THRESHOLD', String(guard.bounceRate))
      .setEnv('COMPLAINT_RATE_THRESHOLD', String(guard.complaintRate))
      .setEnv('GUARD_MINIMUM_SAMPLE', String(guard.minimumSample))
      .setEnv('TRANSIENT_BOUNCE_LIMIT', String(transientBounces.limit))
      .setEnv('TRANSIENT_BOUNCE_WINDOW_DAYS', String(transientBounces.windowDays));

    // Batches of ten, an unparseable event failing alone, eventsConcurrency at once: contract/queues.ts.
    fn.lambda.addEventSource(
      eventSourceFor('events', props.eventsQueue, {
        eventsConcurrency: props.concurrency ?? DEFAULT_EVENTS_CONCURRENCY,
      }),
    );
  }

  /**
   * Lets the events function tell ops when the reputation guard pauses bulk sending, on the
   * alarm topic (encrypted with `key`), besides the ReputationGuardTripped alarm.
   */
  notifyOps(topic: sns.ITopic, key: kms.IKey): void {
    this.function.bindTopic('OPS_TOPIC_ARN', topic, key);
  }
}
