import type { Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { flattenReferences } from '../../../lib/nag';

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

/** A statement's resources as a list. */
export const resourcesOf = (statement: Statement): unknown[] =>
  Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];

/**
 * A CloudFormation value written as text, references as `<LogicalId>` and `<LogicalId.Attribute>`:
 * `{"Fn::Join": ["", [{"Fn::GetAtt": ["Table", "Arn"]}, "/index/x"]]}` reads `<Table.Arn>/index/x`.
 * The same rendering cdk-nag uses in finding ids.
 */
export const rendered = flattenReferences;

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

  /**
   * The actions a role may perform on one resource (given as its rendered CloudFormation value),
   * whether a statement names it alone or in a list (statements with the same actions merge).
   */
  const actionsOn = (role: iam.Role, resource: unknown): string[] => {
    const wanted = JSON.stringify(resource);
    return statementsOf(role)
      .filter((statement) => resourcesOf(statement).some((r) => JSON.stringify(r) === wanted))
      .flatMap(actions)
      .sort();
  };

  /**
   * Everything a role may do: each resource (see {@link rendered}) with the sorted actions allowed
   * on it. Only Allow statements without conditions; the others are returned apart, whole.
   */
  const grantsOf = (role: iam.Role): { grants: Record<string, string[]>; conditional: Statement[] } => {
    const grants: Record<string, string[]> = {};
    const conditional: Statement[] = [];
    for (const statement of statementsOf(role)) {
      if (statement.Effect !== 'Allow' || statement.Condition !== undefined) {
        conditional.push(statement);
        continue;
      }
      for (const resource of resourcesOf(statement)) {
        const key = rendered(resource);
        grants[key] = [...new Set([...(grants[key] ?? []), ...actions(statement)])].sort();
      }
    }
    return { grants, conditional };
  };

  /** The properties of the event source mappings that invoke a function, in template order. */
  const eventSourcesOf = (fn: Construct): Array<Record<string, unknown> | undefined> =>
    Object.values(
      template.findResources('AWS::Lambda::EventSourceMapping', {
        Properties: { FunctionName: ref(fn) },
      }) as Resources,
    ).map((mapping) => mapping.Properties);

  /** The one resource of a construct, as the template has it. */
  const resourceOf = (construct: Construct): Resources[string] => {
    const resource = (template.toJSON().Resources as Resources)[logicalId(construct)];
    if (resource === undefined) throw new Error(`no resource ${logicalId(construct)} in the template`);
    return resource;
  };

  return { logicalId, ref, arnOf, statementsOf, actionsOn, grantsOf, eventSourcesOf, resourceOf };
}
