import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import type { Observability } from './observability';

// @middy/core 4 is the last major that ships CommonJS (5 and later are ESM only, and ts-jest runs
// this code as CommonJS). Its package says "type": "module", so TypeScript reads its types as ESM
// and refuses a plain import from CommonJS; the types come in as ESM, the code through require.
type Middy = typeof import('@middy/core', { with: { 'resolution-mode': 'import' }});
const middy = require('@middy/core') as Middy['default'];

/** What a handler gets besides its event and context: this invocation's metrics. */
export interface Invocation {
  readonly metrics: Metrics;
}

/** A handler as a composition root builds it, before the house middleware wraps it. */
export type InnerHandler<Event, Result, Ctx> = (
  event: Event,
  context: Ctx,
  invocation: Invocation,
) => Promise<Result>;

const METRICS = Symbol('invocation metrics');
type CarriesMetrics = { [METRICS]?: Metrics };

/**
 * The house handler stack, the same for every function (and for local mode, the bench and the
 * fault suite, which call the handlers the roots build): middy with
 * - Powertools Logger's `injectLambdaContext`: request id, function name and cold start on every
 *   line the invocation logs;
 * - a fresh Metrics per invocation, flushed as EMF when the invocation ends, returned or thrown.
 *
 * No X-Ray SDK in the functions: Lambda's active tracing (set by the house construct) records each
 * invocation with its initialization, invocation and overhead phases, linked to the API Gateway or
 * SQS trace that caused it. Powertools Tracer added one subsegment per AWS call on top, at the price
 * of the X-Ray SDK in every bundle (about 125 KB of 300–500 KB, `semver` and `cls-hooked`
 * included), its load at every cold start, and async_hooks tracking every promise of every
 * invocation; the per-call latencies it showed are what the functions' EMF metrics and the
 * services' own CloudWatch metrics (SES, DynamoDB, SQS) already give. (issue 14, bench (e))
 *
 * `Ctx` is the context a handler declares it needs: Lambda gives all of it; local mode's API server
 * and tick give less (or nothing: middy then passes `{}`), so the api and the scheduler take a
 * partial one and read it with `timeLeft`.
 */
export function lambdaHandler<Event, Result, Ctx extends object | undefined = Context>(
  observability: Observability,
  handler: InnerHandler<Event, Result, Ctx>,
): (event: Event, context: Ctx) => Promise<Result> {
  const wrapped = middy(
    async (event: Event, context: Context) => handler(event, context as Ctx, { metrics: metricsOf(context) }),
    // middy's early timeout would answer 'Timeout' 5 ms before Lambda's own and leave the handler
    // running; the handlers keep their own deadlines (process-batch, uploads, the tick's recount).
    { timeoutEarlyInMillis: 0 },
  )
    .use(injectLambdaContext(observability.logger, { resetKeys: true }))
    .use(invocationMetrics(observability));
  return wrapped as unknown as (event: Event, context: Ctx) => Promise<Result>;
}

/**
 * Lambda's `getRemainingTimeInMillis`, when the caller gave one: local mode's API server gives it,
 * its tick gives no context at all.
 */
export function timeLeft(context?: { getRemainingTimeInMillis?: () => number }): (() => number) | undefined {
  return context?.getRemainingTimeInMillis?.bind(context);
}

function metricsOf(context: Context): Metrics {
  const metrics = (context as CarriesMetrics)[METRICS];
  if (!metrics) throw new Error('invocation metrics missing: the handler ran outside lambdaHandler');
  return metrics;
}

/**
 * Powertools' `logMetrics` flushes one Metrics instance shared by every invocation, and warns on
 * each flush with nothing stored ("No application metrics to publish"): the scheduler's tick,
 * most minutes. Here each invocation has its own instance (per-invocation dimensions, and local
 * mode's concurrent invocations of one handler no longer overwrite each other's `stream`), and it
 * is flushed only when the invocation counted something.
 */
function invocationMetrics(observability: Observability) {
  const flush = (request: { context: Context }) => {
    const metrics = (request.context as CarriesMetrics)[METRICS];
    if (metrics?.hasStoredMetrics()) metrics.publishStoredMetrics();
  };
  return {
    before: (request: { context: Context }) => {
      (request.context as CarriesMetrics)[METRICS] = observability.newMetrics();
    },
    after: flush,
    onError: flush,
  };
}
