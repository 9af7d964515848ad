import type * as z from 'zod';
import type { TransientBouncePolicy } from '../../contract/thresholds';
import type { MailEvent } from './ses-events';
import type { suppressionSchema } from './suppression-response';

export const SUPPRESSION_REASONS = [
  'bounce',
  'complaint',
  'unsubscribe',
  'transient_bounces',
  'manual',
] as const;
export type SuppressionReason = (typeof SUPPRESSION_REASONS)[number];
/** `bulk`: campaigns only (an unsubscribe); `all`: every stream (bounces, complaints, manual). */
export type SuppressionScope = 'all' | 'bulk';

/** One entry of the suppression list, as stored and as the API shows it (suppressionSchema). */
export type Suppression = z.output<typeof suppressionSchema>;

/**
 * What an SES event means for the suppression list: a permanent bounce or a complaint suppresses the
 * address on every stream; a soft bounce counts, and suppresses once `limit` of them fall within the
 * window (`transientCount` says how many there are now, this one included).
 */
export async function suppressionFor(
  event: MailEvent,
  transientCount: () => Promise<number>,
  policy: TransientBouncePolicy,
): Promise<Omit<Suppression, 'email' | 'createdAt'> | undefined> {
  const source = {
    sesMessageId: event.sesMessageId,
    ...(event.messageId ? { messageId: event.messageId } : {}),
    ...(event.campaignId ? { campaignId: event.campaignId } : {}),
  };
  if (event.kind === 'complaint')
    return { reason: 'complaint', scope: 'all', detail: event.detail ?? 'complaint', source };
  if (event.kind !== 'bounce') return undefined;
  if (event.bounceType === 'Permanent') {
    const detail =
      event.bounceSubType === 'OnAccountSuppressionList'
        ? 'on the SES account-level suppression list'
        : (event.detail ?? 'permanent bounce');
    return { reason: 'bounce', scope: 'all', detail, source };
  }
  const count = await transientCount();
  if (count < policy.limit) return undefined;
  return {
    reason: 'transient_bounces',
    scope: 'all',
    detail: `${count} soft bounces within ${Math.round(policy.windowDays)} days; last: ${event.detail ?? event.bounceSubType ?? ''}`,
    source,
  };
}
