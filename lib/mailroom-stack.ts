import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Tags } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import {
  type ClientConfig,
  defaultFromOf,
  mailFromDomainOf,
  senderReservationOf,
  signInDomainPrefixOf,
  stackNameOf,
} from './config';
import { MailroomApi } from './constructs/api';
import { Campaigns } from './constructs/campaigns';
import { MailroomConsole } from './constructs/console';
import { SesEvents } from './constructs/events';
import { Feedback } from './constructs/feedback';
import { SendingIdentity } from './constructs/identity';
import { Monitoring } from './constructs/monitoring';
import { Queues } from './constructs/queues';
import { Sender } from './constructs/sender';
import { Storage } from './constructs/storage';
import { Webhooks } from './constructs/webhooks';

/** Properties of {@link MailroomStack}. */
export interface MailroomStackProps extends Omit<StackProps, 'env' | 'stackName'> {
  /** The validated client config; it fixes the account, region and stack name. */
  readonly config: ClientConfig;
}

/** One client's Mailroom in one account and region. Wires one construct per concern. */
export class MailroomStack extends Stack {
  /** The tables. */
  readonly storage: Storage;
  /** The queues between the functions. */
  readonly queues: Queues;
  /** The topic SES publishes its events to. */
  readonly events: SesEvents;
  /** The SES identity, its DNS records and the configuration sets. */
  readonly identity: SendingIdentity;
  /** The function that sends through SES. */
  readonly sender: Sender;
  /** The HTTPS API. */
  readonly api: MailroomApi;
  /** The fan-out function and the one-minute tick. */
  readonly campaigns: Campaigns;
  /** The events function, the product events topic and the unsubscribe secret. */
  readonly feedback: Feedback;
  /** The webhooks function. */
  readonly webhooks: Webhooks;
  /** The dashboard and the alarms. */
  readonly monitoring: Monitoring;
  /** The campaign console (CloudFront, S3, Cognito), unless the config turns it off. */
  readonly console?: MailroomConsole;

  constructor(scope: Construct, id: string, props: MailroomStackProps) {
    const { config, ...stackProps } = props;
    super(scope, id, {
      description: `Mailroom: transactional email through Amazon SES for ${config.sendingDomain}`,
      ...stackProps,
      env: { account: config.account, region: config.region },
      stackName: stackNameOf(config),
      // On the stack itself (cdk.json's explicitStackTags keeps Tags.of off it): the preflight
      // finds the other Mailroom stacks of an account and region by it.
      tags: { ...stackProps.tags, app: 'mailroom' },
    });
    Tags.of(this).add('app', 'mailroom', {
      // CloudFormation does not take Tags on a dashboard in every region (cfn-lint's us-east-1
      // schema has none), and a dashboard gains nothing from a cost tag.
      excludeResourceTypes: ['AWS::CloudWatch::Dashboard'],
    });
    // Retained data survives a delete or a replacement, not a create that rolls back: a failed
    // first deploy leaves nothing billed behind to pile up with each retry.
    const removalPolicy = config.retainData
      ? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE
      : RemovalPolicy.DESTROY;

    this.storage = new Storage(this, 'Storage', { retainData: config.retainData });
    this.events = new SesEvents(this, 'SesEvents');
    this.queues = new Queues(this, 'Queues', {
      sesEventsTopic: this.events.topic,
    });
    this.identity = new SendingIdentity(this, 'Identity', {
      domain: config.sendingDomain,
      mailFromDomain: mailFromDomainOf(config),
      dmarc: config.dmarc,
      tracking: config.tracking,
      eventsTopic: this.events.topic,
      hostedZone: config.hostedZone,
      adoptExistingIdentity: config.adoptExistingIdentity,
      skipDnsRecords: config.skipDnsRecords,
    });

    const { storage, queues } = this;
    this.feedback = new Feedback(this, 'Feedback', {
      messages: storage.messages,
      recipients: storage.recipients,
      campaigns: storage.campaigns,
      suppressions: storage.suppressions,
      deliverability: storage.deliverability,
      eventsQueue: queues.events.queue,
      concurrency: config.eventsConcurrency,
      reputationGuard: config.reputationGuard,
      transientBounces: config.transientBounces,
      retainData: config.retainData,
      logRemovalPolicy: removalPolicy,
    });

    // Before the API, whose CORS answers name the console's origin; connected to it just after.
    this.console = config.console.enabled
      ? new MailroomConsole(this, 'Console', {
          signInDomainPrefix: signInDomainPrefixOf(config),
          userPoolRemovalPolicy: removalPolicy,
          logRemovalPolicy: removalPolicy,
        })
      : undefined;

    this.api = new MailroomApi(this, 'Api', {
      apiName: this.stackName,
      messages: storage.messages,
      templates: storage.templates,
      suppressions: storage.suppressions,
      idempotency: storage.idempotency,
      campaigns: storage.campaigns,
      recipients: storage.recipients,
      rateLedger: storage.rateLedger,
      deliverability: storage.deliverability,
      transactionalQueue: queues.transactional.queue,
      fanoutQueue: queues.fanout.queue,
      webhooks: storage.webhooks,
      webhooksQueue: queues.webhooks.queue,
      productEvents: this.feedback.productEvents,
      productEventsKey: this.feedback.productEventsKey,
      unsubscribeSecret: this.feedback.unsubscribeSecret,
      sendingDomain: config.sendingDomain,
      defaultFrom: defaultFromOf(config),
      defaultReplyTo: config.replyTo,
      maxSendRate: config.maxSendRate,
      sendRateShare: config.sendRateShare,
      reputationGuard: config.reputationGuard,
      consoleOrigin: this.console?.origin,
      logRemovalPolicy: removalPolicy,
    });
    this.console?.connect({
      url: this.api.publicBaseUrl,
      origin: this.api.origin,
      adminPolicy: this.api.adminPolicy,
    });

    this.sender = new Sender(this, 'Sender', {
      messages: storage.messages,
      campaigns: storage.campaigns,
      recipients: storage.recipients,
      rateLedger: storage.rateLedger,
      deliverability: storage.deliverability,
      transactionalQueue: queues.transactional.queue,
      bulkQueue: queues.bulk.queue,
      unsubscribeSecret: this.feedback.unsubscribeSecret,
      publicBaseUrl: this.api.publicBaseUrl,
      identity: this.identity,
      sendingDomain: config.sendingDomain,
      concurrency: config.senderConcurrency,
      bulkConcurrency: config.bulkSenderConcurrency,
      reservedConcurrency: senderReservationOf(config),
      maxSendRate: config.maxSendRate,
      sendRateShare: config.sendRateShare,
      logRemovalPolicy: removalPolicy,
    });

    this.campaigns = new Campaigns(this, 'Campaigns', {
      campaigns: storage.campaigns,
      recipients: storage.recipients,
      suppressions: storage.suppressions,
      rateLedger: storage.rateLedger,
      deliverability: storage.deliverability,
      fanoutQueue: queues.fanout.queue,
      bulkQueue: queues.bulk.queue,
      maxSendRate: config.maxSendRate,
      sendRateShare: config.sendRateShare,
      logRemovalPolicy: removalPolicy,
    });

    this.webhooks = new Webhooks(this, 'Webhooks', {
      webhooks: storage.webhooks,
      queue: queues.webhooks.queue,
      productEvents: this.feedback.productEvents,
      productEventsKey: this.feedback.productEventsKey,
      logRemovalPolicy: removalPolicy,
    });

    this.monitoring = new Monitoring(this, 'Monitoring', {
      dashboardName: this.stackName,
      queues: queues.all,
      functions: [
        { name: 'api', function: this.api.function.lambda },
        { name: 'sender', function: this.sender.function.lambda },
        { name: 'fanout', function: this.campaigns.fanout.lambda },
        { name: 'scheduler', function: this.campaigns.scheduler.lambda },
        { name: 'events', function: this.feedback.function.lambda },
        { name: 'webhooks', function: this.webhooks.function.lambda },
      ],
      apiStage: this.api.restApi.deploymentStage,
      configurationSetNames: this.identity.configurationSetNames,
      alarmEmails: config.alarmEmails,
      oldestMessageAlarmAge: Duration.minutes(config.oldestMessageAlarmMinutes),
      maxSendRate: config.maxSendRate,
    });
    // Built after the monitoring it publishes to: the dashboard and alarms watch the function.
    this.feedback.notifyOps(this.monitoring.alarmTopic, this.monitoring.alarmTopicKey);

    new CfnOutput(this, 'ApiUrl', {
      description: 'Base URL of the Mailroom API (append v1/emails, v1/templates, ...)',
      value: this.api.restApi.url,
    });
    new CfnOutput(this, 'SendOnlyPolicyArn', {
      description:
        "Managed policy for a product backend's role or IAM user: send transactional mail, read its " +
        'emails, read templates',
      value: this.api.sendOnlyPolicy.managedPolicyArn,
    });
    new CfnOutput(this, 'AdminPolicyArn', {
      description: 'Managed policy allowing every /v1 route of the API: for operators, consoles and the CLI',
      value: this.api.adminPolicy.managedPolicyArn,
    });
    new CfnOutput(this, 'DashboardUrl', {
      description: 'The Mailroom CloudWatch dashboard',
      value: this.monitoring.dashboardUrl,
    });
    new CfnOutput(this, 'AlarmTopicArn', {
      description: 'SNS topic the alarms publish to; subscribe more endpoints here',
      value: this.monitoring.alarmTopic.topicArn,
    });
    // The preflight of another Mailroom stack in this account and region reads it: all shares there
    // must add up to at most 1.
    new CfnOutput(this, 'SendRateShare', {
      description: "This stack's fraction of the account's SES MaxSendRate",
      value: String(config.sendRateShare),
    });
    if (config.maxSendRate !== undefined) {
      new CfnOutput(this, 'MaxSendRate', {
        description: 'The absolute send rate this stack paces to (mails per second), instead of a share',
        value: String(config.maxSendRate),
      });
    }
    new CfnOutput(this, 'SesEventsTopicArn', {
      description: 'SNS topic SES publishes every event of both configuration sets to',
      value: this.events.topic.topicArn,
    });
    new CfnOutput(this, 'ProductEventsTopicArn', {
      description:
        'SNS topic of normalized mail events (suppressed, bounced, complained, unsubscribed, ' +
        'delivered) for product backends to subscribe to; filter on the message attribute "type"',
      value: this.feedback.productEvents.topicArn,
    });
    // What `aws sqs start-message-move-task` and a look at a failed message need.
    for (const { name, deadLetterQueue } of this.queues.all) {
      const prefix = `${name.charAt(0).toUpperCase()}${name.slice(1)}DeadLetterQueue`;
      new CfnOutput(this, `${prefix}Url`, {
        description: `Dead-letter queue of the ${name} queue (read failed messages here)`,
        value: deadLetterQueue.queueUrl,
      });
      new CfnOutput(this, `${prefix}Arn`, {
        description: `Dead-letter queue of the ${name} queue (source of a redrive)`,
        value: deadLetterQueue.queueArn,
      });
    }
    // With a hosted zone the records are written into it; otherwise they are printed, one output
    // each, as "name TYPE value" to paste into any DNS provider.
    if (config.hostedZone === undefined) {
      for (const record of this.identity.dnsRecords) {
        new CfnOutput(this, record.id, {
          description: record.purpose,
          value: `${record.name} ${record.type} ${record.value}`,
        });
      }
    }
  }
}
