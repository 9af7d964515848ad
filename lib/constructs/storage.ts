import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';

/** Properties of {@link Storage}. */
export interface StorageProps {
  /**
   * Keep the tables (and their data) when the stack is deleted, and refuse to delete them
   * through a replacement either.
   * @default true
   */
  readonly retainData?: boolean;
}

/**
 * The DynamoDB tables. All are on-demand (mail volume is bursty: a campaign, then quiet), with
 * point-in-time recovery and AWS-managed encryption.
 */
export class Storage extends Construct {
  /** One item per message: status, timestamps, SES message id. */
  readonly messages: dynamodb.Table;
  /** Stored templates by name. */
  readonly templates: dynamodb.Table;
  /** Addresses that must not be mailed, with the reason. */
  readonly suppressions: dynamodb.Table;
  /** `Idempotency-Key` records; DynamoDB TTL drops them after their window (`expiresAt`, epoch seconds). */
  readonly idempotency: dynamodb.Table;

  constructor(scope: Construct, id: string, props: StorageProps = {}) {
    super(scope, id);
    const retainData = props.retainData ?? true;

    const table = (tableId: string, partitionKey: string, timeToLiveAttribute?: string): dynamodb.Table =>
      new dynamodb.Table(this, tableId, {
        partitionKey: { name: partitionKey, type: dynamodb.AttributeType.STRING },
        billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        encryption: dynamodb.TableEncryption.AWS_MANAGED,
        timeToLiveAttribute,
        removalPolicy: retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
        // A key-schema change replaces a table; with data to keep, that must fail loudly instead.
        deletionProtection: retainData,
      });

    this.messages = table('Messages', 'id');
    this.templates = table('Templates', 'name');
    this.suppressions = table('Suppressions', 'email');
    this.idempotency = table('Idempotency', 'key', 'expiresAt');
  }
}
