import * as z from 'zod';
import { badRequest, unprocessable } from '../requests/errors';
import {
  checkTemplateSyntax,
  MissingVariableError,
  RENDER_LIMITS,
  RenderLimitError,
  type TemplateContent,
  TemplateSyntaxError,
} from './template-rules';

/** A part of the content. */
export const contentFieldSchema = z.enum(['subject', 'html', 'text']).meta({ id: 'ContentField' });
/** The part that does not compile or render, or `data` when the data itself is refused. */
const failedFieldSchema = z.enum([...contentFieldSchema.options, 'data']);

/** `details` of `template_syntax_error` (400) and `unrenderable` (422). */
export const syntaxErrorDetailsSchema = z
  .strictObject({
    field: failedFieldSchema,
    line: z.number().int().optional().meta({ description: 'Absent when Handlebars does not say.' }),
  })
  .meta({ id: 'SyntaxErrorDetails' });

/** `details` of `missing_variable` (422). */
export const missingVariableDetailsSchema = z
  .strictObject({ variable: z.string(), field: contentFieldSchema })
  .meta({ id: 'MissingVariableDetails' });

/** `details` of `render_limit_exceeded` (422): the limit gone over, and every limit's value. */
export const renderLimitDetailsSchema = z
  .strictObject({
    field: failedFieldSchema,
    limit: z
      .enum(Object.keys(RENDER_LIMITS) as [keyof typeof RENDER_LIMITS])
      .meta({ description: 'The limit the render went over.' }),
    blockIterations: z.literal(RENDER_LIMITS.blockIterations).meta({
      description: 'Block iterations one part may take (every `{{#each}}` item, nested loops multiplied).',
    }),
    outputCharacters: z
      .literal(RENDER_LIMITS.outputCharacters)
      .meta({ description: 'Characters one part may render to.' }),
    dataDepth: z
      .literal(RENDER_LIMITS.dataDepth)
      .meta({ description: 'Levels of nesting `data` may have (`{}` is one level).' }),
  })
  .meta({ id: 'RenderLimitDetails' });

/** Compiles content that is being saved; a syntax error is the caller's 400, naming part and line. */
export function checkSyntaxOrThrow(content: TemplateContent): void {
  try {
    checkTemplateSyntax(content);
  } catch (error) {
    if (error instanceof TemplateSyntaxError) {
      const details: z.input<typeof syntaxErrorDetailsSchema> = { field: error.field, line: error.line };
      throw badRequest('template_syntax_error', `Template syntax error in ${error.message}`, details);
    }
    throw error;
  }
}

/** Renders content for sending; what cannot be rendered is the caller's 422, naming the variable. */
export function renderOrThrow<T>(render: () => T): T {
  try {
    return render();
  } catch (error) {
    if (error instanceof MissingVariableError) {
      const details: z.input<typeof missingVariableDetailsSchema> = {
        variable: error.variable,
        field: error.field,
      };
      throw unprocessable('missing_variable', error.message, details);
    }
    if (error instanceof RenderLimitError) {
      const details: z.input<typeof renderLimitDetailsSchema> = {
        field: error.field,
        limit: error.limit,
        ...RENDER_LIMITS,
      };
      throw unprocessable('render_limit_exceeded', `Template cannot be rendered: ${error.message}`, details);
    }
    if (error instanceof TemplateSyntaxError) {
      const details: z.input<typeof syntaxErrorDetailsSchema> = { field: error.field, line: error.line };
      throw unprocessable('unrenderable', error.message, details);
    }
    throw error;
  }
}
