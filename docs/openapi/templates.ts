import { MAX_BODY_BYTES } from '../../lambdas/functions/api/http';
import { templateBodySchema } from '../../lambdas/templates/manage-templates';
import { previewRequestSchema, previewSchema } from '../../lambdas/templates/preview';
import { checkSyntaxOrThrow } from '../../lambdas/templates/template-errors';
import { templateListSchema, templateSchema } from '../../lambdas/templates/template-response';
import { BAD_PAGE_QUERY, MISSING_FIRST_NAME_EXAMPLE } from './examples';
import { err, type Operations, thrown } from './operation';
import { PAGE_QUERY, TEMPLATE_NAME_PATH } from './parameters';
import {
  BODY_TOO_LARGE,
  GATEWAY_FORBIDDEN,
  GATEWAY_THROTTLED,
  INTERNAL_ERROR,
  INVALID_TEMPLATE_NAME,
  INVALID_TEMPLATE_NAME_EXAMPLE,
  TEMPLATE_NOT_FOUND,
  UNSUPPORTED_MEDIA_TYPE,
} from './responses';

export const TEMPLATE_OPERATIONS = {
  previewContent: {
    tag: 'templates',
    summary: 'Render content with sample data, sending nothing',
    description: `Renders a subject, html and text (a template's content, or a campaign's) with one
recipient's \`data\`, exactly as a send renders them: the same Handlebars helpers, HTML escaping in
\`html\`, strict variables and render limits. \`{{unsubscribe_url}}\` renders as a placeholder link.
Nothing is sent or stored. The campaign console's live preview calls it.`,
    body: {
      schema: previewRequestSchema,
      examples: {
        welcome: {
          value: {
            subject: 'Welcome, {{default first_name "there"}}',
            html: '<p>Hi {{first_name}}</p><p><a href="{{unsubscribe_url}}">Unsubscribe</a></p>',
            data: { first_name: 'Ann <3' },
          },
        },
      },
    },
    responses: {
      200: {
        description: 'The content rendered.',
        schema: previewSchema,
        examples: {
          rendered: {
            value: {
              subject: 'Welcome, Ann <3',
              html: '<p>Hi Ann &lt;3</p><p><a href="https://example.invalid/unsubscribe">Unsubscribe</a></p>',
            },
          },
        },
      },
      400: {
        description: 'Invalid body or template syntax.',
        examples: {
          template_syntax_error: thrown(() =>
            checkSyntaxOrThrow({ subject: 'Welcome', html: '<p>Hi\n{{first_name}</p>' }),
          ),
          validation_failed: err('validation_failed', 'The preview request is invalid', {
            details: [{ path: 'html', message: 'give html, text or both' }],
          }),
          invalid_json: err('invalid_json', 'The body is empty; expected a JSON object'),
        },
      },
      403: GATEWAY_FORBIDDEN,
      413: BODY_TOO_LARGE,
      415: UNSUPPORTED_MEDIA_TYPE,
      422: {
        description: 'The content does not render with this data.',
        examples: { missing_variable: MISSING_FIRST_NAME_EXAMPLE },
      },
      429: GATEWAY_THROTTLED,
      500: INTERNAL_ERROR,
    },
  },
  listTemplates: {
    tag: 'templates',
    summary: 'List stored templates',
    description: `One page of templates, in no particular order. A page can hold fewer than \`limit\` items
(even none) while \`nextCursor\` is present; stop when \`nextCursor\` is absent.`,
    params: { query: PAGE_QUERY },
    responses: {
      200: {
        description: 'One page of templates.',
        schema: templateListSchema,
        examples: {
          page: {
            value: {
              items: [
                {
                  name: 'welcome',
                  subject: 'Welcome, {{default first_name "there"}}',
                  html: '<p>Hi {{default first_name "there"}}, your {{plan}} plan is ready.</p>',
                  text: 'Hi {{default first_name "there"}}, your {{plan}} plan is ready.',
                  createdAt: '2025-05-01T08:00:00.000Z',
                  updatedAt: '2025-05-03T16:42:10.512Z',
                },
              ],
              nextCursor: 'eyJuYW1lIjoid2VsY29tZSJ9',
            },
          },
        },
      },
      400: BAD_PAGE_QUERY,
      403: GATEWAY_FORBIDDEN,
      429: GATEWAY_THROTTLED,
      500: INTERNAL_ERROR,
    },
  },
  putTemplate: {
    tag: 'templates',
    summary: 'Create or replace a template',
    description: `Every part is compiled before it is stored, so a template with a Handlebars syntax error
is never saved. Replacing keeps \`createdAt\`. Each part may be up to 128 KB, but the whole body is
at most 256 KB (${MAX_BODY_BYTES} bytes, a 413 over it): parts that together come near it do not fit
one request.`,
    params: { path: TEMPLATE_NAME_PATH },
    body: {
      schema: templateBodySchema,
      examples: {
        welcome: {
          value: {
            subject: 'Welcome, {{default first_name "there"}}',
            html: '<p>Hi {{default first_name "there"}}, your {{plan}} plan is ready.</p>',
            text: 'Hi {{default first_name "there"}}, your {{plan}} plan is ready.',
          },
        },
      },
    },
    responses: {
      200: {
        description: 'An existing template was replaced.',
        schema: templateSchema,
      },
      201: {
        description: 'The template was created.',
        schema: templateSchema,
        examples: {
          created: {
            value: {
              name: 'welcome',
              subject: 'Welcome, {{default first_name "there"}}',
              html: '<p>Hi {{default first_name "there"}}, your {{plan}} plan is ready.</p>',
              text: 'Hi {{default first_name "there"}}, your {{plan}} plan is ready.',
              createdAt: '2025-05-01T08:00:00.000Z',
              updatedAt: '2025-05-01T08:00:00.000Z',
            },
          },
        },
      },
      400: {
        description: 'Invalid name, body or template syntax.',
        examples: {
          template_syntax_error: thrown(() =>
            checkSyntaxOrThrow({ subject: 'Welcome', html: '<p>Hi\n{{first_name}</p>' }),
          ),
          validation_failed: err('validation_failed', 'The template is invalid', {
            details: [
              {
                path: 'html',
                message: 'give html, text or both',
              },
            ],
          }),
          invalid_template_name: INVALID_TEMPLATE_NAME_EXAMPLE,
          invalid_json: err('invalid_json', 'The body is empty; expected a JSON object'),
        },
      },
      403: GATEWAY_FORBIDDEN,
      413: BODY_TOO_LARGE,
      415: UNSUPPORTED_MEDIA_TYPE,
      429: GATEWAY_THROTTLED,
      500: INTERNAL_ERROR,
    },
  },
  getTemplate: {
    tag: 'templates',
    summary: 'Get one template',
    params: { path: TEMPLATE_NAME_PATH },
    responses: {
      200: {
        description: 'The template.',
        schema: templateSchema,
      },
      400: INVALID_TEMPLATE_NAME,
      403: GATEWAY_FORBIDDEN,
      404: TEMPLATE_NOT_FOUND,
      429: GATEWAY_THROTTLED,
      500: INTERNAL_ERROR,
    },
  },
  deleteTemplate: {
    tag: 'templates',
    summary: 'Delete one template',
    description: 'Emails already accepted keep their rendered content; later sends naming it get 422.',
    params: { path: TEMPLATE_NAME_PATH },
    responses: {
      204: {
        description: 'Deleted. No body.',
      },
      400: INVALID_TEMPLATE_NAME,
      403: GATEWAY_FORBIDDEN,
      404: TEMPLATE_NOT_FOUND,
      429: GATEWAY_THROTTLED,
      500: INTERNAL_ERROR,
    },
  },
} satisfies Pick<
  Operations,
  'listTemplates' | 'putTemplate' | 'getTemplate' | 'deleteTemplate' | 'previewContent'
>;
