import { Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Acknowledges cdk-nag's AwsSolutions-IAM5 finding for one wildcard resource. cdk-nag 3 keys each
 * finding by the resource as it renders it (references flattened to `<LogicalId>`), so the id is
 * derived from the same value the policy uses instead of being copied from a synth log.
 */
export function acknowledgeWildcardResource(scope: IConstruct, resource: string, reason: string): void {
  const rendered = flattenReferences(Stack.of(scope).resolve(resource));
  Validations.of(scope).acknowledge({ id: `AwsSolutions-IAM5[Resource::${rendered}]`, reason });
}

/**
 * A resolved CloudFormation value as cdk-nag writes it in finding ids: references as
 * `<LogicalId>` and `<LogicalId.Attribute>`, joins joined. Mirrors cdk-nag's flattenCfnReference
 * for the intrinsics an ARN can contain.
 */
export function flattenReferences(node: unknown): string {
  if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
  if (typeof node === 'object' && node !== null) {
    const fn = node as Record<string, unknown>;
    const join = fn['Fn::Join'];
    if (Array.isArray(join)) {
      const [delimiter, items] = join as [string, unknown[]];
      return items.map(flattenReferences).join(delimiter);
    }
    if ('Fn::Sub' in fn) return flattenReferences(fn['Fn::Sub']);
    const getAtt = fn['Fn::GetAtt'];
    if (Array.isArray(getAtt)) return `<${flattenReferences(getAtt[0])}.${flattenReferences(getAtt[1])}>`;
    if ('Ref' in fn) return `<${flattenReferences(fn.Ref)}>`;
  }
  return JSON.stringify(node);
}
