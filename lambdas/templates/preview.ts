import * as z from 'zod';
import { PLACEHOLDER_UNSUBSCRIBE_URL, UNSUBSCRIBE_URL_VARIABLE } from '../campaigns/unsubscribe-link';
import { parseRequest } from '../requests/validation';
import { templatePartSchema } from './manage-templates';
import { checkSyntaxOrThrow, renderOrThrow } from './template-errors';
import { renderContent, type TemplateContent } from './template-rules';

/** The body of `POST /v1/previews`: content as a template holds it, and one recipient's data. */
export const previewRequestSchema = z
  .strictObject({
    subject: templatePartSchema,
    html: templatePartSchema.optional(),
    text: templatePartSchema.optional(),
    data: z
      .record(z.string(), z.unknown())
      .optional()
      .meta({ description: "Values for the content's Handlebars variables, as one recipient's data." }),
  })
  .refine((t) => t.html !== undefined || t.text !== undefined, {
    message: 'give html, text or both',
    path: ['html'],
  })
  .meta({
    id: 'PreviewRequest',
    description: `Unknown fields are rejected. Each part is at most 128 KB of UTF-8; give html, text or both.`,
    anyOf: [{ required: ['html'] }, { required: ['text'] }],
  });

/** What `POST /v1/previews` answers: the content rendered. */
export const previewSchema = z
  .strictObject({ subject: z.string(), html: z.string().optional(), text: z.string().optional() })
  .meta({ id: 'Preview' });

/**
 * `POST /v1/previews`: content rendered with `data` exactly as a send renders it (the same
 * renderer, escaping and checks), sending nothing and storing nothing. `{{unsubscribe_url}}`
 * renders as a placeholder link, as no recipient's token is signed. The console previews with it:
 * Handlebars compiles templates to functions, which the console's CSP (no `unsafe-eval`) forbids
 * in the browser.
 */
export function previewContent(body: unknown): z.output<typeof previewSchema> {
  const { data, ...parts } = parseRequest(previewRequestSchema, body, 'The preview request is invalid');
  const content: TemplateContent = parts;
  checkSyntaxOrThrow(content);
  return renderOrThrow(() =>
    renderContent(content, { ...data, [UNSUBSCRIBE_URL_VARIABLE]: PLACEHOLDER_UNSUBSCRIBE_URL }),
  );
}
