import { CfnOutput, RemovalPolicy, Stack, type StackProps, Tags } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { type ClientConfig, defaultFromOf, stackNameOf } from './config';
import { MailroomApi } from './constructs/api';
import { SendingIdentity } from './constructs/identity';
import { Queues } from './constructs/queues';
import { Sender } from './constructs/sender';
import { Storage } from './constructs/storage';

/** Properties of {@link MailroomStack}. */
export interface MailroomStackProps extends Omit<StackProps, 'env' | 'stackName'> {
  /** The validated client config; it fixes the account, region and stack name. */
  readonly config: ClientConfig;
}

/** One client's Mailroom in one account and region. Wires one construct per concern. */
export class MailroomStack extends Stack {
  /** The tables. */
  readonly storage: Storage;
  /** The queues between API and sender. */
  readonly queues: Queues;
  /** The SES identity and configuration sets. */
  readonly identity: SendingIdentity;
  /** The function that sends through SES. */
  readonly sender: Sender;
  /** The HTTPS API. */
  readonly api: MailroomApi;

  constructor(scope: Construct, id: string, props: MailroomStackProps) {
    const { config, ...stackProps } = props;
    super(scope, id, {
      description: `Mailroom: transactional email through Amazon SES for ${config.sendingDomain}`,
      ...stackProps,
      env: { account: config.account, region: config.region },
      stackName: stackNameOf(config),
    });
    Tags.of(this).add('app', 'mailroom');
    const removalPolicy = config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.storage = new Storage(this, 'Storage', { retainData: config.retainData });
    this.queues = new Queues(this, 'Queues', { consumerTimeout: Sender.TIMEOUT });
    this.identity = new SendingIdentity(this, 'Identity', { domain: config.sendingDomain });

    this.sender = new Sender(this, 'Sender', {
      messages: this.storage.messages,
      transactionalQueue: this.queues.transactional.queue,
      identity: this.identity,
      sendingDomain: config.sendingDomain,
      concurrency: config.senderConcurrency,
      maxSendRate: config.maxSendRate,
      logRemovalPolicy: removalPolicy,
    });

    this.api = new MailroomApi(this, 'Api', {
      messages: this.storage.messages,
      templates: this.storage.templates,
      suppressions: this.storage.suppressions,
      idempotency: this.storage.idempotency,
      transactionalQueue: this.queues.transactional.queue,
      sendingDomain: config.sendingDomain,
      defaultFrom: defaultFromOf(config),
      maxSendRate: config.maxSendRate,
      logRemovalPolicy: removalPolicy,
    });

    new CfnOutput(this, 'ApiUrl', {
      description: 'Base URL of the Mailroom API (append v1/emails, v1/templates, ...)',
      value: this.api.restApi.url,
    });
    new CfnOutput(this, 'InvokePolicyArn', {
      description: 'Managed policy to attach to a product backend role so it may call the API',
      value: this.api.invokePolicy.managedPolicyArn,
    });
    this.identity.identity.dkimRecords.forEach((record, index) => {
      new CfnOutput(this, `DkimRecord${index + 1}`, {
        description: `DKIM record ${index + 1} of 3 to publish in DNS for ${config.sendingDomain}`,
        value: `${record.name} CNAME ${record.value}`,
      });
    });
  }
}
