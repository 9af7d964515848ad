import type { APIGatewayProxyEvent } from 'aws-lambda';
import { z } from 'zod';
import { readForm } from '../../lambdas/functions/api/form';
import { MAX_BODY_BYTES } from '../../lambdas/functions/api/http';
import { UNSUBSCRIBE_FIELDS } from '../../lambdas/functions/api/routes';
import {
  confirmPage,
  donePage,
  formProblemPage,
  testSendPage,
} from '../../lambdas/functions/api/unsubscribe-pages';
import { err, type Operations } from './operation';
import {
  GATEWAY_THROTTLED,
  INTERNAL_ERROR,
  PAGE_RESPONSE_HEADERS,
  pageExample,
  UNSUBSCRIBE_LINK_INVALID,
} from './responses';

const ONE_CLICK = UNSUBSCRIBE_FIELDS['one-click'];
const PAGE_BUTTON = UNSUBSCRIBE_FIELDS.page;

/** What `POST /unsubscribe` reads from its form (routes.ts, unsubscribeVia). */
const unsubscribeFormSchema = z
  .object({
    [ONE_CLICK.name]: z
      .string()
      .optional()
      .meta({ description: `\`${ONE_CLICK.value}\`, as RFC 8058 mail providers post it.` }),
    [PAGE_BUTTON.name]: z
      .string()
      .optional()
      .meta({ description: `\`${PAGE_BUTTON.value}\`, as the confirmation page's button posts it.` }),
  })
  .meta({
    id: 'UnsubscribeForm',
    description: `One of the two fields with its value; other fields are ignored. Nothing else in the body
matters: the token in the URL names the address.`,
    anyOf: [
      { required: [ONE_CLICK.name], properties: { [ONE_CLICK.name]: { const: ONE_CLICK.value } } },
      { required: [PAGE_BUTTON.name], properties: { [PAGE_BUTTON.name]: { const: PAGE_BUTTON.value } } },
    ],
  });

const TOKEN_QUERY = z.object({
  token: z.string().meta({
    param: {
      id: 'UnsubscribeToken',
      example:
        'eyJlIjoiamFuZUBleGFtcGxlLmNvbSIsImMiOiI2ZjFkMmMzYi00YTVlLTRmNjAtOGI3Yy0xZDJlM2Y0YTViNmMiLCJ2IjoxfQ.3lPiUEM2aybh9FwKXVL8rTTDYvbPE-nzJVTqu_C32MI',
    },
    description: `The signed token from the mail's \`List-Unsubscribe\` URL (\`base64url(payload).signature\`,
HMAC-SHA256): it names the recipient and the campaign. Tokens do not expire. A missing, malformed,
altered or forged token gets the 400 page.`,
  }),
});

/** The page a valid link with no body gets, as the handler writes it. */
function noBodyPage() {
  const form = readForm({
    body: null,
    headers: {},
    isBase64Encoded: false,
  } as unknown as APIGatewayProxyEvent);
  if (form.ok) throw new Error('an empty body reads as a form');
  return formProblemPage(400, form.message);
}

export const UNSUBSCRIBE_OPERATIONS = {
  unsubscribePage: {
    tag: 'unsubscribe',
    summary: 'The unsubscribe confirmation page',
    description: `Public: no SigV4. What a recipient sees after clicking the link: a small HTML page naming
the address, with a button that posts \`confirm=yes\` back to the same URL (no JavaScript).
Changes nothing. The link of a test send (\`POST /v1/campaigns/{id}/test\`) shows a page
titled "This was a test mail" instead, without a button.`,
    params: { query: TOKEN_QUERY },
    responses: {
      200: {
        description: 'The confirmation page (for a test send\'s link, the "This was a test mail" page).',
        html: true,
        headers: PAGE_RESPONSE_HEADERS,
        examples: {
          confirm: pageExample(confirmPage('jane@example.com')),
          testSend: pageExample(testSendPage('qa@acme.com'), 'The link came from a test send'),
        },
      },
      400: UNSUBSCRIBE_LINK_INVALID,
      429: GATEWAY_THROTTLED,
      500: INTERNAL_ERROR,
    },
  },
  unsubscribe: {
    tag: 'unsubscribe',
    summary: 'Unsubscribe in one click (RFC 8058) or from the page',
    description: `Public: no SigV4. Mail providers post \`List-Unsubscribe=One-Click\` (RFC 8058, the
mail's \`List-Unsubscribe-Post\` header); the confirmation page's button posts
\`confirm=yes\`. The token in the URL decides who is unsubscribed; the body says which way
the request came. Both form encodings are read: \`multipart/form-data\` (what RFC 8058 says
the POST SHOULD use; extra fields, a preamble and file parts are ignored, at most 50
parts) and \`application/x-www-form-urlencoded\`, also when API Gateway hands the body over
base64-encoded. A valid link with no body, another Content-Type (415), a multipart body
that cannot be read, or neither field gets a page that says what is missing, and nothing
changes.

The address stops getting campaign mail: it is suppressed with \`reason: unsubscribe\`,
\`scope: bulk\`, a \`detail\` that says which way it came (\`one-click unsubscribe (RFC 8058
POST from the mail provider)\` or \`unsubscribe page button\`, also on the product event)
and the campaign as \`source\`, unless it is
already on the suppression list (an unsubscribe never downgrades a bounce). Transactional
mail (sign-in codes, password resets) still reaches it. A new entry also counts
\`unsubscribed\` on the campaign and publishes an \`unsubscribed\` product event. Repeating
it is harmless: the same page, nothing counted twice.`,
    params: { query: TOKEN_QUERY },
    form: {
      schema: unsubscribeFormSchema,
      multipartExamples: {
        oneClick: {
          summary: 'RFC 8058 one-click, as the RFC asks mail providers to send it',
          value: { [ONE_CLICK.name]: ONE_CLICK.value },
        },
      },
      urlencodedExamples: {
        oneClick: {
          summary: 'RFC 8058 one-click, from a mail provider',
          value: { [ONE_CLICK.name]: ONE_CLICK.value },
        },
        confirmButton: {
          summary: "The confirmation page's button",
          value: { [PAGE_BUTTON.name]: PAGE_BUTTON.value },
        },
      },
    },
    responses: {
      200: {
        description: 'Unsubscribed (now or before).',
        html: true,
        headers: PAGE_RESPONSE_HEADERS,
        examples: {
          done: pageExample(donePage('jane@example.com')),
          testSend: pageExample(
            testSendPage('qa@acme.com'),
            'The link came from a test send; nothing was changed',
          ),
        },
      },
      400: {
        description: `Either the link does not work (the token is missing, malformed, altered or forged: the
page of \`UnsubscribeLinkInvalid\`), or the link is fine and the body is not a one-click
form: no body, a multipart body that cannot be read, or neither
\`List-Unsubscribe=One-Click\` nor \`confirm=yes\`. Then the page is titled "Nothing was
changed" and says what is missing. An HTML page, not the JSON error envelope.`,
        html: true,
        headers: PAGE_RESPONSE_HEADERS,
        examples: { noBody: pageExample(noBodyPage()) },
      },
      413: {
        description: `A form body over 256 KB (${MAX_BODY_BYTES} bytes); JSON, not a page.`,
        examples: { too_large: err('too_large', `The body is 270336 bytes; at most ${MAX_BODY_BYTES}`) },
      },
      415: {
        description: `The link is fine but the body is not a form (Content-Type neither
\`multipart/form-data\` nor \`application/x-www-form-urlencoded\`). The same "Nothing was
changed" page as the 400, saying so.`,
        html: true,
        headers: PAGE_RESPONSE_HEADERS,
      },
      429: GATEWAY_THROTTLED,
      500: INTERNAL_ERROR,
    },
  },
} satisfies Pick<Operations, 'unsubscribePage' | 'unsubscribe'>;
