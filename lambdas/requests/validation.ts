import * as z from 'zod';
import { atDomain, type Mailbox } from '../mail/addresses';
import { badRequest } from './errors';

/** One problem with a request, as the API returns it in `error.details` of `validation_failed`. */
export const fieldIssueSchema = z
  .strictObject({
    path: z.string().meta({
      description: 'Dotted path into the body (`to.0`, `headers.X-Foo`), or `(body)` for the whole body.',
    }),
    message: z.string(),
  })
  .meta({ id: 'ValidationIssue' });
type FieldIssue = z.output<typeof fieldIssueSchema>;

/** zod issues in the shape the API returns as `error.details`. */
function describeIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.') || '(body)',
    message: issue.message,
  }));
}

/** 400 `validation_failed`, with every problem found in `details`. */
function validationFailed(details: FieldIssue[], message = 'The request is invalid') {
  return badRequest('validation_failed', message, details);
}

/**
 * A request body as `schema` reads it, or a 400 `validation_failed` naming every problem (a
 * request that fails validation changes nothing).
 */
export function parseRequest<Schema extends z.ZodType>(
  schema: Schema,
  body: unknown,
  message?: string,
): z.output<Schema> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw validationFailed(describeIssues(parsed.error), message);
  return parsed.data;
}

/** Mail goes out only from the sending domain (the one SES identity the stack verified and signs for). */
export function requireSendingDomain(from: Mailbox, sendingDomain: string): void {
  if (!atDomain(from.address, sendingDomain)) {
    throw validationFailed([
      { path: 'from', message: `must be an address at the sending domain ${sendingDomain}` },
    ]);
  }
}
