import * as z from 'zod';
import { templateNameSchema } from '../emails/email-request';
import { timestampSchema } from '../requests/timestamp';

/** A stored template, as `GET /v1/templates/{name}` shows it (StoredTemplate). */
export const templateSchema = z
  .strictObject({
    name: templateNameSchema,
    subject: z.string(),
    html: z.string().optional(),
    text: z.string().optional(),
    createdAt: timestampSchema,
    updatedAt: timestampSchema,
  })
  .meta({ id: 'Template' });

/** `GET /v1/templates`: one page. */
export const templateListSchema = z
  .strictObject({
    items: z.array(templateSchema),
    nextCursor: z
      .string()
      .optional()
      .meta({ description: 'Present when there may be more; pass it as `cursor`.' }),
  })
  .meta({ id: 'TemplateList' });
