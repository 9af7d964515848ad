import { z } from 'zod';

const positiveNumber = z.coerce.number().positive();

/** Environment variables, checked once at cold start, with errors that name the variable. */
export function readEnvironment<T extends z.ZodRawShape>(shape: T, env: NodeJS.ProcessEnv = process.env) {
  const parsed = z.object(shape).safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid environment: ${problems.join('; ')}`);
  }
  return parsed.data;
}

export const tableName = z.string().min(1);
export const queueUrl = z.string().url();
/** Optional MaxSendRate override from the deploy config; empty means "ask SES". */
export const maxSendRateOverride = z.preprocess((v) => (v === '' ? undefined : v), positiveNumber.optional());
/** This stack's fraction of the account's MaxSendRate (`sendRateShare` in the deploy config). */
export const sendRateShare = z.coerce.number().gt(0).max(1).default(1);
