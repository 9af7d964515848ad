import { Match } from 'aws-cdk-lib/assertions';
import { ROUTE_IDS, ROUTES, type RouteContract, type RouteId, routeKey } from '../../contract/routes';
import { exampleStack } from './support/example-stack';
import { actions, type Resources, rendered, resourcesOf, statementsIn } from './support/template';

/**
 * Access per backend: the stack's two managed policies, send-only and admin, allow exactly the
 * routes the contract gives their access level (contract/routes.ts), and nothing else.
 */

const { stack, template, helpers } = exampleStack();

/** The example config's account and region, and the stage every route is deployed to. */
const PREFIX = () =>
  `arn:aws:execute-api:eu-west-1:123456789012:<${helpers.logicalId(stack.api.restApi)}>/live`;

const routes = (): [RouteId, RouteContract][] => ROUTE_IDS.map((id) => [id, ROUTES[id]]);

/** The ARN a policy names for a route: its path parameters as `*`. */
const policyArn = (route: RouteContract) =>
  `${PREFIX()}/${route.method}${route.path.replace(/\{[^}]+\}/g, '*')}`;

/** The ARN API Gateway checks for one request: the path as called, with concrete parameters. */
const requestArn = (method: string, path: string) => `${PREFIX()}/${method}${path}`;

/** A request to a route, its parameters filled in (an e-mail address as a client encodes it). */
const requestTo = (route: RouteContract) =>
  requestArn(
    route.method,
    route.path.replace(/\{([^}]+)\}/g, (_, name: string) =>
      name === 'email' ? 'jane%40example.org' : `${name}-6f0c1e2d`,
    ),
  );

/** The one statement of a managed policy, its resources rendered (`<LogicalId>` for references). */
function statementOf(policy: typeof stack.api.sendOnlyPolicy) {
  const statements = statementsIn(helpers.resourceOf(policy));
  expect(statements).toHaveLength(1);
  const [statement] = statements;
  if (statement === undefined) throw new Error('no statement');
  return {
    effect: statement.Effect,
    actions: actions(statement),
    condition: statement.Condition,
    // Sorted: the policy lists them sorted (CDK's policy minimization), the tests in contract order.
    resources: resourcesOf(statement).map(rendered).sort(),
  };
}

/** IAM's matching of a resource pattern: `*` any run of characters (`/` included), `?` one. */
function allows(patterns: readonly string[], arn: string): boolean {
  return patterns.some((pattern) => {
    const source = pattern
      .split('')
      .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
      .join('');
    return new RegExp(`^${source}$`).test(arn);
  });
}

describe('the contract', () => {
  it('gives the send level exactly: send, read its emails, read templates', () => {
    const send = routes()
      .filter(([, route]) => route.auth === 'iam' && route.access === 'send')
      .map(([, route]) => routeKey(route));

    expect(send).toEqual([
      'POST /v1/emails',
      'GET /v1/emails/{id}',
      'GET /v1/templates',
      'GET /v1/templates/{name}',
    ]);
  });
});

describe('send-only policy', () => {
  it("allows execute-api:Invoke on exactly the contract's send routes, unconditionally", () => {
    expect(statementOf(stack.api.sendOnlyPolicy)).toEqual({
      effect: 'Allow',
      actions: ['execute-api:Invoke'],
      condition: undefined,
      resources: routes()
        .filter(([, route]) => route.auth === 'iam' && route.access === 'send')
        .map(([, route]) => policyArn(route))
        .sort(),
    });
  });

  it.each(routes())('%s: a request is allowed exactly when the route is a send route', (_, route) => {
    const { resources } = statementOf(stack.api.sendOnlyPolicy);

    expect(allows(resources, requestTo(route))).toBe(route.auth === 'iam' && route.access === 'send');
  });

  it.each([
    ['POST', '/v1/emails', true],
    ['GET', '/v1/emails/6f0c1e2d', true],
    ['GET', '/v1/templates', true],
    ['GET', '/v1/templates/welcome', true],
    ['PUT', '/v1/templates/welcome', false],
    ['DELETE', '/v1/templates/welcome', false],
    ['GET', '/v1/account', false],
    ['POST', '/v1/account/bulk/resume', false],
    ['GET', '/v1/campaigns', false],
    ['POST', '/v1/campaigns', false],
    ['POST', '/v1/campaigns/6f0c1e2d/send', false],
    ['GET', '/v1/suppressions', false],
    ['PUT', '/v1/suppressions/jane%40example.org', false],
    ['DELETE', '/v1/suppressions/jane%40example.org', false],
  ])('%s %s: allowed %s', (method, path, allowed) => {
    expect(allows(statementOf(stack.api.sendOnlyPolicy).resources, requestArn(method, path))).toBe(allowed);
  });

  it('names no other stage or account', () => {
    const { resources } = statementOf(stack.api.sendOnlyPolicy);

    expect(allows(resources, requestArn('POST', '/v1/emails').replace('/live/', '/test/'))).toBe(false);
    expect(allows(resources, requestArn('POST', '/v1/emails').replace('123456789012', '210987654321'))).toBe(
      false,
    );
  });
});

describe('admin policy', () => {
  it('allows execute-api:Invoke on every /v1 route of the contract, unconditionally', () => {
    expect(statementOf(stack.api.adminPolicy)).toEqual({
      effect: 'Allow',
      actions: ['execute-api:Invoke'],
      condition: undefined,
      resources: routes()
        .filter(([, route]) => route.auth === 'iam')
        .map(([, route]) => policyArn(route))
        .sort(),
    });
  });

  it.each(routes())('%s: a request is allowed exactly when the route is a /v1 route', (_, route) => {
    const { resources } = statementOf(stack.api.adminPolicy);

    expect(allows(resources, requestTo(route))).toBe(route.path.startsWith('/v1/'));
  });

  it("is a policy of its own, described as the operators' policy", () => {
    expect(helpers.logicalId(stack.api.adminPolicy)).toMatch(/^ApiAdminPolicy[0-9A-F]{8}$/);
    expect(helpers.resourceOf(stack.api.adminPolicy).Properties?.Description).toMatch(
      /^Mailroom API, admin: every \/v1 route/,
    );
  });

  it('stays well inside the 6,144 characters IAM allows a managed policy, in the longest region', () => {
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html (whitespace not counted)
    const document = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: 'execute-api:Invoke',
          Resource: statementOf(stack.api.adminPolicy).resources,
        },
      ],
    })
      .replace(/<[^>]+>/g, 'a1b2c3d4e5')
      .replace(/arn:aws:execute-api:eu-west-1:/g, 'arn:aws-us-gov:execute-api:ap-southeast-5:');

    expect(document.length).toBeLessThan(6144 / 2);
  });
});

describe('the stack', () => {
  it('has these two managed policies and no other', () => {
    expect(Object.keys(template.findResources('AWS::IAM::ManagedPolicy')).sort()).toEqual(
      [helpers.logicalId(stack.api.adminPolicy), helpers.logicalId(stack.api.sendOnlyPolicy)].sort(),
    );
    const attached = Object.values(template.findResources('AWS::IAM::ManagedPolicy') as Resources).map(
      (policy) => [policy.Properties?.Roles, policy.Properties?.Users, policy.Properties?.Groups],
    );
    // The client attaches them to its own roles and users; the stack attaches them to nobody.
    expect(attached).toEqual([
      [undefined, undefined, undefined],
      [undefined, undefined, undefined],
    ]);
  });

  it('outputs both ARNs, each with a description', () => {
    template.hasOutput('SendOnlyPolicyArn', {
      Value: helpers.ref(stack.api.sendOnlyPolicy),
      Description: Match.stringLikeRegexp('send transactional mail, read its emails, read templates'),
    });
    template.hasOutput('AdminPolicyArn', {
      Value: helpers.ref(stack.api.adminPolicy),
      Description: Match.stringLikeRegexp('every /v1 route'),
    });
  });
});
