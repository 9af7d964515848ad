import {
  type APIGatewayClient,
  GetAccountCommand as GetApiGatewayAccountCommand,
  UpdateAccountCommand,
} from '@aws-sdk/client-api-gateway';
import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  GetRoleCommand,
  type IAMClient,
  ListAttachedRolePoliciesCommand,
} from '@aws-sdk/client-iam';
import { isAccessDenied } from './account-facts';

/**
 * The preflight's only write, run only with `--fix api-gateway-logging-role`: the one-time account
 * setup a REST stage with access logging needs in each region
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html). The setting
 * is shared by every API of the account in that region, so a setting that is already there is
 * never touched, and no stack owns it (a stack that set it would reset it for everyone on delete).
 */

/** The role's name: the one AWS's own guide uses, so an existing one is found and reused. */
export const LOGGING_ROLE_NAME = 'APIGatewayCloudWatchLogsRole';

const TRUST_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Principal: { Service: 'apigateway.amazonaws.com' }, Action: 'sts:AssumeRole' },
  ],
});

/** A fix that could not be applied; the message says what to do. */
export class FixError extends Error {
  override readonly name = 'FixError';
}

export interface LoggingRoleFixDeps {
  readonly apiGateway: APIGatewayClient;
  readonly iam: IAMClient;
  readonly region: string;
  /** `aws`, `aws-cn`, …: the managed policy's ARN depends on it. */
  readonly partition: string;
  /** Prints one line of what was done. */
  readonly log: (line: string) => void;
  readonly sleep: (ms: number) => Promise<void>;
  /** UpdateAccount attempts while IAM propagates a new role. @default 8 */
  readonly attempts?: number;
  /** @default 5000 */
  readonly retryDelayMs?: number;
}

/** What the fix did. */
export type LoggingRoleFixOutcome =
  | { readonly kind: 'already-set'; readonly roleArn: string }
  | { readonly kind: 'set'; readonly roleArn: string; readonly createdRole: boolean };

const errorName = (error: unknown) => (error instanceof Error ? error.name : '');
const errorMessage = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Runs one call; a denied one becomes a FixError naming the action. */
async function step<T>(action: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof FixError) throw error;
    if (isAccessDenied(error)) {
      throw new FixError(
        `${action} denied: run the fix with credentials that may manage IAM roles and API Gateway account settings (an administrator)`,
      );
    }
    throw new FixError(`${action} failed: ${errorName(error)}: ${errorMessage(error)}`);
  }
}

/** The role's ARN, creating the role when it does not exist. */
async function ensureRole(deps: LoggingRoleFixDeps): Promise<{ arn: string; created: boolean }> {
  const { iam, log } = deps;
  const existing = await step('iam:GetRole', async () => {
    try {
      return (await iam.send(new GetRoleCommand({ RoleName: LOGGING_ROLE_NAME }))).Role;
    } catch (error) {
      if (errorName(error) === 'NoSuchEntityException') return undefined;
      throw error;
    }
  });
  if (existing?.Arn !== undefined) {
    const trust = decodeURIComponent(existing.AssumeRolePolicyDocument ?? '');
    if (!trust.includes('apigateway.amazonaws.com')) {
      throw new FixError(
        `IAM role ${existing.Arn} exists but does not trust apigateway.amazonaws.com: add that service to its trust policy, or delete the role, then run the fix again`,
      );
    }
    log(`reusing the existing IAM role ${existing.Arn}`);
    return { arn: existing.Arn, created: false };
  }
  const created = await step('iam:CreateRole', () =>
    iam.send(
      new CreateRoleCommand({
        RoleName: LOGGING_ROLE_NAME,
        AssumeRolePolicyDocument: TRUST_POLICY,
        Description:
          'Lets API Gateway write execution and access logs to CloudWatch Logs (account setting set by Mailroom preflight --fix)',
      }),
    ),
  );
  const arn = created.Role?.Arn;
  if (arn === undefined) throw new FixError('iam:CreateRole returned no role ARN');
  log(`created the IAM role ${arn}, trusted by apigateway.amazonaws.com`);
  return { arn, created: true };
}

/** Attaches AWS's managed policy for API Gateway logging, unless the role already has it. */
async function ensurePolicy(deps: LoggingRoleFixDeps): Promise<void> {
  const policyArn = `arn:${deps.partition}:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs`;
  const attached = await step('iam:ListAttachedRolePolicies', () =>
    deps.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: LOGGING_ROLE_NAME })),
  );
  if (attached.AttachedPolicies?.some((policy) => policy.PolicyArn === policyArn)) return;
  await step('iam:AttachRolePolicy', () =>
    deps.iam.send(new AttachRolePolicyCommand({ RoleName: LOGGING_ROLE_NAME, PolicyArn: policyArn })),
  );
  deps.log(`attached ${policyArn} to ${LOGGING_ROLE_NAME}`);
}

/**
 * A new role takes a few seconds to reach API Gateway through IAM; until then UpdateAccount
 * answers BadRequestException ("The role ARN does not have required permissions set to API
 * Gateway").
 */
const isPropagationDelay = (error: unknown) =>
  errorName(error) === 'BadRequestException' && /role|assume|permission/i.test(errorMessage(error));

/**
 * Sets API Gateway's CloudWatch Logs role for the region, only when none is set: creates (or
 * reuses) {@link LOGGING_ROLE_NAME} with AmazonAPIGatewayPushToCloudWatchLogs, then
 * UpdateAccount `replace /cloudwatchRoleArn`.
 *
 * @throws FixError with a readable message when a step is denied or fails
 */
export async function fixApiGatewayLoggingRole(deps: LoggingRoleFixDeps): Promise<LoggingRoleFixOutcome> {
  const { apiGateway, region, log } = deps;
  const current = await step('apigateway:GET', () => apiGateway.send(new GetApiGatewayAccountCommand({})));
  if (current.cloudwatchRoleArn) {
    log(
      `API Gateway's CloudWatch Logs role in ${region} is already ${current.cloudwatchRoleArn}: nothing changed`,
    );
    return { kind: 'already-set', roleArn: current.cloudwatchRoleArn };
  }
  const role = await ensureRole(deps);
  await ensurePolicy(deps);
  const attempts = deps.attempts ?? 8;
  const delay = deps.retryDelayMs ?? 5000;
  for (let attempt = 1; ; attempt++) {
    try {
      await apiGateway.send(
        new UpdateAccountCommand({
          patchOperations: [{ op: 'replace', path: '/cloudwatchRoleArn', value: role.arn }],
        }),
      );
      break;
    } catch (error) {
      if (isPropagationDelay(error) && attempt < attempts) {
        log(`API Gateway cannot assume the role yet (IAM propagation), retrying in ${delay / 1000} s`);
        await deps.sleep(delay);
        continue;
      }
      if (isAccessDenied(error)) {
        throw new FixError(
          'apigateway:PATCH denied: run the fix with credentials that may change API Gateway account settings (an administrator)',
        );
      }
      throw new FixError(
        `apigateway:UpdateAccount failed after ${attempt} attempt${attempt === 1 ? '' : 's'}: ${errorName(error)}: ${errorMessage(error)}`,
      );
    }
  }
  log(`set API Gateway's CloudWatch Logs role in ${region} to ${role.arn}`);
  return { kind: 'set', roleArn: role.arn, createdRole: role.created };
}
