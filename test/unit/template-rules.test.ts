import {
  checkTemplateSyntax,
  MissingVariableError,
  renderContent,
  TemplateSyntaxError,
} from '../../lambdas/shared/domain/template-rules';

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
