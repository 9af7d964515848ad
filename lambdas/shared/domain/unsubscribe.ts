import type { CampaignEventTotals, ProductEventPublisher, SuppressionStore } from './feedback-ports';
import { InvalidTokenError, verifyUnsubscribeToken } from './unsubscribe-token';

export interface UnsubscribeDeps {
  suppressions: SuppressionStore;
  campaigns: CampaignEventTotals;
  products: ProductEventPublisher;
  secret: string;
  now: () => Date;
}

export type UnsubscribeResult = { ok: true; email: string } | { ok: false; reason: string };

/** Checks a link's token without changing anything (the confirmation page). */
export function checkToken(token: string | undefined, secret: string): UnsubscribeResult {
  if (!token) return { ok: false, reason: 'missing token' };
  try {
    return { ok: true, email: verifyUnsubscribeToken(token, secret).email };
  } catch (error) {
    if (error instanceof InvalidTokenError) return { ok: false, reason: error.message };
    throw error;
  }
}

/**
 * RFC 8058 one-click (or the page's button): the address stops getting bulk mail; OTPs and password
 * resets still reach it. A forged or altered token changes nothing; repeating a valid one is harmless.
 */
export async function unsubscribe(
  token: string | undefined,
  deps: UnsubscribeDeps,
): Promise<UnsubscribeResult> {
  const checked = checkToken(token, deps.secret);
  if (!checked.ok || !token) return checked;
  const { email, campaignId } = verifyUnsubscribeToken(token, deps.secret);
  const at = deps.now().toISOString();
  const added = await deps.suppressions.add({
    email,
    reason: 'unsubscribe',
    scope: 'bulk',
    detail: 'one-click unsubscribe',
    source: { campaignId },
    createdAt: at,
  });
  if (added) {
    await deps.products.publish([
      {
        id: `unsubscribe|${campaignId}|${email}`,
        type: 'unsubscribed',
        email,
        at,
        campaignId,
        reason: 'unsubscribe',
      },
    ]);
    await deps.campaigns.addEvents(campaignId, { unsubscribed: 1 });
  }
  return { ok: true, email };
}
