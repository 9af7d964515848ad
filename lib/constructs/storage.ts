import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { TABLES, type TableContract, type TableName } from '../../contract/tables';

/** Properties of {@link Storage}. */
export interface StorageProps {
  /**
   * Keep the tables (and their data) when the stack is deleted or a change replaces them; a
   * create that rolls back removes them all the same.
   * @default true
   */
  readonly retainData?: boolean;
}

const STRING = dynamodb.AttributeType.STRING;

/**
 * The DynamoDB tables, one per entry of the contract's TABLES (contract/tables.ts: keys, indexes,
 * TTL), under the construct id of its name (`rateLedger` → `RateLedger`). All are on-demand (mail
 * volume is bursty: a campaign, then quiet), with point-in-time recovery and AWS-managed
 * encryption (so no function needs a KMS grant to use them).
 */
export class Storage extends Construct {
  /** One item per message: status, timestamps, SES message id, event history. */
  readonly messages: dynamodb.Table;
  /** Stored templates by name. */
  readonly templates: dynamodb.Table;
  /** Addresses that must not be mailed, with the reason; index `byReason` (SUPPRESSIONS_BY_REASON). */
  readonly suppressions: dynamodb.Table;
  /** `Idempotency-Key` records; DynamoDB TTL drops them after their window (`expiresAt`, epoch seconds). */
  readonly idempotency: dynamodb.Table;
  /** Campaigns (status, fan-out cursor) and their parts (content, counter shards); index CAMPAIGNS_BY_STATUS. */
  readonly campaigns: dynamodb.Table;
  /** One item per (campaign, normalized address): the recipient's data and delivery state. */
  readonly recipients: dynamodb.Table;
  /** The send rate each sender container reports per stream; stale reports expire (`expiresAt`). */
  readonly rateLedger: dynamodb.Table;
  /** Soft-bounce histories, hourly bulk reputation buckets and the reputation guard (`expiresAt`). */
  readonly deliverability: dynamodb.Table;
  /** Webhooks (one registry item) and their delivery attempts (`expiresAt`, 7 days). */
  readonly webhooks: dynamodb.Table;
  /** Every table by its contract name. */
  readonly tables: Readonly<Record<TableName, dynamodb.Table>>;

  constructor(scope: Construct, id: string, props: StorageProps = {}) {
    super(scope, id);
    const retainData = props.retainData ?? true;

    const table = (name: TableName): dynamodb.Table => {
      const shape: TableContract = TABLES[name];
      const tableId = `${name.charAt(0).toUpperCase()}${name.slice(1)}`;
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
          ...(index.projects === undefined
            ? { projectionType: dynamodb.ProjectionType.ALL }
            : { projectionType: dynamodb.ProjectionType.INCLUDE, nonKeyAttributes: [...index.projects] }),
        });
      }
      return created;
    };

    const tables = Object.fromEntries(
      (Object.keys(TABLES) as TableName[]).map((name) => [name, table(name)]),
    ) as Record<TableName, dynamodb.Table>;
    this.tables = tables;
    this.messages = tables.messages;
    this.templates = tables.templates;
    this.suppressions = tables.suppressions;
    this.idempotency = tables.idempotency;
    this.campaigns = tables.campaigns;
    this.recipients = tables.recipients;
    this.rateLedger = tables.rateLedger;
    this.deliverability = tables.deliverability;
    this.webhooks = tables.webhooks;
  }
}
