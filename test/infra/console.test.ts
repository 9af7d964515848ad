import { readFileSync } from 'node:fs';
import { Match } from 'aws-cdk-lib/assertions';
import { CORS_ALLOW_HEADERS } from '../../contract/cors';
import { EXAMPLE_CONFIG, synthesizeMailroom } from './support/app';
import { exampleStack } from './support/example-stack';
import { type Resources, rendered } from './support/template';

const { stack, template, helpers } = exampleStack();
const resources = template.toJSON().Resources as Resources;
const ofType = (type: string) => Object.values(resources).filter((resource) => resource.Type === type);
const site = stack.console;
/** A value that names the distribution's domain, as CloudFormation writes the reference. */
const namesConsoleDomain = (value: unknown): boolean =>
  site !== undefined &&
  JSON.stringify(value).includes(`{"Fn::GetAtt":["${helpers.logicalId(site.distribution)}","DomainName"]}`);

describe('the console hosting', () => {
  it('names its account-wide CloudFront resources by stack and region, so a second region does not collide', () => {
    const names = [
      ...ofType('AWS::CloudFront::ResponseHeadersPolicy').map(
        (r) => (r.Properties?.ResponseHeadersPolicyConfig as { Name?: string } | undefined)?.Name,
      ),
      ...ofType('AWS::CloudFront::OriginAccessControl').map(
        (r) => (r.Properties?.OriginAccessControlConfig as { Name?: string } | undefined)?.Name,
      ),
    ];
    expect(names).toHaveLength(2);
    for (const name of names) {
      expect(name).toMatch(new RegExp(`^${stack.stackName}-${stack.region}-console-`));
      expect(name?.length).toBeLessThanOrEqual(64);
    }
  });

  it('keeps its files in a private, encrypted, TLS-only bucket', () => {
    if (site === undefined) throw new Error('the example config has the console on');
    expect(helpers.resourceOf(site.bucket).Properties).toMatchObject({
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
    });
    const policy = ofType('AWS::S3::BucketPolicy')
      .map((p) => JSON.stringify(p.Properties))
      .find((p) => p.includes(helpers.logicalId(site.bucket)));
    expect(policy).toContain('"aws:SecureTransport":"false"');
    // Read only by CloudFront on behalf of this distribution (origin access control), by no one else.
    expect(policy).toContain('cloudfront.amazonaws.com');
    expect(policy).toContain('AWS:SourceArn');
    expect(policy).not.toContain('"Principal":"*","Action":"s3:GetObject"');
  });

  it('serves it only through CloudFront with origin access control, over HTTPS', () => {
    template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultRootObject: 'index.html',
        DefaultCacheBehavior: Match.objectLike({ ViewerProtocolPolicy: 'redirect-to-https' }),
        Origins: [Match.objectLike({ OriginAccessControlId: Match.anyValue() })],
      }),
    });
  });

  it('sends a strict CSP (own script only; connect to the API and Cognito) and the security headers', () => {
    const [policy] = ofType('AWS::CloudFront::ResponseHeadersPolicy');
    const config = policy?.Properties?.ResponseHeadersPolicyConfig as
      | { SecurityHeadersConfig: Record<string, Record<string, unknown>> }
      | undefined;
    const security = config?.SecurityHeadersConfig ?? {};
    const csp = rendered(security.ContentSecurityPolicy?.ContentSecurityPolicy);

    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self';");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toMatch(/connect-src 'self' https:\/\/<Api\w+>\.execute-api\./);
    expect(csp).toContain('amazoncognito.com');
    expect(csp).toContain('https://cognito-identity.');
    expect(security).toMatchObject({
      StrictTransportSecurity: { Override: true },
      ContentTypeOptions: { Override: true },
      FrameOptions: { FrameOption: 'DENY' },
      ReferrerPolicy: { ReferrerPolicy: 'no-referrer' },
    });
  });

  it('deploys the esbuild output and a config.json naming the API and the pools', () => {
    const [deployment] = ofType('Custom::CDKBucketDeployment');
    const properties = JSON.stringify(deployment?.Properties);
    expect(deployment?.Properties?.SourceObjectKeys).toHaveLength(2);
    expect(properties).toContain('DistributionPaths');
    expect(stack.console?.origin).toBeDefined();
  });

  it('outputs the console URL and the user pool id', () => {
    template.hasOutput('ConsoleUrl', Match.anyValue());
    template.hasOutput('ConsoleUserPoolId', Match.anyValue());
  });
});

describe('the console sign-in', () => {
  it('takes no self sign-up, asks for a strong password and offers TOTP MFA', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      MfaConfiguration: 'OPTIONAL',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      Policies: {
        PasswordPolicy: Match.objectLike({
          MinimumLength: 14,
          RequireLowercase: true,
          RequireUppercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
        }),
      },
    });
  });

  it('signs in through the hosted page with the authorization code flow, no client secret', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      GenerateSecret: false,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      SupportedIdentityProviders: ['COGNITO'],
    });
    template.resourceCountIs('AWS::Cognito::UserPoolDomain', 1);
  });

  it('gives signed-in operators a role with the admin API policy and nothing else; no guests', () => {
    if (site === undefined) throw new Error('the example config has the console on');
    template.hasResourceProperties('AWS::Cognito::IdentityPool', { AllowUnauthenticatedIdentities: false });
    const role = helpers.resourceOf(site.authenticatedRole).Properties ?? {};

    expect(role.ManagedPolicyArns).toEqual([helpers.ref(stack.api.adminPolicy)]);
    expect(role.Policies).toBeUndefined();
    expect(JSON.stringify(role.AssumeRolePolicyDocument)).toContain(
      '"cognito-identity.amazonaws.com:amr":"authenticated"',
    );
    template.hasResourceProperties('AWS::Cognito::IdentityPoolRoleAttachment', {
      Roles: { authenticated: Match.anyValue() },
    });
  });
});

describe("the API's CORS for the console", () => {
  it("answers preflights on /v1 resources without auth, with the console's origin and SigV4's headers", () => {
    const preflights = ofType('AWS::ApiGateway::Method').filter(
      (m) => m.Properties?.HttpMethod === 'OPTIONS',
    );
    expect(preflights.length).toBeGreaterThan(5);
    for (const preflight of preflights) {
      expect(preflight.Properties?.AuthorizationType).toBe('NONE');
      expect(namesConsoleDomain(preflight.Properties?.Integration)).toBe(true);
      const text = JSON.stringify(preflight.Properties?.Integration);
      for (const header of CORS_ALLOW_HEADERS) expect(text).toContain(header);
    }
  });

  it("names the console's origin in the api function's answers and the gateway's own errors", () => {
    const environment = helpers.resourceOf(stack.api.function.lambda).Properties?.Environment as
      | { Variables: Record<string, unknown> }
      | undefined;
    const variables = environment?.Variables ?? {};
    expect(rendered(variables.CONSOLE_ORIGIN)).toMatch(/^https:\/\/<Console\w+\.DomainName>$/);
    for (const response of ofType('AWS::ApiGateway::GatewayResponse')) {
      expect(namesConsoleDomain(response.Properties?.ResponseParameters)).toBe(true);
    }
  });
});

describe('a config that does not turn the console on (clients/example.json as shipped)', () => {
  it('has no bucket, distribution, pools, preflights or CORS variable: a new account may not create CloudFront resources yet', () => {
    const example = JSON.parse(readFileSync(EXAMPLE_CONFIG, 'utf8')) as Record<string, unknown>;
    expect(example.console).toBeUndefined();
    const app = synthesizeMailroom([EXAMPLE_CONFIG], { bundle: false });
    try {
      const [off] = app.stacks;
      const offResources = Object.values(
        (app.assembly.getStackByName(off?.stackName ?? '').template as { Resources: Resources }).Resources,
      );
      const types = new Set(offResources.map((r) => r.Type));
      for (const type of ['AWS::CloudFront::Distribution', 'AWS::Cognito::UserPool', 'AWS::S3::Bucket']) {
        expect(types.has(type)).toBe(false);
      }
      expect(offResources.filter((r) => r.Properties?.HttpMethod === 'OPTIONS')).toEqual([]);
      expect(off?.console).toBeUndefined();
    } finally {
      app.cleanup();
    }
  });
});
