import type { APIGatewayProxyResult } from 'aws-lambda';

/**
 * The pages a recipient sees after clicking an unsubscribe link: plain HTML, a form that posts back
 * to the same URL (token included), no JavaScript. Mail clients' one-click POSTs get the same page.
 */
/** Every page's headers (the OpenAPI document lists them from here). */
export const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  // The page needs nothing from anywhere; it may only post its own form back to itself.
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
} as const;

function page(statusCode: number, title: string, body: string): APIGatewayProxyResult {
  return {
    statusCode,
    headers: { ...PAGE_HEADERS },
    body: `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;line-height:1.5}button{font:inherit;padding:.5rem 1rem}</style>
</head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`,
  };
}

export const confirmPage = (email: string) =>
  page(
    200,
    'Unsubscribe',
    `<p>Stop sending newsletters and announcements to <strong>${escapeHtml(email)}</strong>?</p>
<form method="post"><input type="hidden" name="confirm" value="yes"><button type="submit">Unsubscribe</button></form>
<p>Messages you ask for, such as sign-in codes and password resets, will still arrive.</p>`,
  );

export const donePage = (email: string) =>
  page(
    200,
    'You are unsubscribed',
    `<p><strong>${escapeHtml(email)}</strong> will get no more newsletters or announcements from us.</p>`,
  );

/** A test send's link: the person testing stays subscribed, whichever way they came. */
export const testSendPage = (email: string) =>
  page(
    200,
    'This was a test mail',
    `<p>This link came from a test send of a campaign. Nothing was changed: <strong>${escapeHtml(email)}</strong> is still subscribed.</p>
<p>In the real campaign mail, this link unsubscribes its recipient.</p>`,
  );

/** The link is fine but the POST's body is not a one-click (or the page's) form: say what is missing. */
export const formProblemPage = (statusCode: 400 | 415, problem: string) =>
  page(
    statusCode,
    'Nothing was changed',
    `<p>${escapeHtml(problem)}.</p>
<p>A one-click unsubscribe (RFC 8058) posts the field <code>List-Unsubscribe=One-Click</code> as <code>multipart/form-data</code> or <code>application/x-www-form-urlencoded</code>. To unsubscribe by hand, open the link from the email in a browser.</p>`,
  );

export const invalidLinkPage = () =>
  page(
    400,
    'This link does not work',
    '<p>The unsubscribe link is incomplete or has been altered. Nothing was changed. Please use the link from the email itself.</p>',
  );

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
