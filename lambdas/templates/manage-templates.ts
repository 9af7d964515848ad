import * as z from 'zod';
import { badRequest, notFound } from '../requests/errors';
import { parseRequest } from '../requests/validation';
import type { StoredTemplate, TemplateRepository } from './ports';
import { checkSyntaxOrThrow } from './template-errors';
import { TEMPLATE_NAME } from './template-rules';

const MAX_PART_BYTES = 128 * 1024;
/** One part of a template (subject, html or text): at most 128 KB of UTF-8. */
export const templatePartSchema = z
  .string()
  .min(1, 'must not be empty')
  .refine((v) => Buffer.byteLength(v) <= MAX_PART_BYTES, `at most ${MAX_PART_BYTES} bytes`)
  // Characters bound the bytes from below only; the description says bytes.
  .meta({ maxLength: MAX_PART_BYTES });

/** The body of `PUT /v1/templates/{name}`. */
export const templateBodySchema = z
  .strictObject({
    subject: templatePartSchema,
    html: templatePartSchema.optional(),
    text: templatePartSchema.optional(),
  })
  .refine((t) => t.html !== undefined || t.text !== undefined, {
    message: 'give html, text or both',
    path: ['html'],
  })
  .meta({
    id: 'TemplateInput',
    description: `Unknown fields are rejected. Each part is at most 128 KB (${MAX_PART_BYTES} bytes) of UTF-8; give html, text or both.`,
    anyOf: [{ required: ['html'] }, { required: ['text'] }],
  });

function checkTemplateName(name: string): void {
  if (!TEMPLATE_NAME.test(name)) {
    throw badRequest('invalid_template_name', 'Template names are 1 to 64 letters, digits, _ or -');
  }
}

/** `PUT /v1/templates/{name}`: compiled before it is stored, so a broken template is never saved. */
export async function saveTemplate(
  name: string,
  body: unknown,
  deps: { templates: TemplateRepository; now: () => Date },
): Promise<{ template: StoredTemplate; created: boolean }> {
  checkTemplateName(name);
  const content = parseRequest(templateBodySchema, body, 'The template is invalid');
  checkSyntaxOrThrow(content);
  const existing = await deps.templates.get(name);
  const now = deps.now().toISOString();
  const template: StoredTemplate = {
    name,
    ...content,
    createdAt: existing?.createdAt ?? now,
    updatedAt: now,
  };
  await deps.templates.put(template);
  return { template, created: existing === undefined };
}

export async function getTemplate(name: string, templates: TemplateRepository): Promise<StoredTemplate> {
  checkTemplateName(name);
  const template = await templates.get(name);
  if (!template) throw notFound(`No template named "${name}"`);
  return template;
}

export async function deleteTemplate(name: string, templates: TemplateRepository): Promise<void> {
  checkTemplateName(name);
  if (!(await templates.delete(name))) throw notFound(`No template named "${name}"`);
}
