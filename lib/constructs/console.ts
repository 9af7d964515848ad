import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CfnOutput, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { writeConsole } from '../../console/build';
import { contentSecurityPolicy } from '../../console/headers';
import type { ConsoleConfig } from '../../console/src/config';
import { flattenReferences } from '../nag';

/** Properties of {@link MailroomConsole}. */
export interface MailroomConsoleProps {
  /**
   * Prefix of the Cognito hosted sign-in domain (`{prefix}.auth.{region}.amazoncognito.com`):
   * unique in the region across all AWS accounts, lower-case letters, digits and hyphens.
   */
  readonly signInDomainPrefix: string;
  /**
   * What happens to the user pool when the stack is deleted.
   * @default RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE
   */
  readonly userPoolRemovalPolicy?: RemovalPolicy;
  /**
   * What happens to the deployment function's log group when the stack is deleted.
   * @default RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE
   */
  readonly logRemovalPolicy?: RemovalPolicy;
}

/** What the console needs from the API once both exist (see {@link MailroomConsole.connect}). */
export interface ConsoleApi {
  /** The API's base URL with its stage, e.g. `https://abc.execute-api.eu-west-1.amazonaws.com/live`. */
  readonly url: string;
  /** The API's origin, for the CSP's connect-src: `https://abc.execute-api.eu-west-1.amazonaws.com`. */
  readonly origin: string;
  /** The managed policy allowing every /v1 route (MailroomApi.adminPolicy). */
  readonly adminPolicy: iam.IManagedPolicy;
}

/**
 * The campaign console in AWS (issue 15): its static files in a private S3 bucket, served only
 * through CloudFront (origin access control, HTTPS, a strict CSP); sign-in with a Cognito user
 * pool (users created by an admin, MFA optional) whose users get temporary credentials from an
 * identity pool; its authenticated role carries the admin API policy, so the browser signs /v1
 * requests with SigV4 like any backend. No second API: the console calls the public /v1 routes.
 *
 * Built in two steps because the API and the console each need the other: the API's CORS answers
 * name the console's origin (available at construction), and the console's CSP, configuration
 * and role name the API ({@link connect}).
 */
export class MailroomConsole extends Construct {
  /** `https://{distribution}.cloudfront.net`: what the API's CORS answers allow. */
  readonly origin: string;
  readonly bucket: s3.Bucket;
  readonly userPool: cognito.UserPool;
  readonly userPoolClient: cognito.UserPoolClient;
  readonly identityPool: cognito.CfnIdentityPool;
  /** The role signed-in users act as: the admin API policy, nothing else. */
  readonly authenticatedRole: iam.Role;
  private readonly signInUrl: string;
  private readonly headersPolicy: cloudfront.CfnResponseHeadersPolicy;
  private readonly logRemovalPolicy: RemovalPolicy;
  readonly distribution: cloudfront.Distribution;

  constructor(scope: Construct, id: string, props: MailroomConsoleProps) {
    super(scope, id);
    this.logRemovalPolicy = props.logRemovalPolicy ?? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE;

    this.bucket = new s3.Bucket(this, 'Assets', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // Only built files, written again by every deploy: nothing to keep. The deployment empties it
      // on delete (retainOnDelete false), so the bucket itself can go.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'The bucket holds only the console build, written by the stack; readers come through ' +
        'CloudFront, and the API it calls keeps its own access log of every request.',
    });

    // The CSP is completed in connect(), when the API's origin is known; a placeholder until then.
    const headers = new cloudfront.ResponseHeadersPolicy(this, 'Headers', {
      responseHeadersPolicyName: globalName(this, 'headers'),
      comment: 'Mailroom console: strict CSP and security headers',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: contentSecurityPolicy([]), override: true },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(365),
          includeSubdomains: true,
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
      },
    });
    this.headersPolicy = headers.node.defaultChild as cloudfront.CfnResponseHeadersPolicy;

    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'Mailroom campaign console',
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket, {
          originAccessControl: new cloudfront.S3OriginAccessControl(this, 'OriginAccess', {
            originAccessControlName: globalName(this, 'oac'),
          }),
        }),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: headers,
      },
      // The operators are few and the files small: the cheapest edge locations do.
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
    });
    Validations.of(this.distribution).acknowledge(
      {
        id: 'AwsSolutions-CFR1',
        reason: 'Operators sign in from wherever they work; Cognito sign-in and IAM guard every API call.',
      },
      {
        id: 'AwsSolutions-CFR2',
        reason:
          'Static files only; every action goes to the IAM-signed API, and the sign-in pages are ' +
          "Cognito's. A client that wants WAF can associate a web ACL with the distribution.",
      },
      {
        id: 'AwsSolutions-CFR3',
        reason:
          'Static files only: the API access log records every action a signed-in operator takes, ' +
          'and CloudFront standard logs would need an ACL-enabled bucket.',
      },
      {
        id: 'AwsSolutions-CFR4',
        reason:
          'The distribution uses the default *.cloudfront.net certificate, for which CloudFront ' +
          'fixes the TLS policy; viewers are redirected to HTTPS. A custom domain with its own ' +
          'certificate would allow TLSv1.2_2021.',
      },
    );
    this.origin = `https://${this.distribution.distributionDomainName}`;

    this.userPool = new cognito.UserPool(this, 'Users', {
      // Operators are created by an admin (`aws cognito-idp admin-create-user`), never sign up.
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      autoVerify: { email: true },
      mfa: cognito.Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 14,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      featurePlan: cognito.FeaturePlan.ESSENTIALS,
      removalPolicy: props.userPoolRemovalPolicy ?? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });
    Validations.of(this.userPool).acknowledge(
      {
        id: 'AwsSolutions-COG2',
        reason:
          'Issue 15 asks for optional MFA (TOTP): the integrator decides per operator; every API ' +
          'action is also bounded by the admin policy and logged.',
      },
      {
        id: 'AwsSolutions-COG8',
        reason:
          "Threat protection needs Cognito's Plus plan, billed per user; a handful of admin-created " +
          'operators with a strong password policy and optional MFA does not warrant it by default.',
      },
    );
    const domain = this.userPool.addDomain('SignIn', {
      cognitoDomain: { domainPrefix: props.signInDomainPrefix },
    });
    this.signInUrl = domain.baseUrl();
    const callback = `${this.origin}/`;
    this.userPoolClient = this.userPool.addClient('Console', {
      // A browser page keeps no secret: authorization code with PKCE.
      generateSecret: false,
      authFlows: {},
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL],
        callbackUrls: [callback],
        logoutUrls: [callback],
      },
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
    });

    this.identityPool = new cognito.CfnIdentityPool(this, 'Identities', {
      allowUnauthenticatedIdentities: false,
      allowClassicFlow: false,
      cognitoIdentityProviders: [
        {
          clientId: this.userPoolClient.userPoolClientId,
          providerName: this.userPool.userPoolProviderName,
          serverSideTokenCheck: true,
        },
      ],
    });
    this.authenticatedRole = new iam.Role(this, 'OperatorRole', {
      description: 'Mailroom console operators (Cognito identity pool, authenticated): the admin API policy',
      assumedBy: new iam.FederatedPrincipal(
        'cognito-identity.amazonaws.com',
        {
          StringEquals: { 'cognito-identity.amazonaws.com:aud': this.identityPool.ref },
          'ForAnyValue:StringLike': { 'cognito-identity.amazonaws.com:amr': 'authenticated' },
        },
        'sts:AssumeRoleWithWebIdentity',
      ),
      maxSessionDuration: Duration.hours(1),
    });
    new cognito.CfnIdentityPoolRoleAttachment(this, 'Roles', {
      identityPoolId: this.identityPool.ref,
      roles: { authenticated: this.authenticatedRole.roleArn },
    });
  }

  /**
   * Completes the console once the API exists: the operators' role gets the admin policy, the CSP
   * allows the API and Cognito, and the build goes to the bucket with its config.json.
   */
  connect(api: ConsoleApi): void {
    const region = Stack.of(this).region;
    this.authenticatedRole.addManagedPolicy(api.adminPolicy);
    this.headersPolicy.addPropertyOverride(
      'ResponseHeadersPolicyConfig.SecurityHeadersConfig.ContentSecurityPolicy.ContentSecurityPolicy',
      contentSecurityPolicy([
        api.origin,
        this.signInUrl,
        `https://cognito-identity.${region}.${Stack.of(this).urlSuffix}`,
      ]),
    );
    const config: ConsoleConfig = {
      apiUrl: api.url,
      auth: {
        region,
        userPoolId: this.userPool.userPoolId,
        userPoolClientId: this.userPoolClient.userPoolClientId,
        identityPoolId: this.identityPool.ref,
        signInUrl: this.signInUrl,
      },
    };
    const deployment = new s3deploy.BucketDeployment(this, 'Deploy', {
      sources: [s3deploy.Source.asset(builtConsoleDir()), s3deploy.Source.jsonData('config.json', config)],
      destinationBucket: this.bucket,
      distribution: this.distribution,
      distributionPaths: ['/*'],
      retainOnDelete: false,
      memoryLimit: 256,
      // Its own log group, removed like the stack's others (CDK's default one would be kept forever).
      logGroup: new logs.LogGroup(this, 'DeployLogs', {
        retention: logs.RetentionDays.ONE_MONTH,
        removalPolicy: this.logRemovalPolicy,
      }),
    });
    acknowledgeDeploymentHandler(this, deployment);

    new CfnOutput(Stack.of(this), 'ConsoleUrl', {
      description: 'The campaign console: sign in with a user created in ConsoleUserPoolId',
      value: `${this.origin}/`,
    });
    new CfnOutput(Stack.of(this), 'ConsoleUserPoolId', {
      description:
        'Cognito user pool of the console operators (aws cognito-idp admin-create-user --user-pool-id …)',
      value: this.userPool.userPoolId,
    });
  }
}

let builtDir: string | undefined;

/** The console build in a folder, written once per process (a test synthesizes many stacks). */
function builtConsoleDir(): string {
  builtDir ??= writeConsole(mkdtempSync(join(tmpdir(), 'mailroom-console-')));
  return builtDir;
}

/**
 * BucketDeployment's copy function is CDK's own singleton (Python, the AWS-managed basic execution
 * policy, wildcards on the objects of the console bucket and of CDK's asset bucket, CloudFront
 * invalidations on "*"): acknowledged on it, where cdk-nag reports it. The IAM5 finding ids are
 * derived from its policy as CDK wrote it, the way cdk-nag renders them, not copied from a log.
 */
function acknowledgeDeploymentHandler(scope: Construct, deployment: s3deploy.BucketDeployment): void {
  const stack = Stack.of(scope);
  const handler = stack.node.children.find((child) =>
    child.node.id.startsWith('Custom::CDKBucketDeployment'),
  );
  if (handler !== undefined) {
    Validations.of(handler).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        "CDK's BucketDeployment function runs the Python runtime CDK ships it with (it calls the " +
        'AWS CLI) and runs only during a deploy, to copy the console build.',
    });
  }
  const role = deployment.handlerRole;
  Validations.of(role).acknowledge({
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    reason: "CDK's BucketDeployment function writes its logs with the AWS-managed basic execution policy.",
  });
  const policy = role.node.tryFindChild('DefaultPolicy') as iam.Policy | undefined;
  const document = stack.resolve(policy?.document.toJSON()) as
    | { Statement?: Array<{ Action?: string | string[]; Resource?: unknown }> }
    | undefined;
  const ids = new Set<string>();
  for (const statement of document?.Statement ?? []) {
    for (const action of [statement.Action ?? []].flat())
      if (action.includes('*')) ids.add(`Action::${action}`);
    for (const resource of [statement.Resource ?? []].flat()) {
      const text = flattenReferences(resource);
      if (text.includes('*')) ids.add(`Resource::${text}`);
    }
  }
  for (const id of ids) {
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[${id}]`,
      reason:
        "CDK's BucketDeployment copies the console build from CDK's asset bucket into the console " +
        'bucket (every object of both: …/*, the s3:GetObject*/List*/DeleteObject* families CDK ' +
        'grants) and invalidates the distribution (CloudFront invalidations take no resource ARN).',
    });
  }
}

/**
 * A name for a CloudFront resource that must be unique in the account across every region (response
 * headers policies, origin access controls): CDK's default comes from the construct path alone, so the
 * same stack name deployed in a second region would collide ("already exists"). Stack name, region and
 * what it is, within CloudFront's 64-character limit for origin access control names.
 */
function globalName(scope: Construct, what: string): string {
  const { stackName, region } = Stack.of(scope);
  const suffix = `-${region}-console-${what}`;
  return `${stackName.slice(0, 64 - suffix.length)}${suffix}`;
}
