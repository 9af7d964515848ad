import { badRequest, unprocessable } from '../requests/errors';
import {
  checkTemplateSyntax,
  MissingVariableError,
  RENDER_LIMITS,
  RenderLimitError,
  type TemplateContent,
  TemplateSyntaxError,
} from './template-rules';

/** Compiles content that is being saved; a syntax error is the caller's 400, naming part and line. */
export function checkSyntaxOrThrow(content: TemplateContent): void {
  try {
    checkTemplateSyntax(content);
  } catch (error) {
    if (error instanceof TemplateSyntaxError) {
      throw badRequest('template_syntax_error', `Template syntax error in ${error.message}`, {
        field: error.field,
        line: error.line,
      });
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
      throw unprocessable('missing_variable', error.message, {
        variable: error.variable,
        field: error.field,
      });
    }
    if (error instanceof RenderLimitError) {
      throw unprocessable('render_limit_exceeded', `Template cannot be rendered: ${error.message}`, {
        field: error.field,
        limit: error.limit,
        ...RENDER_LIMITS,
      });
    }
    if (error instanceof TemplateSyntaxError) {
      throw unprocessable('unrenderable', error.message, { field: error.field, line: error.line });
    }
    throw error;
  }
}
