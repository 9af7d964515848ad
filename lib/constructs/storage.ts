import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';

/** The campaigns table's index by `status`: due, stalled and guard-paused campaigns without a scan. */
export const CAMPAIGNS_BY_STATUS = 'byStatus';
/** The suppressions table's index by `reason` (sorted by `email`): the filtered, paged listing. */
export const SUPPRESSIONS_BY_REASON = 'byReason';

/** Properties of {@link Storage}. */
export interface StorageProps {
  /**
   * Keep the tables (and their data) when the stack is deleted or a change replaces them; a
   * create that rolls back removes them all the same.
   * @default true
   */
  readonly retainData?: boolean;
}

/** How one table is keyed. Every key attribute is a string. */
interface TableShape {
  readonly partitionKey: string;
  readonly sortKey?: string;
  /** Epoch-seconds attribute DynamoDB TTL deletes items by. */
  readonly timeToLiveAttribute?: string;
  /** Global secondary indexes, each projecting every attribute. */
  readonly indexes?: ReadonlyArray<{ name: string; partitionKey: string; sortKey?: string }>;
}

const STRING = dynamodb.AttributeType.STRING;

/**
 * The DynamoDB tables. All are on-demand (mail volume is bursty: a campaign, then quiet), with
 * point-in-time recovery and AWS-managed encryption (so no function needs a KMS grant to use them).
 */
export class Storage extends Construct {
  /** One item per message: status, timestamps, SES message id, event history. */
  readonly messages: dynamodb.Table;
  /** Stored templates by name. */
  readonly templates: dynamodb.Table;
  /** Addresses that must not be mailed, with the reason; index {@link SUPPRESSIONS_BY_REASON}. */
  readonly suppressions: dynamodb.Table;
  /** `Idempotency-Key` records; DynamoDB TTL drops them after their window (`expiresAt`, epoch seconds). */
  readonly idempotency: dynamodb.Table;
  /** Campaigns: content, status, counters, fan-out cursor; index {@link CAMPAIGNS_BY_STATUS}. */
  readonly campaigns: dynamodb.Table;
  /** One item per (campaign, normalized address): the recipient's data and delivery state. */
  readonly recipients: dynamodb.Table;
  /** The send rate each sender container reports per stream; stale reports expire (`expiresAt`). */
  readonly rateLedger: dynamodb.Table;
  /** Soft-bounce histories, hourly bulk reputation buckets and the reputation guard (`expiresAt`). */
  readonly deliverability: dynamodb.Table;

  constructor(scope: Construct, id: string, props: StorageProps = {}) {
    super(scope, id);
    const retainData = props.retainData ?? true;

    const table = (tableId: string, shape: TableShape): dynamodb.Table => {
      const created = new dynamodb.Table(this, tableId, {
        partitionKey: { name: shape.partitionKey, type: STRING },
        sortKey: shape.sortKey === undefined ? undefined : { name: shape.sortKey, type: STRING },
        billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        encryption: dynamodb.TableEncryption.AWS_MANAGED,
        timeToLiveAttribute: shape.timeToLiveAttribute,
        // Kept when the stack is deleted or a change replaces the table, but not when the create
        // itself rolls back: a failed first deploy must not leave billed tables behind, piling up
        // with each retry (CloudFormation's RetainExceptOnCreate). No deletion protection for the
        // same reason: DeleteTable refuses a protected table (ResourceInUseException), so a
        // rolled-back create could not remove it either.
        removalPolicy: retainData ? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE : RemovalPolicy.DESTROY,
      });
      for (const index of shape.indexes ?? []) {
        created.addGlobalSecondaryIndex({
          indexName: index.name,
          partitionKey: { name: index.partitionKey, type: STRING },
          sortKey: index.sortKey === undefined ? undefined : { name: index.sortKey, type: STRING },
          projectionType: dynamodb.ProjectionType.ALL,
        });
      }
      return created;
    };

    this.messages = table('Messages', { partitionKey: 'id' });
    this.templates = table('Templates', { partitionKey: 'name' });
    this.suppressions = table('Suppressions', {
      partitionKey: 'email',
      indexes: [{ name: SUPPRESSIONS_BY_REASON, partitionKey: 'reason', sortKey: 'email' }],
    });
    this.idempotency = table('Idempotency', { partitionKey: 'key', timeToLiveAttribute: 'expiresAt' });
    this.campaigns = table('Campaigns', {
      partitionKey: 'id',
      indexes: [{ name: CAMPAIGNS_BY_STATUS, partitionKey: 'status' }],
    });
    this.recipients = table('Recipients', { partitionKey: 'campaignId', sortKey: 'email' });
    this.rateLedger = table('RateLedger', {
      partitionKey: 'stream',
      sortKey: 'worker',
      timeToLiveAttribute: 'expiresAt',
    });
    this.deliverability = table('Deliverability', { partitionKey: 'pk', timeToLiveAttribute: 'expiresAt' });
  }
}
