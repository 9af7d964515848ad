/** The longest delay SQS puts on a message (15 minutes): no retry, continuation or start waits longer on a queue. */
export const MAX_QUEUE_DELAY_SECONDS = 900;

/**
 * A first throttle goes straight back on the queue: the shared schedule has already been held back,
 * so the retry gets a later slot anyway, and an OTP should not wait seconds for one refused send.
 * Throttles after that back off as any retry does (SES may be throttling for reasons of its own).
 */
export function throttleRetryDelaySeconds(attempts: number, random: () => number = Math.random): number {
  return attempts <= 1 ? 0 : retryDelaySeconds(attempts - 1, random);
}

/** 1, 2, 4 … seconds with jitter, capped at SQS's 15 minutes. */
export function retryDelaySeconds(attempts: number, random: () => number = Math.random): number {
  const base = 2 ** Math.max(0, Math.min(attempts - 1, 9));
  return Math.min(MAX_QUEUE_DELAY_SECONDS, Math.ceil(base * (1 + random())));
}
