import * as path from 'node:path';
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { FUNCTIONS, type FunctionName, VARIABLES, type VariableName } from '../../contract/functions';
import { metricsNamespaceOf, serviceNameOf } from '../../contract/metrics';

/** The repository root: entries are given relative to it so synth works from any working directory. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/**
 * The newest Node.js runtime aws-cdk-lib offers. Pinned rather than NODEJS_LATEST so an
 * aws-cdk-lib upgrade cannot move production to a new runtime without a visible diff.
 */
export const NODE_RUNTIME = lambda.Runtime.NODEJS_24_X;

/**
 * How every function is bundled (esbuild, as NodejsFunction runs it), as esbuild options, so the
 * bench (bench/scenarios/bundles.ts) and the bundle tests build exactly what synth builds.
 * Minified, names kept (minified class names would turn `TooManyRequestsException` into `e` in
 * logs), source maps without a copy of the sources (stack traces need the mappings only).
 *
 * `external`: what the bundles leave out because the Lambda Node.js runtime carries it, the AWS SDK
 * v3 and the Smithy packages it is built on (included since Node.js 18, "Runtime-included SDK
 * versions", docs.aws.amazon.com/lambda/latest/dg/lambda-nodejs.html; aws-cdk-lib's own default
 * without `bundleAwsSDK` is the same list, behind its LAMBDA_NODEJS_SDK_V3_EXCLUDE_SMITHY_PACKAGES
 * flag). The trade-off, measured by `npm run bench` (e): with the SDK inside, the SDK is 600–800 KB
 * of every bundle and none can get under 500 KB; left to the runtime, every bundle is well under.
 * Against it, AWS's own guidance: Lambda's best practices recommend packaging every dependency,
 * because Lambda updates the runtime's libraries and "these updates may introduce subtle changes
 * to the behavior of your Lambda function" (docs.aws.amazon.com/lambda/latest/dg/best-practices.html,
 * "Control the dependencies in your function's deployment package"), and the SDK team measured a
 * bundled SDK starting faster than the runtime's, which Node loads file by file (aws/aws-cdk#25492).
 * So the tests run against the SDK of package-lock.json while Lambda runs its own (a newer or older
 * 3.x); test/infra/bundles.test.ts pins which SDK clients each function imports, and every handler
 * is loaded from its bundle with the SDK resolved from outside it, as in Lambda.
 */
export const BUNDLING = {
  platform: 'node',
  format: 'cjs',
  target: 'node24',
  minify: true,
  keepNames: true,
  sourcemap: true,
  sourcesContent: false,
  external: ['@aws-sdk/*', '@smithy/*'] as readonly string[],
} as const;

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

/** DynamoDB actions a function may be granted on one global secondary index of a table. */
export type IndexAction = 'dynamodb:Query' | 'dynamodb:Scan';

/** SQS actions a function may be granted on a queue it produces to (consumers get theirs from the event source). */
export type QueueAction = 'sqs:SendMessage' | 'sqs:GetQueueAttributes';

/** Properties of a {@link MailroomFunction}. */
export interface MailroomFunctionProps {
  /**
   * Which function of the deployment contract (contract/functions.ts) this is: its handler module
   * and the environment variables it must be given, checked at synth.
   */
  readonly contract: FunctionName;
  /**
   * Exported handler name.
   * @default 'handler'
   */
  readonly handler?: string;
  /** What the function does, shown in the Lambda console. */
  readonly description: string;
  /**
   * Memory in MB; on Lambda, CPU scales with it.
   * @default 512
   */
  readonly memorySize?: number;
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
   * @default RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE
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
  /** Which function of the deployment contract this is. */
  readonly contract: FunctionName;
  /** The handler module, relative to the repository root. */
  readonly entry: string;
  /** The contract's variables set so far, each by the call that also granted what it names. */
  private readonly variables = new Set<VariableName>();

  constructor(scope: Construct, id: string, props: MailroomFunctionProps) {
    super(scope, id);
    this.contract = props.contract;
    this.entry = FUNCTIONS[props.contract].entry;
    this.node.addValidation({ validate: () => this.environmentProblems() });

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });

    // An explicit role instead of the default one: the default attaches the AWS managed
    // AWSLambdaBasicExecutionRole, which may write to any log group in the account.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${props.description}`,
    });
    this.logGroup.grantWrite(this.role);

    this.lambda = new nodejs.NodejsFunction(this, 'Function', {
      entry: path.join(REPO_ROOT, this.entry),
      handler: props.handler ?? 'handler',
      description: props.description,
      projectRoot: REPO_ROOT,
      depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
      runtime: NODE_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: Duration.seconds(FUNCTIONS[props.contract].timeoutSeconds),
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      tracing: lambda.Tracing.ACTIVE,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: serviceNameOf(props.contract),
        POWERTOOLS_METRICS_NAMESPACE: metricsNamespaceOf(Stack.of(this).stackName),
      },
      bundling: {
        format: nodejs.OutputFormat.CJS,
        target: BUNDLING.target,
        minify: BUNDLING.minify,
        keepNames: BUNDLING.keepNames,
        sourceMap: BUNDLING.sourcemap,
        sourcesContent: BUNDLING.sourcesContent,
        externalModules: [...BUNDLING.external],
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
  setEnv(name: VariableName, value: string): this {
    return this.setVariable(name, value);
  }

  /**
   * The one place a contract variable is set: the others name their value's source (a table, a
   * queue, a topic, a secret), this one records that it was set.
   */
  private setVariable(name: VariableName, value: string): this {
    this.lambda.addEnvironment(name, value);
    this.variables.add(name);
    return this;
  }

  /**
   * What synth refuses: a variable the contract does not give this function, a required one left
   * unset, or one that only local mode may set. So a handler and its stack cannot disagree.
   */
  private environmentProblems(): string[] {
    const expected: readonly VariableName[] = FUNCTIONS[this.contract].environment;
    const problems = [...this.variables]
      .filter((name) => !expected.includes(name))
      .map((name) => `${name} is set but the ${this.contract} function's contract does not list it`);
    for (const name of expected) {
      const source = VARIABLES[name];
      if ('localOnly' in source && this.variables.has(name))
        problems.push(`${name} is for local mode only and must not be set in AWS`);
      if (!('optional' in source && source.optional) && !this.variables.has(name))
        problems.push(`${name} is required by the ${this.contract} function's contract but is not set`);
    }
    return problems;
  }

  /**
   * Passes a table's name in `envVar` and grants exactly `actions` on it, and `indexes[name]` on
   * the index of that name. Named indexes instead of `table.grant`'s `index/*`: a function that
   * queries one index gets that index, and no wildcard resource needs an acknowledgement. The
   * tables use AWS-managed encryption, so no key grant is needed.
   */
  bindTable(
    envVar: VariableName,
    table: dynamodb.ITable,
    actions: readonly TableAction[],
    indexes: Readonly<Record<string, readonly IndexAction[]>> = {},
  ): this {
    this.setVariable(envVar, table.tableName);
    if (actions.length > 0) {
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: [...actions], resources: [table.tableArn] }),
      );
    }
    for (const [indexName, indexActions] of Object.entries(indexes)) {
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: [...indexActions],
          resources: [`${table.tableArn}/index/${indexName}`],
        }),
      );
    }
    return this;
  }

  /**
   * Passes a queue's URL in `envVar` and grants exactly `actions` on it. Consuming is granted by
   * the SQS event source, not here.
   */
  bindQueue(envVar: VariableName, queue: sqs.IQueue, actions: readonly QueueAction[]): this {
    this.setVariable(envVar, queue.queueUrl);
    if (actions.length > 0) queue.grant(this.lambda, ...actions);
    return this;
  }

  /**
   * Passes a queue's ARN in `envVar`, for a function that tells its event sources apart by the
   * record's `eventSourceARN`. Grants nothing: consuming is granted by the event source.
   */
  setQueueArn(envVar: VariableName, queue: sqs.IQueue): this {
    this.setVariable(envVar, queue.queueArn);
    return this;
  }

  /** Passes a secret's ARN in `envVar` and grants reading its value (and nothing else about it). */
  bindSecret(envVar: VariableName, secret: secretsmanager.ISecret): this {
    this.setVariable(envVar, secret.secretArn);
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secret.secretArn] }),
    );
    secret.encryptionKey?.grantDecrypt(this.role);
    return this;
  }

  /**
   * Passes a topic's ARN in `envVar` and grants publishing to it (`sns:Publish` covers
   * PublishBatch too). `key` is the topic's customer-managed key, if it has one: publishers to such
   * a topic need `kms:GenerateDataKey*` and `kms:Decrypt` on it, as AWS documents; the resulting
   * AwsSolutions-IAM5 finding on the action wildcard is acknowledged with that reason. A topic
   * encrypted with the AWS-managed `alias/aws/sns` key needs no key grant: that key's policy lets
   * every principal of the account use it through SNS.
   */
  bindTopic(envVar: VariableName, topic: sns.ITopic, key?: kms.IKey): this {
    this.setVariable(envVar, topic.topicArn);
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [topic.topicArn] }),
    );
    if (key !== undefined) {
      key.grant(this.role, 'kms:Decrypt', 'kms:GenerateDataKey*');
      Validations.of(this.role).acknowledge({
        id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
        reason:
          'Publishing to a topic encrypted with a customer-managed key needs kms:GenerateDataKey* and ' +
          'kms:Decrypt on that key, as the SNS documentation gives them; the statement names the one key.',
      });
    }
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
