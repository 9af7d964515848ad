import Handlebars from 'handlebars';
import { renderOrThrow } from '../../lambdas/templates/template-errors';
import {
  checkTemplateSyntax,
  compiledTemplateCount,
  MissingVariableError,
  nestedDeeperThan,
  RENDER_LIMITS,
  RenderLimitError,
  renderContent,
  TemplateSyntaxError,
} from '../../lambdas/templates/template-rules';

describe('renderContent', () => {
  it('merges data into subject, html and text', () => {
    const rendered = renderContent(
      { subject: 'Hi {{name}}', html: '<p>{{name}}</p>', text: 'Code: {{code}}' },
      { name: 'Jane', code: '123' },
    );
    expect(rendered).toEqual({ subject: 'Hi Jane', html: '<p>Jane</p>', text: 'Code: 123' });
  });

  it('escapes values in html but not in text', () => {
    const rendered = renderContent(
      { subject: 'x', html: '<p>{{name}}</p>', text: '{{name}}' },
      { name: '<script>alert(1)</script>' },
    );
    expect(rendered.html).toBe('<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>');
    expect(rendered.text).toBe('<script>alert(1)</script>');
  });

  it('keeps the subject on one line whatever the data holds', () => {
    const rendered = renderContent({ subject: 'Hi {{name}}' }, { name: 'Jane\r\nBcc: victim@example.org' });
    expect(rendered.subject).toBe('Hi Jane Bcc: victim@example.org');
  });

  it('names a variable without a value', () => {
    expect(() => renderContent({ subject: 'Hi', text: 'Hello {{first_name}}' }, {})).toThrow(
      expect.objectContaining({ constructor: MissingVariableError, variable: 'first_name', field: 'text' }),
    );
  });

  it('lets #if and default cover an optional value', () => {
    const rendered = renderContent(
      { subject: 'Hi {{default first_name "there"}}', text: '{{#if team}}Team {{team}}{{/if}}.' },
      {},
    );
    expect(rendered).toEqual({ subject: 'Hi there', text: '.' });
  });
});

describe('checkTemplateSyntax', () => {
  it('names the part and the line of a syntax error', () => {
    expect(() =>
      checkTemplateSyntax({ subject: 'ok', html: '<p>\nline two\n{{#if x}}never closed' }),
    ).toThrow(expect.objectContaining({ constructor: TemplateSyntaxError, field: 'html', line: 3 }));
  });

  it('accepts valid templates', () => {
    expect(() =>
      checkTemplateSyntax({ subject: 'Hi {{name}}', text: '{{#each items}}{{this}}{{/each}}' }),
    ).not.toThrow();
  });
});

describe('renderContent error details', () => {
  it('names the whole path of a missing nested variable', () => {
    expect(() => renderContent({ subject: 'Order {{order.id}}' }, { order: {} })).toThrow(
      expect.objectContaining({ variable: 'order.id', field: 'subject' }),
    );
    expect(() => renderContent({ subject: 'x', text: 'Hi\n  {{user.name}}' }, {})).toThrow(
      expect.objectContaining({ variable: 'user.name', field: 'text' }),
    );
  });

  it('refuses a subject that renders past 998 characters', () => {
    expect(() => renderContent({ subject: '{{long}}' }, { long: 'x'.repeat(999) })).toThrow(
      TemplateSyntaxError,
    );
  });

  it('keeps what the parser expected in a syntax error', () => {
    expect(() => checkTemplateSyntax({ subject: 'line1\nHi {{name' })).toThrow(/line 2.*Expecting/);
  });
});

describe('render limits', () => {
  const items = Array.from({ length: 70 }, (_, i) => ({ n: i }));
  const fourNested =
    '{{#each items}}{{#each @root.items}}{{#each @root.items}}{{#each @root.items}}x{{/each}}{{/each}}{{/each}}{{/each}}';

  it('stops four nested loops over 70 items (24 million iterations) at once, naming the part', () => {
    // Unbounded, this took 4 to 11 s on the machines it was tried on; bounded, it stops at the
    // 10,001st iteration (no timing here: speed is the bench's, not a test's).
    expect(() => renderContent({ subject: 's', html: fourNested }, { items })).toThrow(
      expect.objectContaining({ constructor: RenderLimitError, field: 'html', limit: 'blockIterations' }),
    );
  });

  it.each([
    [
      'blocks nested 51 deep',
      `${'{{#if a}}'.repeat(51)}x${'{{/if}}'.repeat(51)}`,
      /blocks nested deeper than 50 levels/,
    ],
    [
      'blocks nested 8,000 deep (74 s of parsing before)',
      `${'{{#if a}}'.repeat(8000)}x${'{{/if}}'.repeat(8000)}`,
      /blocks nested deeper than 50 levels/,
    ],
    ['2,001 blocks side by side', '{{#if a}}x{{/if}}'.repeat(2001), /more than 2000 blocks in one part/],
    [
      'subexpressions nested 21 deep',
      `{{x ${'(default '.repeat(21)}a "b"${')'.repeat(21)}}}`,
      /subexpressions nested deeper than 20 levels/,
    ],
  ])('refuses %s before Handlebars parses it, at save and at render', (_case, html, message) => {
    expect(() => checkTemplateSyntax({ subject: 's', html })).toThrow(TemplateSyntaxError);
    expect(() => checkTemplateSyntax({ subject: 's', html })).toThrow(message);
    expect(() => renderContent({ subject: 's', html }, { a: true, x: 'y' })).toThrow(message);
  });

  it('lets 50 nested blocks, 2,000 blocks side by side and nesting inside comments through', () => {
    const nested = `${'{{#if a}}'.repeat(50)}x${'{{/if}}'.repeat(50)}`;
    expect(renderContent({ subject: 's', html: nested }, { a: true }).html).toBe('x');
    expect(() => checkTemplateSyntax({ subject: 's', html: '{{#if a}}x{{/if}}'.repeat(2000) })).not.toThrow();
    const comment = `{{!-- ${'{{#if a}}'.repeat(60)} --}}ok`;
    expect(renderContent({ subject: 's', html: comment }, { a: true }).html).toBe('ok');
  });

  it('counts lists iterated without #each too', () => {
    expect(() =>
      renderContent(
        {
          subject: 's',
          text: '{{#items}}{{#@root.items}}{{#@root.items}}x{{/@root.items}}{{/@root.items}}{{/items}}',
        },
        { items },
      ),
    ).toThrow(expect.objectContaining({ limit: 'blockIterations' }));
  });

  it('lets a 1,000-item list with 10 items in each through', () => {
    const list = Array.from({ length: 1000 }, () => ({ lines: Array.from({ length: 9 }, (_, i) => i) }));
    const rendered = renderContent(
      { subject: 's', text: '{{#each list}}{{#each lines}}{{this}}{{/each}};{{/each}}' },
      { list },
    );
    expect(rendered.text).toHaveLength(10_000);
  });

  it('stops a loop whose output grows past a million characters', () => {
    expect(() =>
      renderContent(
        { subject: 's', html: '{{#each items}}{{@root.big}}{{/each}}' },
        { items, big: 'x'.repeat(20_000) },
      ),
    ).toThrow(expect.objectContaining({ limit: 'outputCharacters', field: 'html' }));
  });

  it('stops a value repeated past a million characters without any loop', () => {
    expect(() =>
      renderContent({ subject: 's', text: '{{big}}'.repeat(20_000) }, { big: 'y'.repeat(100) }),
    ).toThrow(expect.objectContaining({ limit: 'outputCharacters', field: 'text' }));
  });

  // Issue 11 review (S5): output was charged by every enclosing meter block and by the loop, so
  // 588,060 characters were refused as "more than 1000000". Each character is charged once now.
  describe('charges each output character once', () => {
    const limit = RENDER_LIMITS.outputCharacters;
    const refusal = expect.objectContaining({ constructor: RenderLimitError, limit: 'outputCharacters' });
    // 9,801 iterations of 102 characters is 999,702; the tail takes the part to the limit or one past it.
    const b = Array.from({ length: 9801 }, () => 1);
    const a = Array.from({ length: 99 }, (_, i) => i);
    const x = 'y'.repeat(102);
    const tail = (n: number) => 'z'.repeat(n - 9801 * 102);
    const single = (n: number) => `{{#each b}}{{@root.x}}{{/each}}${tail(n)}`;
    const nested = (n: number) => `{{#each a}}{{#each ../a}}{{@root.x}}{{/each}}{{/each}}${tail(n)}`;

    it.each([
      ['a single each', single],
      ['a nested each', nested],
    ])('%s renders to exactly the limit and is refused one character past it', (_, template) => {
      for (const field of ['html', 'text'] as const) {
        expect(renderContent({ subject: 's', [field]: template(limit) }, { a, b, x })[field]).toHaveLength(
          limit,
        );
        expect(() => renderContent({ subject: 's', [field]: template(limit + 1) }, { a, b, x })).toThrow(
          refusal,
        );
      }
    });

    it('passes the review’s 588,060 characters (60 × 9,801, in one loop and in two)', () => {
      const data = { a, b, x: 'y'.repeat(60) };
      expect(
        renderContent({ subject: 's', html: '{{#each b}}{{@root.x}}{{/each}}' }, data).html,
      ).toHaveLength(588_060);
      expect(
        renderContent({ subject: 's', html: '{{#each a}}{{#each ../a}}{{@root.x}}{{/each}}{{/each}}' }, data)
          .html,
      ).toHaveLength(588_060);
    });

    it('counts output inside #if blocks and runs of more than 32 statements once too', () => {
      const run = `{{#if on}}${'{{x}}'.repeat(40)}{{#if on}}{{x}}{{/if}}{{/if}}`;
      const data = { on: true, x: 'y'.repeat(Math.floor(limit / 41)) };
      const exact = limit - 41 * data.x.length;
      expect(renderContent({ subject: 's', text: `${run}${'z'.repeat(exact)}` }, data).text).toHaveLength(
        limit,
      );
      expect(() => renderContent({ subject: 's', text: `${run}${'z'.repeat(exact + 1)}` }, data)).toThrow(
        refusal,
      );
    });
  });

  // Issue 11 review (B1): printing 60,000 nested arrays overflowed the stack inside Handlebars.
  it('refuses data nested deeper than 32 levels before rendering, as data (a 422, never a stack overflow)', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 60_000; i++) deep = [deep];
    for (const text of ['{{d}}', 'unread']) {
      expect(() => renderContent({ subject: 's', text }, { d: deep })).toThrow(
        expect.objectContaining({ constructor: RenderLimitError, field: 'data', limit: 'dataDepth' }),
      );
      expect(() => renderOrThrow(() => renderContent({ subject: 's', text }, { d: deep }))).toThrow(
        expect.objectContaining({ status: 422, code: 'render_limit_exceeded' }),
      );
    }
    let ok: unknown = 1;
    for (let i = 0; i < 31; i++) ok = [ok];
    expect(renderContent({ subject: 's', text: '{{d}}' }, { d: ok }).text).toBe('1');
    expect(nestedDeeperThan({ d: ok }, 32)).toBe(false);
    expect(nestedDeeperThan({ d: [ok] }, 32)).toBe(true);
  });

  it('is a 422 render_limit_exceeded at submit and test time', () => {
    expect(() => renderOrThrow(() => renderContent({ subject: 's', html: fourNested }, { items }))).toThrow(
      expect.objectContaining({
        status: 422,
        code: 'render_limit_exceeded',
        details: expect.objectContaining({
          field: 'html',
          limit: 'blockIterations',
          blockIterations: 10_000,
        }),
      }),
    );
  });

  it('compiles each part once, however many recipients it renders for', () => {
    const content = { subject: 'Hi {{n}}', html: '<p>{{n}}</p><!-- once -->', text: 'n={{n}} once' };
    const before = compiledTemplateCount();
    for (let n = 0; n < 50; n++) renderContent(content, { n });
    expect(compiledTemplateCount() - before).toBe(3);
  });

  it.each([
    [
      'standalone blocks on their own lines',
      '<ul>\n  {{#each items}}\n  <li>{{n}}</li>\n  {{/each}}\n</ul>\n',
    ],
    ['a mustache on its own line', 'Hi\n{{name}}\nBye\n'],
    [
      'a leading newline and a block on the first line',
      '\n{{#if name}}\n  yes\n{{/if}}\n\n{{#each items}}\n{{n}}\n{{/each}}',
    ],
    ['more statements than one metered run', `${'{{name}}\n {{#each items}}{{n}}{{/each}}\n'.repeat(40)}end`],
    ['~ whitespace control', 'a  {{~name~}}  b {{#if name~}}  c  {{~/if}} d'],
    ['../ and @index inside a loop', '{{#each items}}{{../name}}{{@index}}{{#if @first}}!{{/if}}{{/each}}'],
    ['block params', '{{#each items as |item i|}}{{item.n}}:{{i}} {{/each}}'],
    [
      'triple-stash, helpers and sub-expressions',
      '{{{raw}}} {{default missing "fb"}} {{lookup items 1}} {{#with nested}}{{deep}}{{/with}}',
    ],
    ['else branches', '{{#each none}}x{{else}}empty{{/each}} {{#unless name}}no{{else}}yes{{/unless}}'],
  ])('renders exactly as plain Handlebars does: %s', (_, html) => {
    const data = {
      name: 'A&B <b>',
      raw: '<i>raw</i>',
      items: items.slice(0, 3),
      nested: { deep: 'd"q' },
      none: [],
    };
    const plain = Handlebars.create();
    plain.registerHelper('default', (value: unknown, fallback: unknown) =>
      value === undefined || value === null || value === '' ? fallback : value,
    );
    for (const [field, noEscape] of [
      ['html', false],
      ['text', true],
    ] as const) {
      const expected = plain.compile(html, { strict: true, noEscape })(data);
      expect(renderContent({ subject: 's', [field]: html }, data)[field]).toBe(expected);
    }
  });

  it('still names a missing variable inside a loop', () => {
    expect(() =>
      renderContent({ subject: 's', text: '{{#each items}}\n{{n}} {{order.id}}{{/each}}' }, { items }),
    ).toThrow(expect.objectContaining({ constructor: MissingVariableError, variable: 'order.id' }));
  });
});
