import * as z from 'zod';
import { unrenderableDetailsSchema, uploadIncompleteDetailsSchema } from '../campaigns/campaign-response';
import { suppressedDetailsSchema } from '../emails/email-response';
import {
  missingVariableDetailsSchema,
  renderLimitDetailsSchema,
  syntaxErrorDetailsSchema,
} from '../templates/template-errors';
import { ERROR_STATUS, type ErrorCode } from './errors';
import { fieldIssueSchema } from './validation';

const CODES = Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]];

/** Mailroom's codes, by status, as the document's description lists them. */
function codesByStatus(): string {
  const byStatus = new Map<number, string[]>();
  for (const code of CODES)
    byStatus.set(ERROR_STATUS[code], [...(byStatus.get(ERROR_STATUS[code]) ?? []), code]);
  return [...byStatus]
    .map(([status, codes]) => `${codes.map((code) => `\`${code}\``).join(', ')} (${status})`)
    .join('; ');
}

/** Mailroom's error codes (lambdas/requests/errors.ts). */
export const errorCodeSchema = z
  .enum(CODES)
  .meta({ id: 'ErrorCode', description: `Mailroom's codes: ${codesByStatus()}.` });

/** What API Gateway puts in `code` when it answers itself (AWS only): its response type. */
const gatewayCodeSchema = z
  .string()
  .regex(/^[A-Z][A-Z0-9_]*$/)
  .meta({
    description:
      'API Gateway answered before Mailroom saw the request (AWS only): its response type, e.g. `MISSING_AUTHENTICATION_TOKEN`, `ACCESS_DENIED`, `INVALID_SIGNATURE`, `THROTTLED`, `BAD_REQUEST_BODY`.',
  });

/** The JSON every error answer carries: `{error: {code, message, details?}}`. */
export const errorResponseSchema = z
  .strictObject({
    error: z.strictObject({
      code: z.union([errorCodeSchema, gatewayCodeSchema]).meta({
        description:
          "Stable and machine-readable: one of Mailroom's lower-case codes, or an upper-case API Gateway response type.",
        examples: ['validation_failed'],
      }),
      message: z.string().meta({ description: 'For people; wording may change.' }),
      details: z
        .union([
          z.array(fieldIssueSchema),
          syntaxErrorDetailsSchema,
          missingVariableDetailsSchema,
          renderLimitDetailsSchema,
          suppressedDetailsSchema,
          uploadIncompleteDetailsSchema,
          unrenderableDetailsSchema,
        ])
        .optional()
        .meta({
          description:
            'Only for some codes: `validation_failed` → a list of issues; `template_syntax_error` and `unrenderable` → `{field, line?}`; `missing_variable` → `{variable, field}`; `render_limit_exceeded` → `{field, limit, blockIterations, outputCharacters, dataDepth}`; `all_recipients_suppressed` → `{suppressed}`; `upload_incomplete` → `{written, unwritten}`; `unrenderable_for_recipients` → `{failures: [{email, reason}]}`.',
        }),
    }),
  })
  .meta({ id: 'Error' });

export type ErrorResponse = z.output<typeof errorResponseSchema>;
