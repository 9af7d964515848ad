import * as path from 'node:path';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** The repository root: entries are given relative to it so synth works from any working directory. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/**
 * The newest Node.js runtime aws-cdk-lib offers. Pinned rather than NODEJS_LATEST so an
 * aws-cdk-lib upgrade cannot move production to a new runtime without a visible diff.
 */
export const NODE_RUNTIME = lambda.Runtime.NODEJS_24_X;

/** DynamoDB item actions a function may be granted on a table. */
export type TableAction =
  | 'dynamodb:GetItem'
  | 'dynamodb:BatchGetItem'
  | 'dynamodb:Query'
  | 'dynamodb:Scan'
  | 'dynamodb:PutItem'
  | 'dynamodb:UpdateItem'
  | 'dynamodb:DeleteItem'
  | 'dynamodb:BatchWriteItem'
  | 'dynamodb:ConditionCheckItem';

/** SQS actions a function may be granted on a queue it produces to (consumers get theirs from the event source). */
export type QueueAction = 'sqs:SendMessage' | 'sqs:GetQueueAttributes';

/** Properties of a {@link MailroomFunction}. */
export interface MailroomFunctionProps {
  /** Handler module, relative to the repository root, e.g. `lambdas/api/handler.ts`. */
  readonly entry: string;
  /**
   * Exported handler name.
   * @default 'handler'
   */
  readonly handler?: string;
  /** What the function does, shown in the Lambda console. */
  readonly description: string;
  /** Powertools service name (`POWERTOOLS_SERVICE_NAME`): the `service` key of every log line and metric. */
  readonly serviceName: string;
  /**
   * Memory in MB; on Lambda, CPU scales with it.
   * @default 512
   */
  readonly memorySize?: number;
  /**
   * Hard limit per invocation.
   * @default Duration.seconds(10)
   */
  readonly timeout?: Duration;
  /**
   * Concurrency reserved for (and capped at) this function.
   * @default - none: the function shares the account's unreserved pool
   */
  readonly reservedConcurrentExecutions?: number;
  /**
   * How long the function's log group keeps events.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * What happens to the log group when the stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly logRemovalPolicy?: RemovalPolicy;
}

/**
 * The house Lambda function: every Mailroom function is one of these, so runtime, architecture,
 * bundling, logging, tracing and permissions are decided once.
 *
 * - newest Node.js runtime on ARM64, bundled locally by esbuild (minified, source maps on);
 * - its own log group with a retention, JSON log format, X-Ray active tracing;
 * - its own role that starts with nothing but writing to that log group; every further
 *   permission comes from a `bind*`/`allow*` call that also sets the matching environment
 *   variable, so an environment variable never exists without its grant and vice versa.
 */
export class MailroomFunction extends Construct {
  /** The Lambda function. */
  readonly lambda: nodejs.NodejsFunction;
  /** The execution role; holds exactly the grants made through this construct. */
  readonly role: iam.Role;
  /** Where the function's logs go. */
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: MailroomFunctionProps) {
    super(scope, id);

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
    });

    // An explicit role instead of the default one: the default attaches the AWS managed
    // AWSLambdaBasicExecutionRole, which may write to any log group in the account.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${props.description}`,
    });
    this.logGroup.grantWrite(this.role);

    this.lambda = new nodejs.NodejsFunction(this, 'Function', {
      entry: path.join(REPO_ROOT, props.entry),
      handler: props.handler ?? 'handler',
      description: props.description,
      projectRoot: REPO_ROOT,
      depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
      runtime: NODE_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      tracing: lambda.Tracing.ACTIVE,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: 'Mailroom',
      },
      bundling: {
        minify: true,
        sourceMap: true,
        // Stack traces need the mappings, not a copy of the sources: keeps the bundle small.
        sourcesContent: false,
        // Minified class names would turn `TooManyRequestsException` into `e` in logs.
        keepNames: true,
        // Ship the SDK version the tests ran against instead of whatever the runtime carries.
        bundleAwsSDK: true,
        forceDockerBundling: false,
        logLevel: nodejs.LogLevel.WARNING,
      },
    });

    // Active tracing adds xray:PutTraceSegments and xray:PutTelemetryRecords to this role.
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'xray:PutTraceSegments and xray:PutTelemetryRecords (added by active tracing) have no ' +
        'resource-level permissions, so their Resource must be "*". The infra tests pin the full list ' +
        'of actions allowed on "*" so this acknowledgement cannot hide a new wildcard grant.',
    });
  }

  /** Sets an environment variable that needs no permission (a name, a limit, a flag). */
  setEnv(name: string, value: string): this {
    this.lambda.addEnvironment(name, value);
    return this;
  }

  /** Passes a table's name in `envVar` and grants exactly `actions` on it. */
  bindTable(envVar: string, table: dynamodb.ITable, actions: readonly TableAction[]): this {
    this.lambda.addEnvironment(envVar, table.tableName);
    table.grant(this.lambda, ...actions);
    return this;
  }

  /**
   * Passes a queue's URL in `envVar` and grants exactly `actions` on it. Consuming is granted by
   * the SQS event source, not here.
   */
  bindQueue(envVar: string, queue: sqs.IQueue, actions: readonly QueueAction[]): this {
    this.lambda.addEnvironment(envVar, queue.queueUrl);
    if (actions.length > 0) queue.grant(this.lambda, ...actions);
    return this;
  }

  /**
   * Grants actions that have no resource-level permissions and therefore need Resource "*".
   * The cdk-nag finding this causes is acknowledged on the role, with the reason given here.
   */
  allowAccountLevel(actions: readonly string[], reason: string): this {
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: [...actions], resources: ['*'] }));
    Validations.of(this.role).acknowledge({ id: 'AwsSolutions-IAM5[Resource::*]', reason });
    return this;
  }

  /** Adds a statement that names its resources (anything beyond tables and queues, e.g. SES). */
  addToPolicy(statement: iam.PolicyStatement): this {
    this.role.addToPrincipalPolicy(statement);
    return this;
  }
}
