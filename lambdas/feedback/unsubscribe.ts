import type { CampaignEventTotals, ProductEventPublisher, SuppressionList } from './ports';
import { InvalidTokenError, type UnsubscribeSubject, verifyUnsubscribeToken } from './unsubscribe-token';

export interface UnsubscribeDeps {
  suppressions: SuppressionList;
  campaigns: CampaignEventTotals;
  products: ProductEventPublisher;
  secret: string;
  now: () => Date;
}

/**
 * How the request came: `one-click` is RFC 8058's POST, made by a mail provider when the reader
 * presses its unsubscribe button; `page` is the button on our own confirmation page.
 */
export type UnsubscribeVia = 'one-click' | 'page';

/** What the suppression entry and the product event say about each way in. */
const UNSUBSCRIBE_DETAIL: Record<UnsubscribeVia, string> = {
  'one-click': 'one-click unsubscribe (RFC 8058 POST from the mail provider)',
  page: 'unsubscribe page button',
};

/** `test`: the link came from a test send; nothing was (or will be) changed. */
export type UnsubscribeResult = { ok: true; email: string; test: boolean } | { ok: false; reason: string };

function verified(
  token: string | undefined,
  secret: string,
): { ok: true; subject: UnsubscribeSubject } | { ok: false; reason: string } {
  if (!token) return { ok: false, reason: 'missing token' };
  try {
    return { ok: true, subject: verifyUnsubscribeToken(token, secret) };
  } catch (error) {
    if (error instanceof InvalidTokenError) return { ok: false, reason: error.message };
    throw error;
  }
}

/** Checks a link's token without changing anything (the confirmation page). */
export function checkToken(token: string | undefined, secret: string): UnsubscribeResult {
  const checked = verified(token, secret);
  if (!checked.ok) return checked;
  return { ok: true, email: checked.subject.email, test: checked.subject.test === true };
}

/**
 * RFC 8058 one-click (or the page's button): the address stops getting bulk mail; OTPs and password
 * resets still reach it. A forged or altered token changes nothing; repeating a valid one is
 * harmless; a test send's token changes nothing either (the person testing stays subscribed).
 */
export async function unsubscribe(
  token: string | undefined,
  via: UnsubscribeVia,
  deps: UnsubscribeDeps,
): Promise<UnsubscribeResult> {
  const checked = verified(token, deps.secret);
  if (!checked.ok) return checked;
  const { email, campaignId, test } = checked.subject;
  if (test) return { ok: true, email, test: true };
  const at = deps.now().toISOString();
  const detail = UNSUBSCRIBE_DETAIL[via];
  const added = await deps.suppressions.add({
    email,
    reason: 'unsubscribe',
    scope: 'bulk',
    detail,
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
        detail,
      },
    ]);
    await deps.campaigns.addEvents(campaignId, { unsubscribed: 1 });
  }
  return { ok: true, email, test: false };
}
