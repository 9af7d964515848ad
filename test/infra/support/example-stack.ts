import { Template } from 'aws-cdk-lib/assertions';
import type { MailroomStack } from '../../../lib/mailroom-stack';
import { type SynthesizedApp, synthesizeMailroom } from './app';
import { templateOf } from './template';

/** The example config's stack, its template and the lookups in it. */
export interface ExampleStack {
  readonly synthesized: SynthesizedApp;
  readonly stack: MailroomStack;
  readonly template: Template;
  readonly helpers: ReturnType<typeof templateOf>;
}

/**
 * Synthesizes the example app (without bundling: the callers look at resources only) for the test
 * file that calls this at its top level, and removes the cloud assembly after the file's tests.
 */
export function exampleStack(): ExampleStack {
  const synthesized = synthesizeMailroom(undefined, { bundle: false });
  afterAll(() => synthesized.cleanup());
  const [stack] = synthesized.stacks;
  if (stack === undefined) throw new Error('the example app produced no stack');
  const template = Template.fromStack(stack);
  return { synthesized, stack, template, helpers: templateOf(stack, template) };
}
