import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { FunctionName } from '../../contract/functions';
import { serviceNameOf } from '../../contract/metrics';

/**
 * The stack sets POWERTOOLS_SERVICE_NAME to each function's `serviceNameOf`; local mode, which hosts
 * every function in one process, does not, so each function's logs and metrics name it there too.
 */
const serviceOf = (fn?: FunctionName) =>
  process.env.POWERTOOLS_SERVICE_NAME ?? (fn ? serviceNameOf(fn) : 'mailroom');

/** Structured JSON logs and EMF metrics for one function. */
export interface Observability {
  readonly logger: Logger;
  /**
   * A new Metrics for one invocation, so the dimensions one invocation adds (the sender's
   * `stream`) never meet another's: Lambda runs one at a time per container, local mode many.
   */
  newMetrics(): Metrics;
}

/** `fn`'s logger (its service name on every line) and metrics (its `service` dimension). */
export function observabilityOf(fn: FunctionName): Observability {
  const serviceName = serviceOf(fn);
  const namespace = process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'Mailroom';
  return {
    logger: new Logger({ serviceName }),
    newMetrics: () => new Metrics({ namespace, serviceName }),
  };
}
