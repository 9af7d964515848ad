import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

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
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowSesToPublishToTheEncryptedTopic',
        principals: [new iam.ServicePrincipal('ses.amazonaws.com')],
        actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        resources: ['*'],
        // SES acting for another account (a confused deputy) gets nothing.
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );

    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'Mailroom SES events',
      masterKey: this.key,
      enforceSSL: true,
    });
  }
}
