/**
 * The alarm thresholds, as plain data: lib/constructs/monitoring.ts builds the alarms and draws the
 * dashboard's alarm lines from here.
 */

/** SES puts an account under review at these rates (ratios: 0.05 = 5%); the dashboard draws them. */
export const SES_REVIEW_RATES = { bounce: 0.05, complaint: 0.001 } as const;

/**
 * The reputation alarms fire a little earlier than SES reviews, to leave time to act. They watch
 * SES's account-wide metrics (everything the account sends); the reputation guard's thresholds
 * (contract/thresholds.ts, the same numbers by default) watch Mailroom's own bulk mail and a deploy
 * config may change them, so the two are kept apart on purpose.
 */
export const REPUTATION_ALARM_RATES = { bounce: 0.04, complaint: 0.0008 } as const;

/**
 * Alarm when a queue's oldest message has waited longer than this many minutes, unless the deploy
 * config says otherwise (`oldestMessageAlarmMinutes`).
 */
export const OLDEST_MESSAGE_ALARM_MINUTES = 15;

/**
 * Counts that alarm from the first occurrence in their period: a message in a dead-letter queue, a
 * function error, an API 5xx, a reputation-guard trip, a campaign counters repair, a webhook disabled.
 */
export const ALARM_ON_FIRST = 1;
