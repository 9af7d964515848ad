/**
 * Responses and examples several routes share (components/responses and components/examples), and
 * the pages of `/unsubscribe`, taken from the functions that write them.
 */
import { z } from 'zod';
import { MAX_BODY_BYTES } from '../../lambdas/functions/api/http';
import { invalidLinkPage, PAGE_HEADERS } from '../../lambdas/functions/api/unsubscribe-pages';
import { type Example, err, type ResponseDoc } from './operation';

/** A page's HTML as the API answers it, for the examples. */
export function pageExample(page: { body: string }, summary?: string): Example {
  return { ...(summary === undefined ? {} : { summary }), value: page.body };
}

/** The headers every page carries (PAGE_HEADERS), each a shared header. */
export const PAGE_RESPONSE_HEADERS = z.object({
  'Cache-Control': z.literal(PAGE_HEADERS['cache-control']).meta({
    header: { id: 'CacheControlNoStore' },
    description: `Always \`${PAGE_HEADERS['cache-control']}\`.`,
  }),
  'Content-Security-Policy': z.literal(PAGE_HEADERS['content-security-policy']).meta({
    header: { id: 'PageContentSecurityPolicy' },
    description: 'The page loads nothing and may only post its own form back to itself.',
  }),
  'X-Frame-Options': z.literal(PAGE_HEADERS['x-frame-options']).meta({
    header: { id: 'FrameOptionsDeny' },
    description: `Always \`${PAGE_HEADERS['x-frame-options']}\`.`,
  }),
  'Referrer-Policy': z.literal(PAGE_HEADERS['referrer-policy']).meta({
    header: { id: 'NoReferrer' },
    description: `Always \`${PAGE_HEADERS['referrer-policy']}\`, so the token does not leak to other sites.`,
  }),
});

export const INVALID_EMAIL_EXAMPLE: Example = {
  id: 'InvalidEmail',
  ...err('invalid_email', '"not-an-address" must have a local part and a domain (name@domain)'),
};
export const NOT_SUPPRESSED_EXAMPLE: Example = {
  id: 'NotSuppressed',
  ...err('not_found', 'jane@example.com is not suppressed'),
};
export const INVALID_TEMPLATE_NAME_EXAMPLE: Example = {
  id: 'InvalidTemplateName',
  ...err('invalid_template_name', 'Template names are 1 to 64 letters, digits, _ or -'),
};
export const CAMPAIGN_CHANGED_MEANWHILE_EXAMPLE: Example = {
  id: 'CampaignChangedMeanwhile',
  ...err(
    'invalid_state',
    'Campaign 6f1d2c3b-4a5e-4f60-8b7c-1d2e3f4a5b6c changed state meanwhile; read it and try again',
    { summary: 'invalid_state when another request changed the status first' },
  ),
};
export const UPLOAD_IN_PROGRESS_EXAMPLE: Example = {
  id: 'UploadInProgress',
  ...err(
    'upload_in_progress',
    'Campaign 6f1d2c3b-4a5e-4f60-8b7c-1d2e3f4a5b6c has an upload of recipients in progress; send the request again when it has finished (at most 30 s)',
    { summary: 'upload_in_progress while recipients are being added' },
  ),
};
export const BULK_PAUSED_EXAMPLE: Example = {
  id: 'BulkPaused',
  ...err(
    'bulk_paused',
    'Bulk sending is paused by the reputation guard (bulk bounce rate 4.50% over the last 24 h reached 4.00%); clean the list, then POST /v1/account/bulk/resume',
    { summary: 'bulk_paused while the reputation guard holds bulk mail' },
  ),
};

const INVALID_PATH_EXAMPLE = err('invalid_path', 'The path is not valid URL encoding');

export const INTERNAL_ERROR: ResponseDoc = {
  id: 'InternalError',
  description: 'Unexpected failure. Retrying a send with the same Idempotency-Key is safe.',
  examples: {
    internal_error: err(
      'internal_error',
      'Something went wrong on our side; retry with the same Idempotency-Key to be safe',
    ),
  },
};

export const UNSUPPORTED_MEDIA_TYPE: ResponseDoc = {
  id: 'UnsupportedMediaType',
  description: 'The Content-Type is not `application/json`.',
  examples: {
    unsupported_media_type: err(
      'unsupported_media_type',
      'Send the body as JSON with Content-Type: application/json',
    ),
  },
};

export const INVALID_PATH: ResponseDoc = {
  id: 'InvalidPath',
  description: 'A path segment is not valid URL encoding.',
  examples: { invalid_path: INVALID_PATH_EXAMPLE },
};

export const INVALID_TEMPLATE_NAME: ResponseDoc = {
  id: 'InvalidTemplateName',
  description:
    'The name is not a valid template name, or the path is not valid URL encoding (`invalid_path`).',
  examples: { invalid_template_name: INVALID_TEMPLATE_NAME_EXAMPLE, invalid_path: INVALID_PATH_EXAMPLE },
};

export const TEMPLATE_NOT_FOUND: ResponseDoc = {
  id: 'TemplateNotFound',
  description: 'No template with this name.',
  examples: { not_found: err('not_found', 'No template named "welcome"') },
};

export const CAMPAIGN_NOT_FOUND: ResponseDoc = {
  id: 'CampaignNotFound',
  description: 'No campaign with this id.',
  examples: { not_found: err('not_found', 'No campaign with id "6f1d2c3b-0000-0000-0000-000000000000"') },
};

export const INVALID_EMAIL: ResponseDoc = {
  id: 'InvalidEmail',
  description: 'The path is not an email address, or not valid URL encoding (`invalid_path`).',
  examples: { invalid_email: INVALID_EMAIL_EXAMPLE, invalid_path: INVALID_PATH_EXAMPLE },
};

export const NOT_SUPPRESSED: ResponseDoc = {
  id: 'NotSuppressed',
  description: "The address is not on Mailroom's suppression list.",
  examples: { not_found: NOT_SUPPRESSED_EXAMPLE },
};

export const UNSUBSCRIBE_LINK_INVALID: ResponseDoc = {
  id: 'UnsubscribeLinkInvalid',
  description: `The token is missing, malformed, altered or forged. Nothing was changed. An HTML page, not the
JSON error envelope.`,
  html: true,
  headers: PAGE_RESPONSE_HEADERS,
  examples: { invalidLink: pageExample(invalidLinkPage()) },
};

export const BODY_TOO_LARGE: ResponseDoc = {
  id: 'BodyTooLarge',
  description: `The body is over 256 KB (${MAX_BODY_BYTES} bytes).`,
  examples: { too_large: err('too_large', `The body is 270336 bytes; at most ${MAX_BODY_BYTES}`) },
};

export const GATEWAY_FORBIDDEN: ResponseDoc = {
  id: 'GatewayForbidden',
  description: `AWS only, from API Gateway: missing or invalid SigV4 signature, a principal without
\`execute-api:Invoke\` on the route, or a route that does not exist.`,
  examples: {
    MISSING_AUTHENTICATION_TOKEN: err('MISSING_AUTHENTICATION_TOKEN', 'Missing Authentication Token'),
  },
};

export const GATEWAY_THROTTLED: ResponseDoc = {
  id: 'GatewayThrottled',
  description: "AWS only, from API Gateway: over the stage's request rate. Retry with backoff.",
  examples: { THROTTLED: err('THROTTLED', 'Too Many Requests') },
};
