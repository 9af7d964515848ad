import { createCampaignSchema } from '../../lambdas/campaigns/campaign-request';
import { emailRequestSchema } from '../../lambdas/emails/email-request';
import { putSuppressionSchema } from '../../lambdas/feedback/manage-suppressions';
import { parseMailbox } from '../../lambdas/mail/addresses';
import { characterCount } from '../../lambdas/mail/characters';
import { headerValueProblem, MAX_HEADER_VALUE_LENGTH } from '../../lambdas/mail/custom-headers';
import { MAX_SUBJECT_LENGTH } from '../../lambdas/templates/template-rules';
import { OpenApiValidator } from '../integration/support/openapi-validator';

// An astral character: one code point (what JSON Schema's maxLength counts), two UTF-16 code units
// (what String.length counts).
const EMOJI = '😀';
const doc = OpenApiValidator.fromFile();
const schema = (id: string) => `components/schemas/${id}`;

describe('"at most N characters" means the same to the server and to docs/openapi.yaml', () => {
  it('counts code points, not UTF-16 code units', () => {
    expect(characterCount(EMOJI.repeat(3))).toBe(3);
    expect(EMOJI.repeat(3).length).toBe(6);
    expect(characterCount('')).toBe(0);
  });

  const email = (subject: string) => ({ to: 'a@example.com', subject, text: 'hi' });
  const campaign = (name: string) => ({ name, subject: 'Hello', text: 'hi {{unsubscribe_url}}' });

  it.each([
    [
      'a send’s subject',
      'EmailRequest',
      (n: number) => email(EMOJI.repeat(n)),
      MAX_SUBJECT_LENGTH,
      emailRequestSchema,
    ],
    [
      'a campaign’s name',
      'CampaignRequest',
      (n: number) => campaign(EMOJI.repeat(n)),
      200,
      createCampaignSchema,
    ],
    [
      'a suppression’s detail',
      'SuppressionInput',
      (n: number) => ({ detail: EMOJI.repeat(n) }),
      500,
      putSuppressionSchema,
    ],
  ] as const)(
    '%s: both accept the limit in emoji and both refuse one more',
    (_what, id, body, max, server) => {
      // Act
      const atLimit = body(max);
      const overLimit = body(max + 1);

      // Assert
      expect(doc.problemsAt(schema(id), atLimit)).toEqual([]);
      expect(server.safeParse(atLimit).success).toBe(true);
      expect(doc.problemsAt(schema(id), overLimit)).not.toEqual([]);
      expect(server.safeParse(overLimit).success).toBe(false);
    },
  );

  it('a custom header value: the limit in emoji passes, one more is refused', () => {
    expect(headerValueProblem(EMOJI.repeat(MAX_HEADER_VALUE_LENGTH))).toBeUndefined();
    expect(headerValueProblem(EMOJI.repeat(MAX_HEADER_VALUE_LENGTH + 1))).toMatch(/longer than/);
  });

  it('a display name of 200 emoji is read, 201 are refused', () => {
    expect(parseMailbox(`${EMOJI.repeat(200)} <a@example.com>`).name).toBe(EMOJI.repeat(200));
    expect(() => parseMailbox(`${EMOJI.repeat(201)} <a@example.com>`)).toThrow(/display name/);
  });
});
