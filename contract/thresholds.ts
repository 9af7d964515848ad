/**
 * Feedback thresholds a deploy config may change, with the defaults it gets when it does not.
 * Declared once: lib/config.ts defaults to them, local mode passes them to the events function,
 * the domain reads the values its function was given.
 */

/**
 * The reputation guard: bulk sending pauses when the last 24 hours of bulk mail reach these, before
 * the rates at which SES reviews the account (SES_REVIEW_RATES, contract/alarms.ts).
 */
export const REPUTATION_GUARD_DEFAULTS = {
  bounceRate: 0.04,
  complaintRate: 0.0008,
  /** Bulk mails in the window before rates are judged at all. */
  minimumSample: 200,
} as const;

/** When soft bounces suppress an address: once there are `limit` of them within `windowDays`. */
export interface TransientBouncePolicy {
  readonly limit: number;
  /** The window, in days (as the deploy config and the events function's environment give it). */
  readonly windowDays: number;
}

export const TRANSIENT_BOUNCE_DEFAULTS = { limit: 3, windowDays: 7 } as const satisfies TransientBouncePolicy;

/**
 * Seconds before each attempt of one webhook delivery: the first at once, then 5 s, 5 min, 30 min,
 * 2 h, 5 h, 10 h and 10 h (Svix's schedule, which Standard Webhooks describes): retries span 27.6 h,
 * more than the day issue 12 asks for. When the last attempt fails too, the webhook is disabled.
 * The webhooks function reads it from WEBHOOK_RETRY_SCHEDULE, so local tests can compress it.
 */
export const WEBHOOK_RETRY_SCHEDULE_SECONDS = [0, 5, 300, 1800, 7200, 18000, 36000, 36000] as const;

/** One webhook attempt, connect to last byte read: issue 12's 10 s. */
export const WEBHOOK_DELIVERY_TIMEOUT_MS = 10_000;

/** A number of seconds as the documents say it: `5 s`, `30 min`, `10 h`. */
export function describeSeconds(seconds: number): string {
  if (seconds >= 3600 && seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds >= 60 && seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

/** The retries of WEBHOOK_RETRY_SCHEDULE_SECONDS (after the first attempt), e.g. `5 s, 5 min, …`. */
export const WEBHOOK_RETRIES_DESCRIBED = WEBHOOK_RETRY_SCHEDULE_SECONDS.slice(1)
  .map(describeSeconds)
  .join(', ');
