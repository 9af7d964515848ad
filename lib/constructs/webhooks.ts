import type { RemovalPolicy } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { SqsSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { WEBHOOK_RETRY_SCHEDULE_SECONDS } from '../../contract/thresholds';
import { MailroomFunction } from './mailroom-function';
import { eventSourceFor } from './queues';

/** Properties of {@link Webhooks}. */
export interface WebhooksProps {
  /** The webhooks and their delivery attempts. */
  readonly webhooks: dynamodb.ITable;
  /** The webhooks queue: product events in, deliveries waiting for their next attempt. */
  readonly queue: sqs.IQueue;
  /** The product events topic: its events are what webhooks receive. */
  readonly productEvents: sns.ITopic;
  /** The product events topic's key: the function publishes `webhook_disabled` there. */
  readonly productEventsKey: kms.IKey;
  /**
   * What happens to the function's log group when the stack is deleted.
   * @default RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE
   */
  readonly logRemovalPolicy?: RemovalPolicy;
}

/**
 * Signed webhooks: the product events topic → the webhooks queue → the webhooks function, which
 * POSTs each event to the subscribed endpoints and retries failures on the queue. The function is
 * not in a VPC: Lambda then gives it internet access itself ("By default, Lambda runs your
 * functions in a secure VPC with access to AWS services and the internet",
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html, quoted in
 * awsdocs/aws-lambda-developer-guide#133), with no NAT gateway to pay for;
 * its SSRF rules (lambdas/webhooks/address-policy.ts) are what keep it off private addresses.
 * The stack never sets WEBHOOK_ALLOW_LOOPBACK (MailroomFunction refuses a localOnly variable).
 */
export class Webhooks extends Construct {
  /** The webhooks function. */
  readonly function: MailroomFunction;

  constructor(scope: Construct, id: string, props: WebhooksProps) {
    super(scope, id);
    // Raw delivery off, as for the SES events queue: the body is SNS's JSON envelope
    // ({"Type":"Notification","Message":…}); raw delivery would strip it ("any Amazon SNS metadata is
    // stripped from the published message", https://docs.aws.amazon.com/sns/latest/dg/sns-large-payload-raw-message-delivery.html),
    // and the envelope is what tells a product event from a delivery on this queue. SQS-managed SSE
    // on the queue needs no key policy for SNS, which decrypts the topic's messages before delivery.
    props.productEvents.addSubscription(new SqsSubscription(props.queue, { rawMessageDelivery: false }));

    const fn = new MailroomFunction(this, 'Function', {
      contract: 'webhooks',
      description: 'Mailroom webhooks: product events to signed HTTPS deliveries, retried for over a day',
      logRemovalPolicy: props.logRemovalPolicy,
    });
    this.function = fn;
    // The registry item (read, conditional updates) and the delivery attempts (PutItem).
    fn.bindTable('WEBHOOKS_TABLE', props.webhooks, [
      'dynamodb:GetItem',
      'dynamodb:UpdateItem',
      'dynamodb:PutItem',
    ])
      // Deliveries and their retries go back on the queue it drains.
      .bindQueue('WEBHOOKS_QUEUE_URL', props.queue, ['sqs:SendMessage'])
      .bindTopic('PRODUCT_EVENTS_TOPIC_ARN', props.productEvents, props.productEventsKey)
      .setEnv('WEBHOOK_RETRY_SCHEDULE', WEBHOOK_RETRY_SCHEDULE_SECONDS.join(','));
    fn.lambda.addEventSource(eventSourceFor('webhooks', props.queue));
  }
}
