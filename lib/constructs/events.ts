import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { configurationSetNameFor, STREAMS } from './identity';

/**
 * The SNS topic both configuration sets publish their SES events to (sends, deliveries, bounces,
 * complaints, ...). A consumer (the events function behind an SQS queue) subscribes to
 * {@link SesEvents.topic}.
 *
 * The topic is encrypted with a customer-managed key because SES cannot publish to a topic
 * encrypted with the AWS-managed `alias/aws/sns` key: its policy cannot be changed to let SES
 * use it.
 */
export class SesEvents extends Construct {
  /** Where SES publishes every event of both configuration sets. */
  public readonly topic: sns.Topic;
  /** Encrypts the topic; SES may use it to publish, only on behalf of this account. */
  public readonly key: kms.Key;

  constructor(scope: Construct, id: string) {
    super(scope, id);

    this.key = new kms.Key(this, 'Key', {
      description: 'Encrypts the Mailroom SES events topic',
      enableKeyRotation: true,
      // The key only protects messages in flight through SNS: once the topic is gone nothing is
      // left to decrypt, and a kept key would go on costing money.
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    const stack = Stack.of(this);
    // Named, so the key policy can name the topic's ARN without a reference cycle (the topic
    // refers to the key).
    const topicName = `${stack.stackName}-ses-events`;
    const topicArn = stack.formatArn({ service: 'sns', resource: topicName });
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowSesToPublishToTheEncryptedTopic',
        principals: [new iam.ServicePrincipal('ses.amazonaws.com')],
        actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        resources: ['*'],
        // The condition form of AWS's examples for services publishing to an encrypted topic
        // (https://docs.aws.amazon.com/sms-voice/latest/userguide/configuration-sets-sns-creating-role.html,
        // https://docs.aws.amazon.com/gamelift/latest/flexmatchguide/queue-notification-sns-sse.html),
        // with the SourceArn SES presents: its configuration set's ARN, as aws-cdk-lib's own SES
        // event destination writes into the topic policy (aws-ses/lib/configuration-set-event-destination):
        // only this account's SES (no confused deputy), only for this stack's two configuration
        // sets, and only to encrypt for this one topic.
        conditions: {
          StringEquals: {
            'aws:SourceAccount': stack.account,
            'kms:EncryptionContext:aws:sns:topicArn': topicArn,
          },
          ArnLike: {
            'aws:SourceArn': STREAMS.map((stream) =>
              stack.formatArn({
                service: 'ses',
                resource: 'configuration-set',
                resourceName: configurationSetNameFor(stack.stackName, stream),
              }),
            ),
          },
        },
      }),
    );

    this.topic = new sns.Topic(this, 'Topic', {
      topicName,
      displayName: 'Mailroom SES events',
      masterKey: this.key,
      enforceSSL: true,
    });
  }
}
