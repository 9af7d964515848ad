import Handlebars from 'handlebars';

export const TEMPLATE_NAME = /^[A-Za-z0-9_-]{1,64}$/;
/** RFC 5322's line limit; SES refuses longer subjects. */
export const MAX_SUBJECT_LENGTH = 998;

/** One engine for the whole process, with the helpers templates may use and nothing else. */
const engine = Handlebars.create();
// `{{default first_name "there"}}`: a fallback for optional values, the way Sendy's and
// listmonk's defaults work.
engine.registerHelper('default', (value: unknown, fallback: unknown) =>
  value === undefined || value === null || value === '' ? fallback : value,
);

export interface TemplateContent {
  subject: string;
  html?: string;
  text?: string;
}

export class TemplateSyntaxError extends Error {
  constructor(
    readonly field: keyof TemplateContent,
    readonly line: number | undefined,
    detail: string,
  ) {
    super(`${field}${line === undefined ? '' : `, line ${line}`}: ${detail}`);
  }
}

export class MissingVariableError extends Error {
  constructor(
    readonly field: keyof TemplateContent,
    readonly variable: string,
  ) {
    super(`"${variable}" has no value (used in ${field}); add it to data or use {{default ${variable} "…"}}`);
  }
}

const fields = ['subject', 'html', 'text'] as const;

/** Compiles every part so a syntax error is found at save time, naming the part and the line. */
export function checkTemplateSyntax(content: TemplateContent): void {
  for (const field of fields) {
    const source = content[field];
    if (source === undefined) continue;
    try {
      engine.precompile(source, { strict: true });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new TemplateSyntaxError(field, lineOf(error, message), describe(message));
    }
  }
}

/**
 * Renders subject, html and text with `data`. Values are HTML-escaped in the html part only; the
 * subject is single-line whatever the data says, so a value can never inject a header.
 * Strict mode turns a missing variable into an error instead of an empty string in a sent mail.
 */
export function renderContent(content: TemplateContent, data: Record<string, unknown>): TemplateContent {
  const render = (field: keyof TemplateContent, source: string) => {
    try {
      return engine.compile(source, { strict: true, noEscape: field !== 'html' })(data);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const missing = /^"([^"]+)" not defined.* - (\d+):(\d+)$/.exec(message);
      if (missing?.[1]) {
        const path = pathAt(source, Number(missing[2]), Number(missing[3])) ?? missing[1];
        throw new MissingVariableError(field, path);
      }
      throw new TemplateSyntaxError(field, lineOf(error, message), describe(message));
    }
  };
  const subject = render('subject', content.subject)
    .replace(/[\r\n\t]+/g, ' ')
    .trim();
  if (subject.length > MAX_SUBJECT_LENGTH) {
    throw new TemplateSyntaxError(
      'subject',
      undefined,
      `renders to ${subject.length} characters; at most ${MAX_SUBJECT_LENGTH}`,
    );
  }
  return {
    subject,
    ...(content.html === undefined ? {} : { html: render('html', content.html) }),
    ...(content.text === undefined ? {} : { text: render('text', content.text) }),
  };
}

function lineOf(error: unknown, message: string): number | undefined {
  if (error && typeof error === 'object' && 'lineNumber' in error && typeof error.lineNumber === 'number') {
    return error.lineNumber;
  }
  const match = /on line (\d+)/.exec(message) ?? / - (\d+):\d+/.exec(message);
  return match?.[1] ? Number(match[1]) : undefined;
}

/** Handlebars' parse errors span several lines (with an ASCII-art pointer); keep what a caller can read. */
function describe(message: string): string {
  const lines = message.split('\n');
  const expecting = lines.find((line) => line.startsWith('Expecting'));
  return [lines[0], expecting].filter(Boolean).join(' ');
}

/**
 * Strict mode names only the last segment of a missing path (`id` for `{{order.id}}`); the path
 * expression at the error's position gives the whole of it.
 */
function pathAt(source: string, line: number, column: number): string | undefined {
  let found: string | undefined;
  const visit = (node: unknown): void => {
    if (found !== undefined || !node || typeof node !== 'object') return;
    const candidate = node as {
      type?: string;
      original?: string;
      loc?: { start: { line: number; column: number } };
    };
    if (
      candidate.type === 'PathExpression' &&
      candidate.loc?.start.line === line &&
      candidate.loc.start.column === column
    ) {
      found = candidate.original;
      return;
    }
    for (const [key, value] of Object.entries(node)) {
      if (key !== 'loc') (Array.isArray(value) ? value : [value]).forEach(visit);
    }
  };
  visit(engine.parse(source));
  return found;
}
