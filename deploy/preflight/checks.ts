import {
  type ClientConfig,
  type DnsRecordKind,
  LAMBDA_MINIMUM_UNRESERVED,
  mailFromDomainOf,
  senderReservationOf,
  stackNameOf,
} from '../../lib/config';
import { configurationSetNameFor, STREAMS } from '../../lib/constructs/identity';

/**
 * The preflight's judgements: facts about the account in, one result per check out. Nothing here
 * talks to AWS; account-facts.ts gathers the facts.
 */

/** `blocker`: the deploy (or the first send) would fail; `warning`: it works, with a catch. */
export type Status = 'ok' | 'warning' | 'blocker';

/** One line of the report, and what to do about it. */
export interface CheckResult {
  /** Short name of what was checked, e.g. `lambda concurrency`. */
  readonly name: string;
  readonly status: Status;
  /** One line: what was found. */
  readonly message: string;
  /** The exact fix, or details worth printing, one line each. */
  readonly details?: readonly string[];
}

/**
 * A read that may have failed. A denied read is not a crash: the check it feeds becomes a warning
 * saying which action was denied.
 */
export type Read<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly denied: boolean; readonly action: string; readonly reason: string };

/** Who the deployer's credentials belong to (STS GetCallerIdentity). */
export interface CallerFacts {
  readonly account: string;
  readonly arn: string;
  /** `aws`, `aws-cn`, `aws-us-gov`: from the caller's ARN. */
  readonly partition: string;
}

/** Lambda GetAccountSettings, plus what this stack's deployed functions already reserve. */
export interface LambdaFacts {
  readonly concurrentExecutions: number;
  readonly unreservedConcurrentExecutions: number;
  /**
   * Concurrency the deployed stack's own functions reserve today, already missing from the
   * unreserved figure and given back when the stack updates them; 0 before the first deploy. A
   * failed read (ListStackResources or GetFunctionConcurrency denied) is not 0: counted as 0 it
   * would turn a redeploy into a false blocker.
   */
  readonly reservedByThisStack: Read<number>;
}

/** SESv2 GetAccount in the config's region. */
export interface SesAccountFacts {
  readonly productionAccessEnabled: boolean;
  readonly sendingEnabled: boolean;
  /** `HEALTHY`, `PROBATION` or `SHUTDOWN`. */
  readonly enforcementStatus: string | undefined;
  readonly maxSendRate: number;
  readonly max24HourSend: number;
  readonly sentLast24Hours: number;
  /** Status of a production access request, e.g. `PENDING` or `DENIED`. */
  readonly reviewStatus: string | undefined;
}

/** SESv2 GetEmailIdentity of the sending domain. */
export interface IdentityFacts {
  readonly verified: boolean;
  readonly dkimStatus: string | undefined;
  /** `AWS_SES` (Easy DKIM), `EXTERNAL` (BYODKIM) or an AWS_SES_* region. */
  readonly dkimOrigin: string | undefined;
  readonly dkimTokens: readonly string[];
  readonly mailFromDomain: string | undefined;
  readonly mailFromStatus: string | undefined;
  /**
   * The `aws:cloudformation:stack-name` tag, if the identity carries one. Only a hint for naming
   * another stack: nothing documents that CloudFormation tags SES identities, so whether this
   * stack owns the identity is decided from its resources (StackResourceFacts), never from this.
   */
  readonly managedByStack: string | undefined;
}

/** One resource of this config's own stack (CloudFormation ListStackResources). */
export interface StackResourceFacts {
  readonly logicalId: string;
  /** E.g. `AWS::SES::EmailIdentity`, `AWS::Route53::RecordSet`. */
  readonly type: string;
  /** For an EmailIdentity the identity's name; for a RecordSet the record's name (maybe with a trailing dot). */
  readonly physicalId: string | undefined;
}

/** One CloudFormation stack of the account and region (DescribeStacks). */
export interface StackFacts {
  readonly stackName: string;
  readonly status: string;
  readonly description: string | undefined;
  readonly tags: Readonly<Record<string, string>>;
  readonly outputs: Readonly<Record<string, string>>;
}

/** One record set of the hosted zone, name lower-case without the trailing dot. */
export interface ZoneRecordFacts {
  readonly name: string;
  readonly type: string;
  readonly values: readonly string[];
}

/** The configured hosted zone (GetHostedZone) and its records at the names the stack writes. */
export type ZoneFacts =
  | { readonly found: false }
  | {
      readonly found: true;
      /** Lower-case, without the trailing dot. */
      readonly name: string;
      readonly privateZone: boolean;
      readonly records: readonly ZoneRecordFacts[];
    };

/** Everything the checks look at, read in the config's account and region. */
export interface AccountFacts {
  readonly region: string;
  readonly caller: CallerFacts;
  /** The CDK bootstrap version parameter, undefined when it does not exist. */
  readonly bootstrapVersion: Read<number | undefined>;
  readonly lambda: Read<LambdaFacts>;
  /** API Gateway GetAccount `cloudwatchRoleArn`, undefined when never set. */
  readonly apiGatewayLoggingRoleArn: Read<string | undefined>;
  readonly ses: Read<SesAccountFacts>;
  /** Undefined when no identity exists for the sending domain. */
  readonly identity: Read<IdentityFacts | undefined>;
  /** Which of this stack's configuration set names exist already. */
  readonly existingConfigurationSets: Read<readonly string[]>;
  /** Every live stack of the account and region. */
  readonly stacks: Read<readonly StackFacts[]>;
  /**
   * The live resources of this config's stack: empty when it does not exist (or only as a failed
   * create), a failed Read when ListStackResources was denied.
   */
  readonly ownResources: Read<readonly StackResourceFacts[]>;
  /** Only with a `hostedZone` in the config. */
  readonly zone?: Read<ZoneFacts>;
}

/** Where the config came from, for fixes that name the command to run. */
export interface CheckContext {
  readonly config: ClientConfig;
  readonly configPath: string;
}

/**
 * The bootstrap version this repository's aws-cdk-lib requires: its DefaultStackSynthesizer asks
 * for version 6 to publish assets and deploy (MIN_BOOTSTRAP_STACK_VERSION in
 * aws-cdk-lib/core/lib/stack-synthesizers/default-synthesizer.js).
 */
export const MINIMUM_BOOTSTRAP_VERSION = 6;

/** The SSM parameter `cdk bootstrap` writes, with the default qualifier this app uses. */
export const BOOTSTRAP_VERSION_PARAMETER = '/cdk-bootstrap/hnb659fds/version';

/** Service Quotas' code for Lambda's "Concurrent executions". */
export const LAMBDA_CONCURRENCY_QUOTA_CODE = 'L-B99A9384';

/** What to ask for: the usual quota of an established account. */
const REQUESTED_CONCURRENCY = 1000;

/** The fix flag for the API Gateway logging role. */
export const LOGGING_ROLE_FIX = 'api-gateway-logging-role';

/** Stack statuses of a stack that does not exist as far as a deploy is concerned. */
const NOT_DEPLOYED = new Set([
  'DELETE_COMPLETE',
  // A create that rolled back: `cdk deploy` deletes the empty stack and creates it again.
  'ROLLBACK_COMPLETE',
  // A change set that was never executed.
  'REVIEW_IN_PROGRESS',
]);

const ok = (name: string, message: string, details?: readonly string[]): CheckResult => ({
  name,
  status: 'ok',
  message,
  ...(details === undefined ? {} : { details }),
});
const warning = (name: string, message: string, details?: readonly string[]): CheckResult => ({
  name,
  status: 'warning',
  message,
  ...(details === undefined ? {} : { details }),
});
const blocker = (name: string, message: string, details: readonly string[]): CheckResult => ({
  name,
  status: 'blocker',
  message,
  details,
});

/** The warning a check becomes when its read failed. */
function unreadable(name: string, what: string, read: Extract<Read<unknown>, { ok: false }>): CheckResult {
  return read.denied
    ? warning(name, `could not check ${what}: ${read.action} denied`, [
        `allow ${read.action} to the credentials you run the preflight with, or check this by hand`,
      ])
    : warning(name, `could not check ${what}: ${read.action} failed: ${read.reason}`);
}

/** This config's stack as deployed, or undefined when it does not exist (or only as a failed create). */
export function deployedStackOf(
  config: ClientConfig,
  stacks: Read<readonly StackFacts[]>,
): StackFacts | undefined {
  if (!stacks.ok) return undefined;
  const name = stackNameOf(config);
  return stacks.value.find((stack) => stack.stackName === name && !NOT_DEPLOYED.has(stack.status));
}

/** The configuration set names the stack creates, one per stream. */
export function configurationSetNamesOf(config: ClientConfig): string[] {
  return STREAMS.map((stream) => configurationSetNameFor(stackNameOf(config), stream));
}

/** 1. The credentials belong to the account the config deploys to. */
export function checkCredentials(config: ClientConfig, caller: CallerFacts): CheckResult {
  const name = 'credentials';
  if (caller.account !== config.account) {
    return blocker(
      name,
      `you are signed in to ${caller.account} (${caller.arn}), the config deploys to ${config.account}: switch profile`,
      [
        `fix: use credentials for ${config.account}, e.g. AWS_PROFILE=<profile of ${config.account}> npm run preflight -- …, or \`aws sso login --profile <that profile>\``,
        'the other checks did not run: they would have read the wrong account',
      ],
    );
  }
  return ok(name, `signed in to ${caller.account} as ${caller.arn}`);
}

/** 2. `cdk bootstrap` has run in this account and region, recently enough. */
export function checkBootstrap(config: ClientConfig, read: Read<number | undefined>): CheckResult {
  const name = 'CDK bootstrap';
  if (!read.ok) return unreadable(name, 'the CDK bootstrap', read);
  const command = `npx cdk bootstrap aws://${config.account}/${config.region}`;
  if (read.value === undefined) {
    return blocker(
      name,
      `${config.region} is not bootstrapped (no SSM parameter ${BOOTSTRAP_VERSION_PARAMETER})`,
      [`fix: ${command}   (once per account and region, with administrator rights)`],
    );
  }
  if (read.value < MINIMUM_BOOTSTRAP_VERSION) {
    return blocker(
      name,
      `bootstrap version ${read.value} is older than the ${MINIMUM_BOOTSTRAP_VERSION} this aws-cdk-lib needs`,
      [`fix: ${command}   (upgrades the bootstrap stack in place)`],
    );
  }
  return ok(name, `version ${read.value} (at least ${MINIMUM_BOOTSTRAP_VERSION} needed)`);
}

/** The quota to ask for: 1000, or more if other functions already reserve much of the account. */
function requestedConcurrency(lambda: LambdaFacts, reservation: number): number {
  const reservedElsewhere =
    lambda.concurrentExecutions - lambda.unreservedConcurrentExecutions - givenBack(lambda);
  const needed = reservedElsewhere + reservation + LAMBDA_MINIMUM_UNRESERVED;
  return Math.max(REQUESTED_CONCURRENCY, Math.ceil(needed / 100) * 100);
}

/** What this stack's functions reserve today and give back on update; 0 when it could not be read. */
const givenBack = (lambda: LambdaFacts): number =>
  lambda.reservedByThisStack.ok ? lambda.reservedByThisStack.value : 0;

/** Ready-to-paste text of a Service Quotas request for Lambda concurrency. */
export function quotaIncreaseRequest(
  region: string,
  current: number,
  desired: number,
  reservation?: number,
): string[] {
  const why =
    reservation === undefined
      ? `Its functions share the account's concurrency pool, and the current quota of ${current} leaves no headroom for a burst of mail next to our other functions.`
      : `Its sender function reserves ${reservation} concurrent executions so that email delivery keeps its capacity when other functions are busy; Lambda only allows a reservation that leaves ${LAMBDA_MINIMUM_UNRESERVED} executions unreserved, which the current quota of ${current} does not allow.`;
  return [
    `  aws service-quotas request-service-quota-increase --service-code lambda --quota-code ${LAMBDA_CONCURRENCY_QUOTA_CODE} --desired-value ${desired} --region ${region}`,
    `  or in the console: Service Quotas → AWS services → AWS Lambda → Concurrent executions (${LAMBDA_CONCURRENCY_QUOTA_CODE}) → Request increase at account level, region ${region}:`,
    `    Requested value: ${desired}`,
    `    Justification: We are deploying a serverless email service (Amazon SES, API Gateway, SQS, Lambda) in ${region} that sends our transactional mail (sign-in codes, password resets, invitations) and opt-in campaigns. ${why} Our expected load is a few hundred concurrent executions at most; ${desired} is the default quota of established accounts.`,
  ];
}

/**
 * 3. The sender's reserved concurrency fits the account's quota.
 *
 * Lambda keeps LAMBDA_MINIMUM_UNRESERVED (100) unreserved: "You can reserve up to the Unreserved
 * account concurrency value minus 100"
 * (https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html). A reservation
 * beyond that fails the create with "Specified ReservedConcurrentExecutions for function decreases
 * account's UnreservedConcurrentExecution below its minimum value of [10]", as new accounts with
 * quotas of 10 and 50 found (aws-samples/one-observability-demo#278, aws-samples/alarm-context-tool#2).
 */
export function checkLambdaConcurrency(ctx: CheckContext, read: Read<LambdaFacts>): CheckResult {
  const name = 'Lambda concurrency';
  if (!read.ok) return unreadable(name, 'the Lambda concurrency quota', read);
  const { config, configPath } = ctx;
  const lambda = read.value;
  const quota = lambda.concurrentExecutions;
  // What stays unreserved once this stack's current reservations are given back.
  const available = lambda.unreservedConcurrentExecutions + givenBack(lambda);
  const reservation = senderReservationOf(config);
  if (reservation === undefined) {
    if (quota < LAMBDA_MINIMUM_UNRESERVED) {
      return warning(
        name,
        `quota ${quota}, senderReservedConcurrency "off": the sender shares that small pool with every other function in the account, and a burst elsewhere throttles it`,
        [
          'fix (optional): raise the quota, then reserve again by removing "senderReservedConcurrency" from the config:',
          ...quotaIncreaseRequest(config.region, quota, REQUESTED_CONCURRENCY),
        ],
      );
    }
    return ok(name, `quota ${quota}, senderReservedConcurrency "off": the sender shares the account's pool`);
  }
  const left = available - reservation;
  if (left < LAMBDA_MINIMUM_UNRESERVED) {
    const desired = requestedConcurrency(lambda, reservation);
    const fixes = [
      `fix (a): set "senderReservedConcurrency": "off" in ${configPath}: nothing reserved, the event sources' maximum concurrency (${config.senderConcurrency} + ${config.bulkSenderConcurrency}) stays the cap; trade-off: the sender then competes with every other function for the account's pool of ${quota}`,
      `fix (b): ask for a quota of ${desired} (usually granted within a day), then run the preflight again:`,
      ...quotaIncreaseRequest(config.region, quota, desired, reservation),
    ];
    const reserved = lambda.reservedByThisStack;
    if (!reserved.ok) {
      // The deployed stack's functions may already hold part of the reservation, which the update
      // gives back; unknown, it must not read as a blocker.
      return warning(
        name,
        `quota ${quota}, ${available} unreserved: reserving ${reservation} for the sender would leave ${left}, Lambda requires ${LAMBDA_MINIMUM_UNRESERVED}, unless ${stackNameOf(config)}'s functions already reserve the difference (given back on update): could not read them: ${reserved.action} ${reserved.denied ? 'denied' : `failed: ${reserved.reason}`}`,
        [
          `allow ${reserved.action} to the credentials you run the preflight with, or check by hand: \`aws lambda get-function-concurrency --function-name <each function of ${stackNameOf(config)}> --region ${config.region}\``,
          'if they reserve less than that:',
          ...fixes,
        ],
      );
    }
    return blocker(
      name,
      `quota ${quota}, ${available} unreserved: reserving ${reservation} for the sender would leave ${left}, Lambda requires ${LAMBDA_MINIMUM_UNRESERVED} (the create fails with "decreases account's UnreservedConcurrentExecution below its minimum value")`,
      fixes,
    );
  }
  return ok(
    name,
    `quota ${quota}, ${available} unreserved: reserving ${reservation} for the sender leaves ${left} (at least ${LAMBDA_MINIMUM_UNRESERVED} needed)`,
  );
}

/** The command that sets the logging role, for this config. */
export function loggingRoleFixCommand(configPath: string): string {
  return `npm run preflight -- -c config=${configPath} --fix ${LOGGING_ROLE_FIX}`;
}

/**
 * 4. API Gateway's CloudWatch Logs role is set in this account and region. The stack's REST stage
 * writes access logs, which fails with "CloudWatch Logs role ARN must be set in account settings
 * to enable logging" while it is not (https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html;
 * aws-samples/amazon-bedrock-knowledgebase-slackbot#6, aws/aws-connected-device-framework#112).
 * The setting is shared by every API in the region, so the stack neither sets nor removes it.
 */
export function checkApiGatewayLoggingRole(ctx: CheckContext, read: Read<string | undefined>): CheckResult {
  const name = 'API Gateway logging role';
  if (!read.ok) return unreadable(name, "API Gateway's CloudWatch Logs role", read);
  if (read.value === undefined || read.value === '') {
    return blocker(
      name,
      `not set in ${ctx.config.region}: the API stage's access logging fails with "CloudWatch Logs role ARN must be set in account settings to enable logging"`,
      [
        `fix: ${loggingRoleFixCommand(ctx.configPath)}   (one-time account setup: creates or reuses the role APIGatewayCloudWatchLogsRole and sets it for ${ctx.config.region}; nothing else)`,
      ],
    );
  }
  return ok(name, `${read.value} (shared by every API in the region; the stack never changes it)`);
}

/** 5a. SES production access, and the sending quota. */
export function checkSesProductionAccess(config: ClientConfig, read: Read<SesAccountFacts>): CheckResult {
  const name = 'SES production access';
  if (!read.ok) return unreadable(name, 'the SES account', read);
  const ses = read.value;
  const quota = `MaxSendRate ${ses.maxSendRate}/s, ${ses.max24HourSend} per 24 h (${ses.sentLast24Hours} sent in the last 24 h)`;
  if (!ses.productionAccessEnabled) {
    const request = ses.reviewStatus === undefined ? '' : `; production access request: ${ses.reviewStatus}`;
    return warning(name, `sandbox in ${config.region}: ${quota}, only to verified addresses${request}`, [
      'the deploy works in the sandbox, and so do the mailbox simulator addresses (success@, bounce@, complaint@simulator.amazonses.com) that `npm run smoke` uses',
      'fix: request production access: README → Deploy to a client account → Leave the SES sandbox (a ready-to-adapt answer is there)',
    ]);
  }
  return ok(name, `production in ${config.region}: ${quota}`);
}

/** 5b. Sending is enabled and the account is in good standing. */
export function checkSesSending(config: ClientConfig, read: Read<SesAccountFacts>): CheckResult {
  const name = 'SES sending';
  if (!read.ok) return unreadable(name, 'the SES account', read);
  const { sendingEnabled, enforcementStatus } = read.value;
  const consoleHint = `see the SES console → Reputation metrics and any case AWS opened, in ${config.region}`;
  if (enforcementStatus === 'SHUTDOWN') {
    return blocker(
      name,
      `the account is shut down for sending in ${config.region} (enforcement status SHUTDOWN)`,
      [`fix: only AWS can lift it: ${consoleHint}`],
    );
  }
  if (!sendingEnabled) {
    return blocker(name, `sending is paused for the whole account in ${config.region}`, [
      `fix: if you paused it, \`aws sesv2 put-account-sending-attributes --sending-enabled --region ${config.region}\`; if AWS did, ${consoleHint}`,
    ]);
  }
  if (enforcementStatus !== undefined && enforcementStatus !== 'HEALTHY') {
    return warning(
      name,
      `enabled, but enforcement status is ${enforcementStatus}: AWS is reviewing the account's bounces or complaints`,
      [`fix: ${consoleHint}; fix the cause before sending more`],
    );
  }
  return ok(name, `enabled, enforcement status ${enforcementStatus ?? 'HEALTHY'}`);
}

function identityStatus(identity: IdentityFacts): string {
  return `${identity.verified ? 'verified' : 'not verified'}, DKIM ${identity.dkimStatus ?? 'not set up'}, MAIL FROM ${
    identity.mailFromDomain === undefined
      ? 'not set up'
      : `${identity.mailFromDomain} ${identity.mailFromStatus ?? ''}`.trim()
  }`;
}

/** The DKIM CNAMEs of an Easy DKIM identity, as a zone file has them. */
export function dkimRecordsOf(domain: string, identity: IdentityFacts): string[] {
  return identity.dkimTokens.map(
    (token) => `${token}._domainkey.${domain} CNAME ${token}.dkim.amazonses.com`,
  );
}

/** Lower-case, without a trailing dot: how CloudFormation, Route 53 and SES names are compared. */
export const normalName = (name: string | undefined): string => (name ?? '').toLowerCase().replace(/\.$/, '');

type FailedRead = Extract<Read<unknown>, { ok: false }>;

/** Whether this config's stack created the identity: one of its resources is it. */
type Ownership =
  | { readonly known: true; readonly owned: boolean }
  | { readonly known: false; readonly read: FailedRead };

function identityOwnership(domain: string, resources: Read<readonly StackResourceFacts[]>): Ownership {
  if (!resources.ok) return { known: false, read: resources };
  return {
    known: true,
    owned: resources.value.some(
      (resource) =>
        resource.type === 'AWS::SES::EmailIdentity' && normalName(resource.physicalId) === normalName(domain),
    ),
  };
}

const failedAction = (read: FailedRead) =>
  `${read.action} ${read.denied ? 'denied' : `failed (${read.reason})`}`;

/**
 * 6. What already exists for the sending domain in SES, against adoptExistingIdentity. Whether
 * this stack created the identity is read from the stack's own resources (an
 * AWS::SES::EmailIdentity whose physical id is the domain), not from "the stack is deployed": a
 * stack deployed with adoptExistingIdentity owns none, and a stack that created it deletes it when
 * the flag turns on (CloudFormation deletes a resource that leaves the template).
 */
export function checkIdentity(
  ctx: CheckContext,
  read: Read<IdentityFacts | undefined>,
  stacks: Read<readonly StackFacts[]>,
  resources: Read<readonly StackResourceFacts[]>,
): CheckResult {
  const name = 'SES identity';
  if (!read.ok) return unreadable(name, `the SES identity ${ctx.config.sendingDomain}`, read);
  const { config, configPath } = ctx;
  const domain = config.sendingDomain;
  const identity = read.value;
  const ownStack = stackNameOf(config);
  if (identity === undefined) {
    if (config.adoptExistingIdentity) {
      return blocker(
        name,
        `no identity for ${domain} exists in ${config.region}, but the config adopts one`,
        [
          `fix: set "adoptExistingIdentity": false in ${configPath} so the stack creates it, or check sendingDomain and region`,
        ],
      );
    }
    return ok(name, `no identity for ${domain} yet: the stack creates it`);
  }
  const status = identityStatus(identity);
  const ownership = identityOwnership(domain, resources);
  const tagged = identity.managedByStack;
  const other = tagged !== undefined && tagged !== ownStack;
  const tagHint =
    tagged === undefined ? [] : [`hint: the identity is tagged aws:cloudformation:stack-name=${tagged}`];
  if (config.adoptExistingIdentity) {
    if (!ownership.known) {
      return warning(
        name,
        `could not tell whether ${ownStack} created ${domain} (${status}): ${failedAction(ownership.read)}`,
        [
          `if it did, adopting it removes the identity from the template and the next deploy deletes it (domain unverified, DKIM tokens gone): then leave "adoptExistingIdentity" false in ${configPath}`,
          `allow ${ownership.read.action} to the credentials you run the preflight with, or look for AWS::SES::EmailIdentity in \`aws cloudformation list-stack-resources --stack-name ${ownStack} --region ${config.region}\``,
          ...tagHint,
        ],
      );
    }
    if (ownership.owned) {
      return blocker(
        name,
        `this stack created the identity ${domain}; turning adoptExistingIdentity on would make the next deploy delete it: leave it false`,
        [
          `fix: set "adoptExistingIdentity": false in ${configPath} (or remove it): ${ownStack} keeps managing ${domain} (${status})`,
        ],
      );
    }
    const dkim =
      identity.dkimTokens.length > 0
        ? [
            'its DKIM records (the stack cannot print them for an adopted identity):',
            ...dkimRecordsOf(domain, identity).map((line) => `  ${line}`),
          ]
        : [`DKIM signing is ${identity.dkimOrigin ?? 'not set up'}: its DNS records are yours to keep`];
    if (other) {
      return warning(name, `adopting ${domain} (${status}), which stack ${tagged} manages`, [
        `deleting ${tagged} deletes the identity under this stack too`,
        ...dkim,
      ]);
    }
    return ok(name, `adopting the existing ${domain}: ${status}`, dkim);
  }
  if (!ownership.known) {
    return warning(
      name,
      `${domain} exists (${status}); could not tell whether ${ownStack} created it: ${failedAction(ownership.read)}`,
      [
        `if ${ownStack} did not create it, the deploy fails with "already exists": then set "adoptExistingIdentity": true in ${configPath}`,
        `allow ${ownership.read.action} to the credentials you run the preflight with, or look for AWS::SES::EmailIdentity in \`aws cloudformation list-stack-resources --stack-name ${ownStack} --region ${config.region}\``,
        ...tagHint,
      ],
    );
  }
  if (ownership.owned)
    return ok(name, `${domain} is this stack's own (a resource of ${ownStack}): ${status}`);
  const madeBy = other ? `by stack ${tagged}` : 'in the console or by another tool';
  if (deployedStackOf(config, stacks) !== undefined) {
    return blocker(
      name,
      `an identity for ${domain} exists (made ${madeBy}; ${status}) and ${ownStack} is deployed but did not create it: the update would create it and fail with "already exists"`,
      [
        `fix: set "adoptExistingIdentity": true in ${configPath} (the deployed stack uses it as it is, as it did when it was deployed)`,
      ],
    );
  }
  return blocker(
    name,
    `an identity for ${domain} already exists (made ${madeBy}; ${status}): the create would fail with "already exists"`,
    [
      `fix: set "adoptExistingIdentity": true in ${configPath} to use it as it is, or delete it (\`aws sesv2 delete-email-identity --email-identity ${domain} --region ${config.region}\`)${other ? ` or deploy only one of the two stacks` : ''}`,
    ],
  );
}

/**
 * 6a. An adopted identity keeps its own MAIL FROM settings (the stack configures none), while the
 * stack still writes or prints the MX and SPF records of mailFromDomainOf(config): when the two
 * differ those records serve nothing, and the envelope sender is not the domain they describe.
 */
export function checkAdoptedMailFrom(
  ctx: CheckContext,
  read: Read<IdentityFacts | undefined>,
): CheckResult | undefined {
  const { config, configPath } = ctx;
  if (!config.adoptExistingIdentity || !read.ok || read.value === undefined) return undefined;
  const name = 'MAIL FROM';
  const domain = config.sendingDomain;
  const expected = mailFromDomainOf(config);
  const actual = read.value.mailFromDomain === undefined ? undefined : normalName(read.value.mailFromDomain);
  if (actual === expected) {
    return ok(
      name,
      `the adopted ${domain} uses ${expected} (${read.value.mailFromStatus ?? 'status unknown'})`,
    );
  }
  const command = `aws sesv2 put-email-identity-mail-from-attributes --email-identity ${domain} --mail-from-domain ${expected} --behavior-on-mx-failure USE_DEFAULT_VALUE --region ${config.region}`;
  const label = actual?.endsWith(`.${domain}`) ? actual.slice(0, -domain.length - 1) : undefined;
  const matchFix =
    label !== undefined && /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/.test(label)
      ? `or keep the identity's: set "mailFromSubdomain": "${label}" in ${configPath}, so the records the stack writes are ${actual}'s`
      : actual === undefined
        ? undefined
        : `(${actual} is not one label under ${domain}, so mailFromSubdomain cannot match it: use the command)`;
  return warning(
    name,
    actual === undefined
      ? `the adopted ${domain} has no MAIL FROM domain: the MX and SPF records for ${expected} do nothing, mail goes out with SES's own envelope sender (amazonses.com) and SPF will not align with ${domain} for DMARC`
      : `the adopted ${domain} uses MAIL FROM ${actual}, not ${expected}: the MX and SPF records for ${expected} do nothing, and SPF will not align through them (only through ${actual}'s own MX and SPF records, if it has them)`,
    [`fix: ${command}`, ...(matchFix === undefined ? [] : [matchFix])],
  );
}

/**
 * 6b. A custom tracking domain needs the sending domain verified: SES refuses an unverified one
 * with InvalidTrackingOptions
 * (https://docs.aws.amazon.com/ses/latest/dg/configure-custom-open-click-domains.html).
 */
export function checkTrackingDomain(
  ctx: CheckContext,
  read: Read<IdentityFacts | undefined>,
): CheckResult | undefined {
  const { config, configPath } = ctx;
  const customDomain = config.tracking.customDomain;
  if (customDomain === undefined) return undefined;
  const name = 'tracking domain';
  if (!read.ok) return unreadable(name, `whether ${config.sendingDomain} is verified`, read);
  if (read.value?.verified !== true) {
    return blocker(
      name,
      `${customDomain} needs ${config.sendingDomain} verified, and it is ${read.value === undefined ? 'not created yet' : 'not verified yet'}: SES refuses it with InvalidTrackingOptions`,
      [
        `fix: remove tracking.customDomain and tracking.sendingDomainVerified from ${configPath}, deploy, publish the DNS records, wait until this check sees the domain verified, then add them back and deploy again`,
      ],
    );
  }
  return ok(name, `${customDomain}: ${config.sendingDomain} is verified`);
}

/** 7. The configuration set names are free, or the stack's own. */
export function checkConfigurationSets(
  ctx: CheckContext,
  read: Read<readonly string[]>,
  stacks: Read<readonly StackFacts[]>,
): CheckResult {
  const name = 'configuration sets';
  if (!read.ok) return unreadable(name, 'the configuration set names', read);
  const { config, configPath } = ctx;
  const names = configurationSetNamesOf(config);
  if (read.value.length === 0) return ok(name, `${names.join(' and ')} are free`);
  if (deployedStackOf(config, stacks) !== undefined) {
    return ok(name, `${names.join(' and ')} belong to the deployed ${stackNameOf(config)}`);
  }
  return blocker(
    name,
    `${read.value.join(' and ')} already ${read.value.length === 1 ? 'exists' : 'exist'} in ${config.region} while ${stackNameOf(config)} does not: the create would fail with "already exists"`,
    [
      `fix: set a different "stackName" in ${configPath}, or delete what an earlier attempt left: ${read.value
        .map(
          (set) =>
            `\`aws sesv2 delete-configuration-set --configuration-set-name ${set} --region ${config.region}\``,
        )
        .join(', ')}`,
    ],
  );
}

/** A record the stack would write into the hosted zone. */
export interface PlannedRecord {
  readonly kind: DnsRecordKind;
  readonly name: string;
  readonly type: 'CNAME' | 'MX' | 'TXT';
}

/**
 * The records the stack writes into the hosted zone. DKIM names are only known once the identity
 * exists, so they are listed only when the config adopts an existing one.
 */
export function plannedDnsRecords(config: ClientConfig): PlannedRecord[] {
  const mailFrom = mailFromDomainOf(config);
  const records: PlannedRecord[] = [
    { kind: 'dmarc', name: `_dmarc.${config.sendingDomain}`, type: 'TXT' },
    { kind: 'mailFromMx', name: mailFrom, type: 'MX' },
    { kind: 'mailFromSpf', name: mailFrom, type: 'TXT' },
  ];
  if (config.tracking.customDomain !== undefined) {
    records.push({ kind: 'tracking', name: config.tracking.customDomain, type: 'CNAME' });
  }
  // No DKIM records: before the identity exists their names are unknown, and for an adopted
  // identity the stack writes none (its DKIM CNAMEs are the integrator's, printed by the identity
  // check), so the ones already in the zone are expected, not conflicts.
  return records;
}

/** A record of the zone that a planned one collides with: same type, or a CNAME on either side. */
function collidesWith(planned: PlannedRecord, existing: ZoneRecordFacts): boolean {
  return (
    existing.name === planned.name &&
    (existing.type === planned.type || existing.type === 'CNAME' || planned.type === 'CNAME')
  );
}

const describeRecord = (record: ZoneRecordFacts) =>
  `${record.name} ${record.type} ${record.values.join(' ')}`;

/** A record set of this stack: its name, and its type when its logical id tells. */
interface OwnedRecord {
  readonly name: string;
  readonly type: string | undefined;
}

/**
 * The type of one of the stack's record sets, from the construct id in its logical id
 * (lib/constructs/identity.ts names them MailFromMxRecord, DmarcRecord, …). A RecordSet's physical
 * id is only its name, and the MAIL FROM name holds both an MX and a TXT.
 */
function recordTypeOf(logicalId: string): string | undefined {
  if (/MailFromMxRecord/.test(logicalId)) return 'MX';
  if (/MailFromSpfRecord|DmarcRecord/.test(logicalId)) return 'TXT';
  if (/TrackingDomainRecord|DkimRecord/.test(logicalId)) return 'CNAME';
  return undefined;
}

function ownedRecordsOf(resources: readonly StackResourceFacts[]): OwnedRecord[] {
  return resources
    .filter((resource) => resource.type === 'AWS::Route53::RecordSet' && resource.physicalId !== undefined)
    .map((resource) => ({ name: normalName(resource.physicalId), type: recordTypeOf(resource.logicalId) }));
}

const ownsRecord = (owned: readonly OwnedRecord[], record: ZoneRecordFacts) =>
  owned.some((mine) => mine.name === record.name && (mine.type === undefined || mine.type === record.type));

/**
 * 8. The hosted zone exists and holds nothing the stack's records would collide with. Records the
 * deployed stack wrote itself (its AWS::Route53::RecordSet resources) are its own, not conflicts;
 * anything else at a name it writes is one, also on an update: the second deploy that adds
 * tracking.customDomain creates a new CNAME.
 */
export function checkDnsRecords(
  ctx: CheckContext,
  zoneRead: Read<ZoneFacts> | undefined,
  resources: Read<readonly StackResourceFacts[]>,
): CheckResult | undefined {
  const { config, configPath } = ctx;
  const zoneConfig = config.hostedZone;
  if (zoneConfig === undefined || zoneRead === undefined) return undefined;
  const name = 'Route 53 records';
  if (!zoneRead.ok) return unreadable(name, `the hosted zone ${zoneConfig.zoneId}`, zoneRead);
  const zone = zoneRead.value;
  if (!zone.found) {
    return blocker(name, `hosted zone ${zoneConfig.zoneId} does not exist in account ${config.account}`, [
      `fix: set hostedZone.zoneId in ${configPath} to the zone of ${zoneConfig.zoneName} (\`aws route53 list-hosted-zones-by-name --dns-name ${zoneConfig.zoneName}\`), or remove hostedZone and publish the records yourself`,
    ]);
  }
  if (zone.name !== zoneConfig.zoneName) {
    return blocker(
      name,
      `hosted zone ${zoneConfig.zoneId} is ${zone.name}, the config says ${zoneConfig.zoneName}`,
      [`fix: correct hostedZone.zoneId or hostedZone.zoneName in ${configPath}`],
    );
  }
  if (zone.privateZone) {
    return blocker(
      name,
      `hosted zone ${zoneConfig.zoneId} is private: receivers and SES cannot see its records`,
      [`fix: set hostedZone.zoneId in ${configPath} to the public zone of ${zone.name}`],
    );
  }
  const owned = resources.ok ? ownedRecordsOf(resources.value) : [];
  const planned = plannedDnsRecords(config);
  const skipped = new Set(config.skipDnsRecords);
  const conflicts: Array<{ planned: PlannedRecord; existing: ZoneRecordFacts }> = [];
  const skippedLines: string[] = [];
  let skippedOwn = false;
  for (const record of planned) {
    const existing = zone.records.filter((candidate) => collidesWith(record, candidate));
    if (skipped.has(record.kind)) {
      const own = existing.filter((found) => ownsRecord(owned, found));
      if (own.length > 0) {
        skippedOwn = true;
        skippedLines.push(
          `skipped (${record.kind}), but ${stackNameOf(config)} wrote ${own.map(describeRecord).join('; ')}: the next deploy deletes it; remove "${record.kind}" from skipDnsRecords to keep it`,
        );
      } else {
        skippedLines.push(
          existing.length > 0
            ? `skipped (${record.kind}), kept as it is: ${existing.map(describeRecord).join('; ')}`
            : `skipped (${record.kind}) but absent: nobody writes ${record.name} ${record.type}; publish it or remove "${record.kind}" from skipDnsRecords`,
        );
      }
      continue;
    }
    for (const found of existing) {
      if (!ownsRecord(owned, found)) conflicts.push({ planned: record, existing: found });
    }
  }
  const missingSkipped = planned.some(
    (record) =>
      skipped.has(record.kind) && !zone.records.some((candidate) => collidesWith(record, candidate)),
  );
  if (conflicts.length > 0 && !resources.ok) {
    // They may be the deployed stack's own records: without its resources, neither ok nor blocker.
    return warning(
      name,
      `${conflicts.length} record${conflicts.length === 1 ? '' : 's'} at names the stack writes already exist${conflicts.length === 1 ? 's' : ''} in ${zone.name}, and it could not tell which ${stackNameOf(config)} wrote: ${failedAction(resources)}`,
      [
        ...conflicts.map(
          ({ planned, existing }) =>
            `${planned.kind}: ${planned.name} ${planned.type}: ${describeRecord(existing)}`,
        ),
        `any of them the stack did not write fails the deploy with "Tried to create resource record set … but it already exists": allow ${resources.action}, or compare with \`aws cloudformation list-stack-resources --stack-name ${stackNameOf(config)} --region ${config.region}\``,
        ...skippedLines,
      ],
    );
  }
  if (conflicts.length > 0) {
    const kinds = [...new Set([...config.skipDnsRecords, ...conflicts.map(({ planned }) => planned.kind)])];
    return blocker(
      name,
      `${conflicts.length} record${conflicts.length === 1 ? '' : 's'} the stack would write already exist${conflicts.length === 1 ? 's' : ''} in ${zone.name}: the create would fail with "Tried to create resource record set … but it already exists"`,
      [
        ...conflicts.map(
          ({ planned, existing }) =>
            `${planned.kind}: ${planned.name} ${planned.type} conflicts with ${describeRecord(existing)}`,
        ),
        `fix: keep them by setting "skipDnsRecords": [${kinds.map((kind) => `"${kind}"`).join(', ')}] in ${configPath} (check each says what you want), or delete them from the zone`,
        ...skippedLines,
      ],
    );
  }
  const ownCount = zone.records.filter((record) => ownsRecord(owned, record)).length;
  const summary =
    ownCount > 0
      ? `zone ${zone.name}: ${ownCount} of the records there are ${stackNameOf(config)}'s own, nothing else is in the way`
      : `zone ${zone.name}: none of the ${planned.length} records the stack writes exists yet`;
  return missingSkipped || skippedOwn
    ? warning(name, summary, skippedLines)
    : ok(name, summary, skippedLines.length > 0 ? skippedLines : undefined);
}

/** Whether a stack is a Mailroom stack: its `app` tag, or the description every Mailroom stack has. */
function isMailroomStack(stack: StackFacts): boolean {
  return stack.tags.app === 'mailroom' || stack.description?.startsWith('Mailroom:') === true;
}

/** A stack's published share of the account's MaxSendRate; a stack that publishes none paces to all of it. */
function shareOf(stack: StackFacts): number {
  const share = Number(stack.outputs.SendRateShare);
  return Number.isFinite(share) && share > 0 && share <= 1 ? share : 1;
}

/** A stack's published absolute rate (its MaxSendRate output, with maxSendRate set), in mails per second. */
function absoluteRateOf(stack: StackFacts): number | undefined {
  const rate = Number(stack.outputs.MaxSendRate);
  return stack.outputs.MaxSendRate !== undefined && Number.isFinite(rate) && rate > 0 ? rate : undefined;
}

/**
 * Whether `total` is more than `limit`. Shares and rates are decimal fractions summed in floating
 * point, so 0.7 + 0.2 + 0.1 is not "more than 1"; the tolerance is far below any share one writes.
 */
const exceeds = (total: number, limit: number) => total > limit * (1 + 1e-12);

/**
 * A number for the report: three decimals, more where three would misstate the comparison with
 * `limit` (three shares of 0.333333334 add up to 1.000000002, not "1").
 */
export function shown(value: number, limit?: number): string {
  for (let digits = 3; digits <= 15; digits++) {
    const rounded = Number(value.toFixed(digits));
    if (limit === undefined || exceeds(rounded, limit) === exceeds(value, limit)) return String(rounded);
  }
  return String(value);
}

/** An even split among n stacks, rounded down to three decimals so n of them add up to at most 1. */
const evenShare = (n: number) => Math.floor(1000 / n) / 1000;

/**
 * 9. Mailroom stacks in one account and region share one MaxSendRate. Each paces to its own rate:
 * its maxSendRate (an absolute rate, published as its MaxSendRate output) or its sendRateShare of
 * the account's MaxSendRate; together those must stay within the account's MaxSendRate, or they
 * are throttled. Without the account's rate (ses:GetAccount denied) only the shares can be added.
 */
export function checkOtherStacks(
  ctx: CheckContext,
  read: Read<readonly StackFacts[]>,
  sesRead: Read<SesAccountFacts>,
): CheckResult {
  const name = 'other Mailroom stacks';
  if (!read.ok) return unreadable(name, 'other Mailroom stacks', read);
  const { config, configPath } = ctx;
  const own = stackNameOf(config);
  const others = read.value.filter(
    (stack) => stack.stackName !== own && !NOT_DEPLOYED.has(stack.status) && isMailroomStack(stack),
  );
  if (others.length === 0)
    return ok(name, `none in ${config.region}: this stack has the account's whole sending rate`);
  const n = others.length + 1;
  const even = evenShare(n);
  const absolute = [
    ...others.filter((stack) => absoluteRateOf(stack) !== undefined).map((stack) => stack.stackName),
    ...(config.maxSendRate === undefined ? [] : ['this stack']),
  ];
  const absoluteFix =
    absolute.length === 0
      ? []
      : [
          `${absolute.join(', ')} ${absolute.length === 1 ? 'sets' : 'set'} an absolute maxSendRate, which no share divides: lower it so the rates fit, or replace it with a sendRateShare`,
        ];
  const shareFix = `fix: set "sendRateShare" in ${configPath} and in the other stacks' configs (each redeployed) so they add up to at most 1, e.g. 1/${n} each: "sendRateShare": ${even}`;
  const accountRate = sesRead.ok && sesRead.value.maxSendRate > 0 ? sesRead.value.maxSendRate : undefined;

  if (accountRate !== undefined) {
    const rateOf = (stack: StackFacts) => absoluteRateOf(stack) ?? shareOf(stack) * accountRate;
    const describe = (stack: StackFacts) => {
      const rate = absoluteRateOf(stack);
      return rate !== undefined
        ? `${stack.stackName} (maxSendRate ${shown(rate)}/s)`
        : `${stack.stackName} (share ${shareOf(stack)} = ${shown(shareOf(stack) * accountRate)}/s)`;
    };
    const ownRate = config.maxSendRate ?? config.sendRateShare * accountRate;
    const ownLabel =
      config.maxSendRate !== undefined
        ? `maxSendRate ${shown(config.maxSendRate)}/s`
        : `share ${config.sendRateShare} = ${shown(ownRate)}/s`;
    const listed = others.map(describe).join(', ');
    const total = others.reduce((sum, stack) => sum + rateOf(stack), ownRate);
    if (exceeds(total, accountRate)) {
      return blocker(
        name,
        `${listed} and this stack (${ownLabel}) would together pace to ${shown(total, accountRate)} mails/s, ${shown(total - accountRate)}/s more than the account's MaxSendRate of ${shown(accountRate)}/s, and be throttled: e.g. ${even} each (1/${n})`,
        [shareFix, ...absoluteFix],
      );
    }
    return ok(
      name,
      `${listed}; with this stack's ${ownLabel} they pace to ${shown(total, accountRate)} of the account's ${shown(accountRate)} mails/s`,
    );
  }

  // The account's rate is unknown: only shares compare, absolute rates cannot be placed.
  const shared = others.filter((stack) => absoluteRateOf(stack) === undefined);
  const listed = others
    .map((stack) => {
      const rate = absoluteRateOf(stack);
      return rate === undefined
        ? `${stack.stackName} (share ${shareOf(stack)})`
        : `${stack.stackName} (maxSendRate ${shown(rate)}/s)`;
    })
    .join(', ');
  const ownLabel =
    config.maxSendRate === undefined
      ? `share ${config.sendRateShare}`
      : `maxSendRate ${shown(config.maxSendRate)}/s`;
  const total = shared.reduce(
    (sum, stack) => sum + shareOf(stack),
    config.maxSendRate === undefined ? config.sendRateShare : 0,
  );
  const unknownRate = sesRead.ok
    ? "the account's MaxSendRate is 0"
    : `the account's MaxSendRate is unknown (${failedAction(sesRead)})`;
  if (exceeds(total, 1)) {
    return blocker(
      name,
      `${listed} and this stack (${ownLabel}): the shares alone add up to ${shown(total, 1)}, more than 1, so together they pace past the account's MaxSendRate and are throttled: e.g. ${even} each (1/${n})`,
      [shareFix, ...absoluteFix],
    );
  }
  if (absolute.length > 0) {
    return warning(
      name,
      `${listed} and this stack (${ownLabel}): ${unknownRate}, so the absolute rates cannot be added to the shares (${shown(total, 1)})`,
      [
        `check by hand that the absolute rates plus the shares times the account's MaxSendRate stay within it: \`aws sesv2 get-account --region ${config.region}\``,
        ...absoluteFix,
      ],
    );
  }
  return ok(
    name,
    `${listed}; with this stack's ${config.sendRateShare} the shares add up to ${shown(total, 1)} (${unknownRate})`,
  );
}

/**
 * The console turned on in the stack's first deploy. A brand-new account can be refused its first
 * CloudFront distribution (403 AccessDenied "Your account must be verified before you can add new
 * CloudFront resources" until AWS Support verifies it: aws-samples/aws-cdk-examples#279,
 * anomalyco/sst#3704), and no read-only call tells whether it will be: a warning, with the safe order.
 */
export function checkConsole(
  ctx: CheckContext,
  stacks: Read<readonly StackFacts[]>,
): CheckResult | undefined {
  const { config, configPath } = ctx;
  if (!config.console.enabled) return undefined;
  const name = 'console';
  if (deployedStackOf(config, stacks) !== undefined) {
    return ok(name, 'on, in a stack that is already deployed');
  }
  return warning(
    name,
    'on in the first deploy: a new account can be refused its first CloudFront distribution ("Your account must be verified before you can add new CloudFront resources"), which rolls the whole deploy back',
    [
      `safer: set "console": {"enabled": false} in ${configPath}, deploy, then turn it on in a second deploy`,
      'if that deploy fails with the message above, open an AWS Support case quoting it and deploy again once they answer',
    ],
  );
}

/** Every check after the credentials, in the order the report prints them. */
export function runChecks(ctx: CheckContext, facts: AccountFacts): CheckResult[] {
  const { config } = ctx;
  const results: Array<CheckResult | undefined> = [
    checkCredentials(config, facts.caller),
    checkBootstrap(config, facts.bootstrapVersion),
    checkLambdaConcurrency(ctx, facts.lambda),
    checkApiGatewayLoggingRole(ctx, facts.apiGatewayLoggingRoleArn),
    checkSesProductionAccess(config, facts.ses),
    checkSesSending(config, facts.ses),
    checkIdentity(ctx, facts.identity, facts.stacks, facts.ownResources),
    checkAdoptedMailFrom(ctx, facts.identity),
    checkTrackingDomain(ctx, facts.identity),
    checkConfigurationSets(ctx, facts.existingConfigurationSets, facts.stacks),
    checkDnsRecords(ctx, facts.zone, facts.ownResources),
    checkOtherStacks(ctx, facts.stacks, facts.ses),
    checkConsole(ctx, facts.stacks),
  ];
  return results.filter((result): result is CheckResult => result !== undefined);
}
