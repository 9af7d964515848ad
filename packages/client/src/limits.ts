import type { MaxRecipientsPerCall } from './api-types';

/**
 * The most rows one recipient upload takes. Typed as the server's constant: tsc refuses this
 * value when the server's changes.
 */
export const MAX_RECIPIENTS_PER_CALL: MaxRecipientsPerCall = 1000;

/**
 * What the API accepts as an Idempotency-Key (the server's IDEMPOTENCY_KEY in
 * lambdas/emails/submit-email.ts; test/unit/client-config.test.ts holds the two equal). Checked
 * by the client so that a bad key is a MailroomConfigError before any request, not a 400 after one.
 */
export const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;
