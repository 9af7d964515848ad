/**
 * The console's security headers, one definition for local mode (local/console-site.ts) and
 * CloudFront's response headers policy (lib/constructs/console.ts): the page loads only its own
 * script and stylesheet, and talks only to the origins it is given (the API; Cognito in AWS).
 */
export function contentSecurityPolicy(connectSources: readonly string[]): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src ${["'self'", ...connectSources].join(' ')}`,
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}
