import { emailRequestSchema } from '../../lambdas/emails/email-request';

const valid = { to: 'jane@example.org', subject: 'Hi', text: 'Hello' };
const problems = (body: unknown) => {
  const result = emailRequestSchema.safeParse(body);
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('emailRequestSchema', () => {
  it('accepts a minimal inline mail, with to as a string or a list', () => {
    expect(problems(valid)).toEqual([]);
    expect(problems({ ...valid, to: ['a@example.org', 'b@example.org'] })).toEqual([]);
  });

  it('accepts a template with data and no inline content', () => {
    expect(problems({ to: 'a@example.org', template: 'welcome', data: { name: 'A' } })).toEqual([]);
  });

  it.each([
    ['an unknown field', { ...valid, priority: 'high' }, 'priority'],
    ['no recipient', { ...valid, to: [] }, 'at least one'],
    [
      '51 recipients across to, cc and bcc',
      { ...valid, to: addresses(30), cc: addresses(20, 'c'), bcc: ['x@example.org'] },
      'at most 50',
    ],
    ['CR/LF in the subject', { ...valid, subject: 'Hi\r\nBcc: x@example.org' }, 'subject'],
    ['no subject', { to: 'a@example.org', text: 'x' }, 'subject'],
    ['neither html nor text', { to: 'a@example.org', subject: 'x' }, 'html'],
    [
      'a template and inline content',
      { to: 'a@example.org', template: 't', html: '<p>x</p>' },
      'either a template',
    ],
    ['an invalid template name', { to: 'a@example.org', template: '../etc' }, 'template'],
    ['a header that may not be set', { ...valid, headers: { Bcc: 'x@example.org' } }, 'cannot be overridden'],
    ['an SES header', { ...valid, headers: { 'X-SES-CONFIGURATION-SET': 'other' } }, 'cannot be overridden'],
    ['CR/LF in a header value', { ...valid, headers: { 'X-Ref': 'a\r\nBcc: x@example.org' } }, 'CR, LF'],
    ['a header name with a colon', { ...valid, headers: { 'X-Ref:': 'a' } }, 'not a valid header name'],
    [
      '11 custom headers',
      { ...valid, headers: Object.fromEntries(addresses(11).map((_, i) => [`X-H${i}`, 'v'])) },
      'at most 10',
    ],
    ['a reserved tag', { ...valid, tags: { stream: 'bulk' } }, 'reserved'],
    ['a tag value SES refuses', { ...valid, tags: { app: 'has space' } }, 'tag values'],
    ['an address with spaces', { ...valid, to: 'jane doe@example.org' }, 'spaces'],
    ['a reply-to without a domain', { ...valid, replyTo: 'jane' }, 'domain'],
  ])('refuses %s', (_, body, expected) => {
    expect(problems(body).join('\n')).toContain(expected);
  });
});

function addresses(count: number, prefix = 'r'): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}${i}@example.org`);
}

describe('reserved tag names', () => {
  it('are reserved in any case', () => {
    expect(problems({ ...valid, tags: { Stream: 'bulk' } }).join('\n')).toContain('reserved');
  });
});
