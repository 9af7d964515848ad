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

/**
 * Bounds on one part's render, checked while it runs: a template is data from the caller, and four
 * nested `{{#each}}` over 70 items are 24 million iterations (over 4 s of blocked CPU, 24 MB of
 * output) before any check after the fact could look. 10,000 iterations is a 1,000-item list with
 * a 10-item list in each; a million characters (of the part as rendered) is ten times what Gmail
 * shows before clipping. Data nested deeper than `dataDepth` levels is refused before rendering:
 * printing a deeply nested array recurses once per level, and 60,000 levels overflow the stack.
 */
export const RENDER_LIMITS = { blockIterations: 10_000, outputCharacters: 1_000_000, dataDepth: 32 } as const;

/** Compiled templates kept per process: a campaign's content compiles once, not once per recipient. */
const COMPILED_CACHE_SIZE = 100;

/**
 * How deep blocks (`{{#if}}`, `{{#each}}`, …) and subexpressions (`(…)`) may nest in one part,
 * checked by a scan of the source before Handlebars parses it: Handlebars' parser and compiler
 * recurse per level and slow down steeply with depth (8,000 nested `{{#if}}` in a 128 KB part took
 * 74 s to end in "Maximum call stack size exceeded", 4,000 took 8 s), which would hold the API past
 * its timeout. Real templates nest a handful of levels. Blocks side by side cost less but still
 * add up (8,000 took over a second to compile here, several on a small Lambda), so a part holds
 * at most `blocksInAll` blocks.
 */
const NESTING_LIMITS = { blocks: 50, subexpressions: 20, blocksInAll: 2_000 } as const;

export interface TemplateContent {
  subject: string;
  html?: string;
  text?: string;
}

export class TemplateSyntaxError extends Error {
  constructor(
    /** The part that does not render, or `data` when the data itself is refused. */
    readonly field: keyof TemplateContent | 'data',
    readonly line: number | undefined,
    /** What is wrong, without the part and line the message starts with. */
    readonly detail: string,
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

/**
 * The render went over RENDER_LIMITS. A kind of TemplateSyntaxError ("this content does not render
 * with this data") so every caller that reports unrenderable content reports it too.
 */
export class RenderLimitError extends TemplateSyntaxError {
  constructor(
    field: keyof TemplateContent | 'data',
    readonly limit: keyof typeof RENDER_LIMITS,
  ) {
    super(field, undefined, limitMessage(limit));
  }
}

function limitMessage(limit: keyof typeof RENDER_LIMITS): string {
  switch (limit) {
    case 'blockIterations':
      return `rendering needs more than ${RENDER_LIMITS.blockIterations} block iterations ({{#each}} loops, nested ones multiplied); loop over less data or nest fewer loops`;
    case 'outputCharacters':
      return `renders to more than ${RENDER_LIMITS.outputCharacters} characters; send less data or loop less`;
    case 'dataDepth':
      return `nested deeper than ${RENDER_LIMITS.dataDepth} levels; flatten the data`;
  }
}

/**
 * Whether `value` has arrays or objects nested deeper than `limit` levels (`{}` is one level), found
 * with an explicit stack: the value is the caller's, and a recursive walk is what it could overflow.
 */
export function nestedDeeperThan(value: unknown, limit: number): boolean {
  const pending: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
    if (item.value === null || typeof item.value !== 'object') continue;
    if (item.depth >= limit) return true;
    for (const child of Object.values(item.value)) pending.push({ value: child, depth: item.depth + 1 });
  }
  return false;
}

/**
 * What the render in progress has spent (rendering is synchronous: one at a time per process).
 * `characters` is the part's output so far: each character is charged once, where it is made.
 */
let budget: { field: keyof TemplateContent; iterations: number; characters: number } | undefined;

function spend(iterations: number, characters: number): void {
  if (!budget) return;
  budget.iterations += iterations;
  budget.characters += characters;
  if (budget.iterations > RENDER_LIMITS.blockIterations)
    throw new RenderLimitError(budget.field, 'blockIterations');
  if (budget.characters > RENDER_LIMITS.outputCharacters)
    throw new RenderLimitError(budget.field, 'outputCharacters');
}

// Every loop (`{{#each}}`, and `{{#list}}…{{/list}}` over an array, which Handlebars runs through
// `each`) pays one iteration per item. Its output is paid for by the meter blocks of its body as it
// is made, so an outer loop stops as soon as the part's output is too large.
const builtinEach = engine.helpers.each as Handlebars.HelperDelegate;
engine.registerHelper('each', function (this: unknown, context: unknown, options: Handlebars.HelperOptions) {
  const fn = options.fn;
  const counted = Object.assign((item: unknown, frame?: Handlebars.RuntimeOptions) => {
    spend(1, 0);
    return fn(item, frame);
  }, fn);
  return builtinEach.call(this, context, { ...options, fn: counted });
});

// Every `{{value}}` pays for the characters it outputs, wherever it stands: `{{x}}` written 20,000
// times with a 250 KB value is gigabytes without a single loop. Each run of up to METER_RUN
// statements of a template is wrapped in a meter block, which renders the run and pays for what it
// produced: the statements themselves are untouched (strict missing-variable checks, escaping,
// `../`, `@index`), and at most one run is built before it is counted. A block per run rather than
// per mustache: Handlebars compiles each block into a function of its own, and a 128 KB template
// with a block per mustache compiled twice as slowly.
//
// A run's output holds the output of the blocks in it (a loop, an `{{#if}}`), which their own
// meters have already paid for: the run pays only for the rest, so every character is charged
// once and the total charged is the part's length (issue 11 review: a loop's output was charged
// by every enclosing meter and by the loop, and 588,060 characters were refused as over a million).
const METER = '__mailroom_meter';
const METER_RUN = 32;
engine.registerHelper(METER, function (this: unknown, options: Handlebars.HelperOptions) {
  const before = budget?.characters ?? 0;
  const out = options.fn(this);
  const nested = (budget?.characters ?? 0) - before;
  spend(0, Math.max(0, out.length - nested));
  return new engine.SafeString(out);
});

type Node = { type: string; body?: unknown[]; loc?: unknown; [key: string]: unknown };
const noStrip = { open: false, close: false };

function meterBlock(body: unknown[], loc: unknown): Node {
  return {
    type: 'BlockStatement',
    path: { type: 'PathExpression', data: false, depth: 0, parts: [METER], original: METER, loc },
    params: [],
    program: { type: 'Program', body, blockParams: [], strip: {}, loc },
    openStrip: noStrip,
    inverseStrip: noStrip,
    closeStrip: noStrip,
    loc,
  };
}

/** The parsed template with every program's statements metered in runs (loop bodies included). */
function metered(node: Node): Node {
  const copy: Node = { ...node };
  for (const key of ['program', 'inverse'] as const) {
    const child = node[key] as Node | undefined;
    if (child) copy[key] = metered(child);
  }
  if (node.type === 'Program' && node.body) {
    const body = node.body.map((statement) =>
      (statement as Node).type === 'BlockStatement' ? metered(statement as Node) : statement,
    );
    const runs: Node[] = [];
    for (let i = 0; i < body.length; i += METER_RUN)
      runs.push(meterBlock(body.slice(i, i + METER_RUN), node.loc));
    copy.body = runs;
  }
  return copy;
}

const compiled = new Map<string, HandlebarsTemplateDelegate>();

/**
 * Refuses a part whose blocks or subexpressions nest deeper than NESTING_LIMITS, by a linear scan
 * of its tags (comments skipped) that never recurses, so the cost is bounded before Handlebars
 * sees the source. It may over-count a malformed template; Handlebars then reports the real error
 * only for sources that pass.
 */
function checkNesting(field: keyof TemplateContent, source: string): void {
  let blocks = 0;
  let blocksInAll = 0;
  let line = 1;
  let at = 0;
  for (;;) {
    const open = source.indexOf('{{', at);
    if (open < 0) return;
    for (let i = at; i < open; i++) if (source.charCodeAt(i) === 10) line++;
    let tag = open + 2;
    while (source[tag] === '{' || source[tag] === '~') tag++;
    const isComment = source[tag] === '!';
    const close = source.indexOf(isComment && source.startsWith('!--', tag) ? '--}}' : '}}', tag);
    const end = close < 0 ? source.length : close;
    const sigil = source[tag];
    if (!isComment) {
      if (sigil === '#' || sigil === '^') {
        blocks++;
        blocksInAll++;
      } else if (sigil === '/') blocks--;
      let parens = 0;
      for (let i = tag; i < end; i++) {
        const c = source[i];
        if (c === '(') parens++;
        else if (c === ')') parens--;
        if (parens > NESTING_LIMITS.subexpressions) {
          throw new TemplateSyntaxError(
            field,
            line,
            `subexpressions nested deeper than ${NESTING_LIMITS.subexpressions} levels`,
          );
        }
      }
      if (blocks > NESTING_LIMITS.blocks) {
        throw new TemplateSyntaxError(
          field,
          line,
          `blocks nested deeper than ${NESTING_LIMITS.blocks} levels`,
        );
      }
      if (blocksInAll > NESTING_LIMITS.blocksInAll) {
        throw new TemplateSyntaxError(
          field,
          line,
          `more than ${NESTING_LIMITS.blocksInAll} blocks in one part`,
        );
      }
    }
    for (let i = open; i < end; i++) if (source.charCodeAt(i) === 10) line++;
    at = close < 0 ? source.length : close + 2;
  }
}

/** One compiled template per part and source, least recently used dropped first. */
function compiledPart(field: keyof TemplateContent, source: string): HandlebarsTemplateDelegate {
  const key = `${field}\u0000${source}`;
  const cached = compiled.get(key);
  if (cached) {
    compiled.delete(key);
    compiled.set(key, cached);
    return cached;
  }
  checkNesting(field, source);
  // Whitespace control already ran when `parse` read the source; a second standalone pass over
  // the metered tree would see the runs as blocks on lines of their own and strip more.
  const program = metered(engine.parse(source) as unknown as Node) as unknown as hbs.AST.Program;
  const template = engine.compile(program, {
    strict: true,
    noEscape: field !== 'html',
    ignoreStandalone: true,
  });
  compiled.set(key, template);
  if (compiled.size > COMPILED_CACHE_SIZE) compiled.delete(compiled.keys().next().value ?? '');
  return template;
}

/** How many compiled parts the process keeps (for tests: content compiles once, not per recipient). */
export const compiledTemplateCount = (): number => compiled.size;

/** One part rendered within RENDER_LIMITS. */
function renderPart(field: keyof TemplateContent, source: string, data: Record<string, unknown>): string {
  const template = compiledPart(field, source);
  budget = { field, iterations: 0, characters: 0 };
  try {
    const out = template(data);
    if (out.length > RENDER_LIMITS.outputCharacters) throw new RenderLimitError(field, 'outputCharacters');
    return out;
  } finally {
    budget = undefined;
  }
}

const fields = ['subject', 'html', 'text'] as const;

/** Compiles every part so a syntax error is found at save time, naming the part and the line. */
export function checkTemplateSyntax(content: TemplateContent): void {
  for (const field of fields) {
    const source = content[field];
    if (source === undefined) continue;
    checkNesting(field, source);
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
  if (nestedDeeperThan(data, RENDER_LIMITS.dataDepth)) throw new RenderLimitError('data', 'dataDepth');
  const render = (field: keyof TemplateContent, source: string) => {
    try {
      return renderPart(field, source, data);
    } catch (error) {
      if (error instanceof TemplateSyntaxError) throw error;
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
