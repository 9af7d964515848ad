import * as z from 'zod';
import { SES_REVIEW_RATES } from '../../contract/alarms';
import { FUNCTIONS, type FunctionName, type VariableName, type VariablesOf } from '../../contract/functions';

const positiveNumber = z.coerce.number().positive();
const tableName = z.string().min(1);
const queueUrl = z.string().url();
const arn = z.string().min(1);
/** The unsubscribe key's minimum length: a guessable key would let anyone unsubscribe anyone. */
export const MIN_UNSUBSCRIBE_SECRET_LENGTH = 32;

/**
 * How each variable of the deployment contract (contract/functions.ts) is checked at cold start.
 * Keyed by the contract's names, so a variable cannot be added there without its check here; an
 * optional variable (`optional: true` in the contract) must accept a missing value (pinned by a test).
 */
export const VARIABLE_SCHEMAS = {
  MESSAGES_TABLE: tableName,
  TEMPLATES_TABLE: tableName,
  SUPPRESSIONS_TABLE: tableName,
  IDEMPOTENCY_TABLE: tableName,
  CAMPAIGNS_TABLE: tableName,
  RECIPIENTS_TABLE: tableName,
  RATE_LEDGER_TABLE: tableName,
  DELIVERABILITY_TABLE: tableName,
  TRANSACTIONAL_QUEUE_URL: queueUrl,
  BULK_QUEUE_URL: queueUrl,
  FANOUT_QUEUE_URL: queueUrl,
  BULK_QUEUE_ARN: arn,
  PRODUCT_EVENTS_TOPIC_ARN: arn,
  OPS_TOPIC_ARN: arn.optional(),
  UNSUBSCRIBE_SECRET_ARN: arn.optional(),
  UNSUBSCRIBE_SECRET: z.string().min(MIN_UNSUBSCRIBE_SECRET_LENGTH).optional(),
  SENDING_DOMAIN: z.string().min(1).toLowerCase(),
  DEFAULT_FROM: z.string().min(3),
  DEFAULT_REPLY_TO: z.string().min(3).optional(),
  PUBLIC_BASE_URL: z.string().url(),
  CONSOLE_ORIGIN: z
    .string()
    .regex(/^https:\/\/[^/]+$/, 'must be an https origin')
    .optional(),
  /** Empty means "ask SES". */
  MAX_SEND_RATE: z.preprocess((v) => (v === '' ? undefined : v), positiveNumber.optional()),
  SEND_RATE_SHARE: z.coerce.number().gt(0).max(1),
  TRANSACTIONAL_CONFIGURATION_SET: z.string().min(1),
  BULK_CONFIGURATION_SET: z.string().min(1),
  TRANSIENT_BOUNCE_LIMIT: z.coerce.number().int().min(1),
  TRANSIENT_BOUNCE_WINDOW_DAYS: z.coerce.number().positive(),
  BOUNCE_RATE_THRESHOLD: z.coerce.number().positive().max(SES_REVIEW_RATES.bounce),
  COMPLAINT_RATE_THRESHOLD: z.coerce.number().positive().max(SES_REVIEW_RATES.complaint),
  GUARD_MINIMUM_SAMPLE: z.coerce.number().int().min(1),
  WEBHOOKS_TABLE: tableName,
  WEBHOOKS_QUEUE_URL: queueUrl,
  /** Whole seconds, comma-separated: `0,5,300,…` (webhooks/retry-schedule.ts parses it). */
  WEBHOOK_RETRY_SCHEDULE: z.string().regex(/^\d+(,\d+)*$/),
  /** Only `true` allows; absent (the stack) or anything else refuses. */
  WEBHOOK_ALLOW_LOOPBACK: z
    .string()
    .optional()
    .transform((value) => value === 'true'),
} as const satisfies Record<VariableName, z.ZodType>;

type Schemas = typeof VARIABLE_SCHEMAS;

/** A function's environment as its handler sees it: the contract's variables, parsed. */
export type FunctionEnvironment<F extends FunctionName> = { [K in VariablesOf<F>]: z.output<Schemas[K]> };

/**
 * Reads `fn`'s variables (and only those) from the environment, once at cold start. A missing or
 * malformed one stops the function with an error that names it: a deploy mistake shows at the
 * first invocation, not as a wrong answer later.
 */
export function functionEnvironment<F extends FunctionName>(
  fn: F,
  env: NodeJS.ProcessEnv = process.env,
): FunctionEnvironment<F> {
  const names: readonly VariableName[] = FUNCTIONS[fn].environment;
  const shape = Object.fromEntries(names.map((name) => [name, VARIABLE_SCHEMAS[name]]));
  const parsed = z.object(shape).safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid environment: ${problems.join('; ')}`);
  }
  return parsed.data as FunctionEnvironment<F>;
}
