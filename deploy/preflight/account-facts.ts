import {
  APIGatewayClient,
  GetAccountCommand as GetApiGatewayAccountCommand,
} from '@aws-sdk/client-api-gateway';
import {
  CloudFormationClient,
  paginateDescribeStacks,
  paginateListStackResources,
} from '@aws-sdk/client-cloudformation';
import { IAMClient } from '@aws-sdk/client-iam';
import {
  GetAccountSettingsCommand,
  GetFunctionConcurrencyCommand,
  LambdaClient,
} from '@aws-sdk/client-lambda';
import { GetHostedZoneCommand, ListResourceRecordSetsCommand, Route53Client } from '@aws-sdk/client-route-53';
import {
  GetConfigurationSetCommand,
  GetEmailIdentityCommand,
  GetAccountCommand as GetSesAccountCommand,
  SESv2Client,
} from '@aws-sdk/client-sesv2';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { type ClientConfig, stackNameOf } from '../../lib/config';
import {
  type AccountFacts,
  BOOTSTRAP_VERSION_PARAMETER,
  type CallerFacts,
  configurationSetNamesOf,
  deployedStackOf,
  type IdentityFacts,
  type LambdaFacts,
  normalName,
  plannedDnsRecords,
  type Read,
  type SesAccountFacts,
  type StackFacts,
  type StackResourceFacts,
  type ZoneFacts,
  type ZoneRecordFacts,
} from './checks';

/**
 * Gathers the preflight's facts with read-only calls, using the deployer's own credentials (the
 * SDK's standard chain) in the config's region. Every read that fails becomes a failed Read, so
 * one denied permission costs one check, not the run.
 */

/** The SDK clients the preflight and its one fix use, all for one region. */
export interface AwsClients {
  readonly sts: STSClient;
  readonly ssm: SSMClient;
  readonly lambda: LambdaClient;
  readonly apiGateway: APIGatewayClient;
  readonly sesv2: SESv2Client;
  readonly cloudFormation: CloudFormationClient;
  readonly route53: Route53Client;
  readonly iam: IAMClient;
}

/**
 * Clients for the config's region with the standard credential chain. The region is given, never
 * taken from AWS_REGION or a profile, so every read is about the region the stack deploys to.
 */
export function createClients(region: string): AwsClients {
  const options = { region };
  return {
    sts: new STSClient(options),
    ssm: new SSMClient(options),
    lambda: new LambdaClient(options),
    apiGateway: new APIGatewayClient(options),
    sesv2: new SESv2Client(options),
    cloudFormation: new CloudFormationClient(options),
    route53: new Route53Client(options),
    iam: new IAMClient(options),
  };
}

const errorName = (error: unknown): string => (error instanceof Error ? error.name : '');
const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));
const statusOf = (error: unknown): number | undefined =>
  (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;

/** Credential failures look like 403s too; they are not a missing permission. */
const CREDENTIAL_ERRORS =
  /Expired|InvalidClientTokenId|UnrecognizedClient|SignatureDoesNotMatch|InvalidAccessKeyId/;

/** Whether AWS refused the call for lack of permission. */
export function isAccessDenied(error: unknown): boolean {
  const name = errorName(error);
  if (CREDENTIAL_ERRORS.test(name)) return false;
  return /AccessDenied|Unauthorized|AuthorizationError|Forbidden/.test(name) || statusOf(error) === 403;
}

/**
 * Regions an account must enable before use: "Regions launched after March 20, 2019 are disabled
 * by default and referred to as opt-in Regions" (AWS Account Management, "Enable or disable AWS
 * Regions in your account", https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-regions.html).
 * In a region that is not enabled, STS refuses even valid credentials with InvalidClientTokenId.
 * ap-east-2 (Taipei) and ap-southeast-6 (New Zealand) launched after that date too.
 */
export const OPT_IN_REGIONS: ReadonlySet<string> = new Set([
  'af-south-1',
  'ap-east-1',
  'ap-east-2',
  'ap-south-2',
  'ap-southeast-3',
  'ap-southeast-4',
  'ap-southeast-5',
  'ap-southeast-6',
  'ap-southeast-7',
  'ca-west-1',
  'eu-central-2',
  'eu-south-1',
  'eu-south-2',
  'il-central-1',
  'me-central-1',
  'me-south-1',
  'mx-central-1',
]);

/**
 * The one line to print when the credentials themselves are the problem, or undefined when the
 * error is something else. `region` is where the call went: in an opt-in region that the account
 * has not enabled, rejected credentials may be fine.
 */
export function credentialsProblem(error: unknown, region?: string): string | undefined {
  const name = errorName(error);
  const message = errorMessage(error);
  if (/region is missing/i.test(message)) {
    return 'No AWS region: the preflight uses the config\'s "region"; check the config file';
  }
  if (/SSO/.test(message) && /expired|invalid|refresh/i.test(message)) {
    return `Your AWS SSO session has expired: run \`aws sso login${process.env.AWS_PROFILE ? ` --profile ${process.env.AWS_PROFILE}` : ''}\``;
  }
  if (name === 'CredentialsProviderError' || /could not load credentials/i.test(message)) {
    return 'No AWS credentials found: set AWS_PROFILE or run `aws sso login` (or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)';
  }
  if (/Expired/.test(name)) {
    return `Your AWS credentials have expired (${name}): run \`aws sso login\` or refresh the session, then try again`;
  }
  if (CREDENTIAL_ERRORS.test(name)) {
    const rejected = `AWS rejected the credentials (${name}: ${message}): check AWS_PROFILE or the access keys`;
    if (
      region !== undefined &&
      OPT_IN_REGIONS.has(region) &&
      /InvalidClientTokenId|UnrecognizedClient/.test(name)
    ) {
      return `${rejected}; or ${region} is an opt-in region that may not be enabled for this account: \`aws account get-region-opt-status --region-name ${region}\`, and if it is not ENABLED, \`aws account enable-region --region-name ${region}\` (takes minutes, sometimes hours)`;
    }
    return rejected;
  }
  return undefined;
}

/** Who the credentials belong to. Throws what STS throws; see {@link credentialsProblem}. */
export async function whoAmI(sts: STSClient): Promise<CallerFacts> {
  const identity = await sts.send(new GetCallerIdentityCommand({}));
  const arn = identity.Arn ?? '';
  return { account: identity.Account ?? '', arn, partition: arn.split(':')[1] || 'aws' };
}

/** Runs one read; a failure becomes a failed Read naming the IAM action. */
async function read<T>(action: string, run: () => Promise<T>): Promise<Read<T>> {
  try {
    return { ok: true, value: await run() };
  } catch (error) {
    return {
      ok: false,
      denied: isAccessDenied(error),
      action,
      reason: `${errorName(error)}: ${errorMessage(error)}`,
    };
  }
}

/** Runs `run`, answering `absent` when it throws one of the not-found errors named. */
async function unlessNotFound<T, A>(
  notFound: readonly string[],
  absent: A,
  run: () => Promise<T>,
): Promise<T | A> {
  try {
    return await run();
  } catch (error) {
    if (notFound.includes(errorName(error))) return absent;
    throw error;
  }
}

function bootstrapVersion(ssm: SSMClient): Promise<Read<number | undefined>> {
  return read('ssm:GetParameter', () =>
    unlessNotFound(['ParameterNotFound'], undefined, async () => {
      const { Parameter } = await ssm.send(new GetParameterCommand({ Name: BOOTSTRAP_VERSION_PARAMETER }));
      const version = Number(Parameter?.Value);
      return Number.isFinite(version) ? version : undefined;
    }),
  );
}

/** Resource statuses of a resource that is gone: a rolled-back create lists its deleted resources. */
const GONE = new Set(['DELETE_COMPLETE']);

/**
 * The live resources of this config's stack (ListStackResources), read once for every check that
 * needs them: what its functions reserve, whether it created the SES identity, which zone records
 * are its own. Empty without a call when DescribeStacks shows the stack is not deployed; when
 * DescribeStacks itself failed, the stack is asked for by name (a missing one is empty).
 */
function ownStackResources(
  cloudFormation: CloudFormationClient,
  stackName: string,
  stacks: Read<readonly StackFacts[]>,
  deployed: StackFacts | undefined,
): Promise<Read<readonly StackResourceFacts[]>> {
  if (stacks.ok && deployed === undefined) return Promise.resolve({ ok: true, value: [] });
  return read('cloudformation:ListStackResources', async () => {
    const resources: StackResourceFacts[] = [];
    try {
      for await (const page of paginateListStackResources(
        { client: cloudFormation },
        { StackName: stackName },
      )) {
        for (const resource of page.StackResourceSummaries ?? []) {
          if (GONE.has(resource.ResourceStatus ?? '')) continue;
          resources.push({
            logicalId: resource.LogicalResourceId ?? '',
            type: resource.ResourceType ?? '',
            physicalId: resource.PhysicalResourceId,
          });
        }
      }
    } catch (error) {
      // "Stack with id <name> does not exist": nothing of it to own.
      if (errorName(error) === 'ValidationError' && /does not exist/.test(errorMessage(error))) return [];
      throw error;
    }
    return resources;
  });
}

/**
 * What the deployed stack's functions reserve today; 0 when it has none. A failed read stays a
 * failed Read: taken for 0, a redeploy next to a small quota would show a false blocker.
 */
async function reservedByStack(
  lambda: LambdaClient,
  resources: Read<readonly StackResourceFacts[]>,
): Promise<Read<number>> {
  if (!resources.ok) return resources;
  const functions = resources.value.filter(
    (resource) => resource.type === 'AWS::Lambda::Function' && resource.physicalId !== undefined,
  );
  return read('lambda:GetFunctionConcurrency', async () => {
    let total = 0;
    for (const fn of functions) {
      const concurrency = await lambda.send(
        new GetFunctionConcurrencyCommand({ FunctionName: fn.physicalId }),
      );
      total += concurrency.ReservedConcurrentExecutions ?? 0;
    }
    return total;
  });
}

function lambdaSettings(
  clients: AwsClients,
  resources: Read<readonly StackResourceFacts[]>,
): Promise<Read<LambdaFacts>> {
  return read('lambda:GetAccountSettings', async () => {
    const { AccountLimit } = await clients.lambda.send(new GetAccountSettingsCommand({}));
    return {
      concurrentExecutions: AccountLimit?.ConcurrentExecutions ?? 0,
      unreservedConcurrentExecutions: AccountLimit?.UnreservedConcurrentExecutions ?? 0,
      reservedByThisStack: await reservedByStack(clients.lambda, resources),
    };
  });
}

function apiGatewayLoggingRole(apiGateway: APIGatewayClient): Promise<Read<string | undefined>> {
  return read('apigateway:GET', async () => {
    const account = await apiGateway.send(new GetApiGatewayAccountCommand({}));
    return account.cloudwatchRoleArn || undefined;
  });
}

function sesAccount(sesv2: SESv2Client): Promise<Read<SesAccountFacts>> {
  return read('ses:GetAccount', async () => {
    const account = await sesv2.send(new GetSesAccountCommand({}));
    return {
      productionAccessEnabled: account.ProductionAccessEnabled === true,
      sendingEnabled: account.SendingEnabled !== false,
      enforcementStatus: account.EnforcementStatus,
      maxSendRate: account.SendQuota?.MaxSendRate ?? 0,
      max24HourSend: account.SendQuota?.Max24HourSend ?? 0,
      sentLast24Hours: account.SendQuota?.SentLast24Hours ?? 0,
      reviewStatus: account.Details?.ReviewDetails?.Status,
    };
  });
}

function emailIdentity(sesv2: SESv2Client, domain: string): Promise<Read<IdentityFacts | undefined>> {
  return read('ses:GetEmailIdentity', () =>
    unlessNotFound(['NotFoundException'], undefined, async () => {
      const identity = await sesv2.send(new GetEmailIdentityCommand({ EmailIdentity: domain }));
      return {
        verified: identity.VerifiedForSendingStatus === true,
        dkimStatus: identity.DkimAttributes?.Status,
        dkimOrigin: identity.DkimAttributes?.SigningAttributesOrigin,
        dkimTokens: identity.DkimAttributes?.Tokens ?? [],
        mailFromDomain: identity.MailFromAttributes?.MailFromDomain || undefined,
        mailFromStatus: identity.MailFromAttributes?.MailFromDomainStatus,
        managedByStack: identity.Tags?.find((tag) => tag.Key === 'aws:cloudformation:stack-name')?.Value,
      };
    }),
  );
}

function existingConfigurationSets(
  sesv2: SESv2Client,
  names: readonly string[],
): Promise<Read<readonly string[]>> {
  return read('ses:GetConfigurationSet', async () => {
    const found = await Promise.all(
      names.map((name) =>
        unlessNotFound(['NotFoundException'], undefined, async () => {
          await sesv2.send(new GetConfigurationSetCommand({ ConfigurationSetName: name }));
          return name;
        }),
      ),
    );
    return found.filter((name): name is string => name !== undefined);
  });
}

function allStacks(cloudFormation: CloudFormationClient): Promise<Read<readonly StackFacts[]>> {
  return read('cloudformation:DescribeStacks', async () => {
    const stacks: StackFacts[] = [];
    for await (const page of paginateDescribeStacks({ client: cloudFormation }, {})) {
      for (const stack of page.Stacks ?? []) {
        stacks.push({
          stackName: stack.StackName ?? '',
          status: stack.StackStatus ?? '',
          description: stack.Description,
          tags: Object.fromEntries((stack.Tags ?? []).map((tag) => [tag.Key ?? '', tag.Value ?? ''])),
          outputs: Object.fromEntries(
            (stack.Outputs ?? []).map((output) => [output.OutputKey ?? '', output.OutputValue ?? '']),
          ),
        });
      }
    }
    return stacks;
  });
}

function hostedZone(
  route53: Route53Client,
  config: ClientConfig,
  names: readonly string[],
): Promise<Read<ZoneFacts>> {
  const zoneId = config.hostedZone?.zoneId ?? '';
  return read('route53:GetHostedZone', () =>
    unlessNotFound(['NoSuchHostedZone'], { found: false } as const, async (): Promise<ZoneFacts> => {
      const { HostedZone } = await route53.send(new GetHostedZoneCommand({ Id: zoneId }));
      const records: ZoneRecordFacts[] = [];
      // One small listing per name instead of the whole zone: records are sorted by name, so a
      // listing that starts at a name holds every type there first.
      for (const name of new Set(names)) {
        const page = await route53.send(
          new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, StartRecordName: name, MaxItems: 50 }),
        );
        for (const set of page.ResourceRecordSets ?? []) {
          if (normalName(set.Name) !== name) continue;
          const values =
            set.AliasTarget?.DNSName !== undefined
              ? [`ALIAS ${normalName(set.AliasTarget.DNSName)}`]
              : (set.ResourceRecords ?? []).map((record) => record.Value ?? '');
          records.push({ name, type: set.Type ?? '', values });
        }
      }
      return {
        found: true,
        name: normalName(HostedZone?.Name),
        privateZone: HostedZone?.Config?.PrivateZone === true,
        records,
      };
    }),
  );
}

/** Reads everything the checks need, for a caller already known to be in the config's account. */
export async function gatherFacts(
  config: ClientConfig,
  clients: AwsClients,
  caller: CallerFacts,
): Promise<AccountFacts> {
  const [stacks, identity, bootstrap, apiGatewayRole, ses, configurationSets] = await Promise.all([
    allStacks(clients.cloudFormation),
    emailIdentity(clients.sesv2, config.sendingDomain),
    bootstrapVersion(clients.ssm),
    apiGatewayLoggingRole(clients.apiGateway),
    sesAccount(clients.sesv2),
    existingConfigurationSets(clients.sesv2, configurationSetNamesOf(config)),
  ]);
  const deployed = deployedStackOf(config, stacks);
  const ownResources = await ownStackResources(clients.cloudFormation, stackNameOf(config), stacks, deployed);
  const lambda = await lambdaSettings(clients, ownResources);
  const zone =
    config.hostedZone === undefined
      ? undefined
      : await hostedZone(
          clients.route53,
          config,
          plannedDnsRecords(config).map((record) => record.name),
        );
  return {
    region: config.region,
    caller,
    bootstrapVersion: bootstrap,
    lambda,
    apiGatewayLoggingRoleArn: apiGatewayRole,
    ses,
    identity,
    existingConfigurationSets: configurationSets,
    stacks,
    ownResources,
    ...(zone === undefined ? {} : { zone }),
  };
}
