/**
 * When a webhook delivery is tried again: schedule[i] is the wait in seconds before attempt i + 1
 * (schedule[0], before the first, is 0 in every sane schedule). The defaults are
 * WEBHOOK_RETRY_SCHEDULE_SECONDS (contract/thresholds.ts); the function reads its own from
 * WEBHOOK_RETRY_SCHEDULE.
 */
export type RetrySchedule = readonly number[];

/** Parses `0,5,300,…` (seconds, whole, non-negative, at least one); throws on anything else. */
export function parseRetrySchedule(text: string): RetrySchedule {
  const parts = text.split(',').map((part) => part.trim());
  const seconds = parts.map(Number);
  if (parts.length === 0 || seconds.some((s, i) => parts[i] === '' || !Number.isInteger(s) || s < 0)) {
    throw new Error(`WEBHOOK_RETRY_SCHEDULE must be comma-separated whole seconds, got "${text}"`);
  }
  return seconds;
}

/** The span of the retries: from the first attempt to the last, in seconds. */
export function retrySpanSeconds(schedule: RetrySchedule): number {
  return schedule.slice(1).reduce((sum, s) => sum + s, 0);
}

/** What follows a failed attempt (1-based): another one after `delaySeconds`, or the schedule is exhausted. */
export type AfterFailure =
  | { readonly retry: true; readonly delaySeconds: number }
  | { readonly retry: false };

export function afterFailure(attempt: number, schedule: RetrySchedule): AfterFailure {
  const delaySeconds = schedule[attempt];
  return delaySeconds === undefined ? { retry: false } : { retry: true, delaySeconds };
}
