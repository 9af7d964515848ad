import { formatMailbox, normalizeAddress, parseMailbox } from '../../lambdas/mail/addresses';

describe('parseMailbox', () => {
  it('accepts a bare address and lower-cases its domain only', () => {
    expect(parseMailbox('Jane.Doe@Example.COM')).toEqual({ address: 'Jane.Doe@example.com' });
  });

  it('keeps a quoted or unquoted display name apart from the address', () => {
    expect(parseMailbox('"Doe, Jane" <jane@example.com>')).toEqual({
      address: 'jane@example.com',
      name: 'Doe, Jane',
    });
    expect(parseMailbox('Jane Doe <jane@example.com>')).toEqual({
      address: 'jane@example.com',
      name: 'Jane Doe',
    });
  });

  it('turns an international domain into punycode', () => {
    expect(parseMailbox('jo@bücher.example').address).toBe('jo@xn--bcher-kva.example');
  });

  it.each([
    ['no domain', 'jane'],
    ['no domain after @', 'jane@'],
    ['a domain without a dot', 'jane@localhost'],
    ['spaces', 'jane doe@example.com'],
    ['CR/LF', 'jane@example.com\r\nBcc: victim@example.org'],
    ['LF in the display name', '"Jane\nBcc: x@y.z" <jane@example.com>'],
    ['over 254 characters', `${'a'.repeat(60)}@${'b'.repeat(190)}.com`],
    ['a local part over 64 characters', `${'a'.repeat(65)}@example.com`],
    ['a label starting with a dash', 'jane@-example.com'],
    ['two @ in a row', 'jane@@example.com'],
  ])('refuses an address with %s', (_, input) => {
    expect(() => parseMailbox(input)).toThrow();
  });
});

describe('a mailbox read back from the API (RFC 2047 encoded-words)', () => {
  it.each(['Élodie Müller', 'Zoë', '株式会社', 'é'.repeat(200)])(
    'parses formatMailbox(%j) to the same mailbox again',
    (name) => {
      const mailbox = { address: 'news@acme.test', name };
      expect(parseMailbox(formatMailbox(mailbox))).toEqual(mailbox);
      expect(formatMailbox(parseMailbox(formatMailbox(mailbox)))).toBe(formatMailbox(mailbox));
    },
  );

  it('decodes Q encoding and adjacent words, and leaves other text and unknown charsets as they are', () => {
    expect(parseMailbox('=?utf-8?Q?Zo=C3=AB_Jones?= <z@acme.test>').name).toBe('Zoë Jones');
    expect(parseMailbox('=?UTF-8?B?w4k=?= =?UTF-8?B?bG9kaWU=?= <e@acme.test>').name).toBe('Élodie');
    expect(parseMailbox('"=?UTF-8?B?w4k=?=" <e@acme.test>').name).toBe('=?UTF-8?B?w4k=?=');
    expect(parseMailbox('=?koi8-r?B?8NLJ18XU?= <k@acme.test>').name).toBe('=?koi8-r?B?8NLJ18XU?=');
    expect(parseMailbox('Team =?UTF-8?B?w4k=?= <t@acme.test>').name).toBe('Team =?UTF-8?B?w4k=?=');
  });

  it('refuses a decoded name with control characters (no header injection through an encoded CR LF)', () => {
    const crlf = Buffer.from('Eve\r\nBcc: x@evil.test').toString('base64');
    expect(() => parseMailbox(`=?UTF-8?B?${crlf}?= <e@acme.test>`)).toThrow(/control characters/);
  });
});

describe('parseMailbox on long input', () => {
  it('refuses more than 2,000 characters before any pattern reads them', () => {
    expect(() => parseMailbox(`${' '.repeat(2000)}<a@b.co>`)).toThrow(/longer than 2000 characters/);
  });

  it('reads runs of spaces around a name as one name (the pattern has one way to match them)', () => {
    expect(parseMailbox(`${' '.repeat(1500)}Jane${' '.repeat(400)}<j@x.io>`)).toEqual({
      address: 'j@x.io',
      name: 'Jane',
    });
    expect(() => parseMailbox(`${' '.repeat(1990)}x`)).toThrow(/spaces/);
  });
});

describe('formatMailbox', () => {
  it('quotes an ASCII display name and escapes quotes in it', () => {
    expect(formatMailbox({ address: 'a@b.co', name: 'Say "hi"' })).toBe('"Say \\"hi\\"" <a@b.co>');
  });

  it('encodes a non-ASCII display name as an RFC 2047 encoded word', () => {
    expect(formatMailbox({ address: 'a@b.co', name: 'Zoë' })).toBe(
      `=?UTF-8?B?${Buffer.from('Zoë').toString('base64')}?= <a@b.co>`,
    );
  });
});

describe('normalizeAddress', () => {
  it('makes case variants one address', () => {
    expect(normalizeAddress(parseMailbox('"Jane" <JANE@Example.com>').address)).toBe('jane@example.com');
  });
});
