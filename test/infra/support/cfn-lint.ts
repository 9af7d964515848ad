import { spawnSync } from 'node:child_process';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';

interface CfnLintMatch {
  Level: 'Error' | 'Warning' | 'Informational';
  Message: string;
  Rule: { Id: string };
  Location: { Path: Array<string | number> };
}

/** Whether cfn-lint is installed; it is a Python tool, so not every machine has it. */
export const cfnLintAvailable: boolean =
  spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' }).status === 0;

export interface LintReport {
  /** Findings at level Error, as `file: RULE path: message`. */
  readonly errors: string[];
  /** Everything else cfn-lint said, for the log. */
  readonly warnings: string[];
}

/**
 * Runs cfn-lint on every stack template of a cloud assembly, each against its own region.
 * Only errors fail a test; warnings are returned for logging.
 */
export function lintAssembly(assembly: CloudAssembly): LintReport {
  const errors: string[] = [];
  const warnings: string[] = [];
  for (const stack of assembly.stacks) {
    const result = spawnSync(
      'cfn-lint',
      [
        '--format',
        'json',
        '--regions',
        stack.environment.region,
        // CDK makes each function depend on its role explicitly as well as through GetAtt; harmless.
        '--ignore-checks',
        'W3005',
        '--',
        stack.templateFullPath,
      ],
      { encoding: 'utf8' },
    );
    // cfn-lint's exit status is a bit mask of the levels found (2 error, 4 warning, 8 info); 1 is a crash.
    if (result.error !== undefined || result.status === null || (result.status & 1) === 1) {
      throw new Error(
        `cfn-lint failed to run on ${stack.templateFile}: ${result.error?.message ?? result.stderr}`,
      );
    }
    const matches = JSON.parse(result.stdout || '[]') as CfnLintMatch[];
    for (const match of matches) {
      const line = `${stack.templateFile}: ${match.Rule.Id} ${match.Location.Path.join('/')}: ${match.Message}`;
      (match.Level === 'Error' ? errors : warnings).push(line);
    }
  }
  return { errors, warnings };
}
