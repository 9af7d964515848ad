import type { Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import type * as iam from 'aws-cdk-lib/aws-iam';

export type Resources = Record<
  string,
  { Type: string; Properties?: Record<string, unknown> } & Record<string, unknown>
>;

export interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Principal?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

type Construct = { node: { defaultChild?: unknown } };

/** The statements of a policy-like resource (IAM policy, managed policy, topic or key policy). */
export const statementsIn = (resource: Resources[string], property = 'PolicyDocument'): Statement[] =>
  (resource.Properties?.[property] as { Statement?: Statement[] } | undefined)?.Statement ?? [];

/** A statement's actions, sorted. */
export const actions = (statement: Statement): string[] =>
  (Array.isArray(statement.Action) ? statement.Action : [statement.Action]).slice().sort();

/** Lookups of constructs in the template of the stack they belong to. */
export function templateOf(stack: Stack, template: Template) {
  const logicalId = (construct: Construct): string =>
    stack.getLogicalId(construct.node.defaultChild as Parameters<Stack['getLogicalId']>[0]);
  const ref = (construct: Construct) => ({ Ref: logicalId(construct) });
  const arnOf = (construct: Construct) => ({ 'Fn::GetAtt': [logicalId(construct), 'Arn'] });

  /** The statements of the default policy attached to a role. */
  const statementsOf = (role: iam.Role): Statement[] => {
    const policies = template.findResources('AWS::IAM::Policy', {
      Properties: { Roles: [{ Ref: logicalId(role) }] },
    }) as Resources;
    return Object.values(policies).flatMap((policy) => statementsIn(policy));
  };

  /** The actions a role may perform on one resource (given as its rendered CloudFormation value). */
  const actionsOn = (role: iam.Role, resource: unknown): string[] =>
    statementsOf(role)
      .filter((statement) => JSON.stringify(statement.Resource) === JSON.stringify(resource))
      .flatMap(actions)
      .sort();

  /** The one resource of a construct, as the template has it. */
  const resourceOf = (construct: Construct): Resources[string] => {
    const resource = (template.toJSON().Resources as Resources)[logicalId(construct)];
    if (resource === undefined) throw new Error(`no resource ${logicalId(construct)} in the template`);
    return resource;
  };

  return { logicalId, ref, arnOf, statementsOf, actionsOn, resourceOf };
}
