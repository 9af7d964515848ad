/** Examples that stand in more than one route file of docs/openapi. */
import { MissingVariableError } from '../../lambdas/templates/template-rules';
import { type Example, err, type ResponseDoc } from './operation';
import { UNSUPPORTED_MEDIA_TYPE } from './responses';

/** The 400 examples of a paged list's bad `limit` and `cursor`. */
export const PAGE_QUERY_EXAMPLES = {
  invalid_limit: err('invalid_limit', 'limit must be a whole number from 1 to 100'),
  invalid_cursor: err('invalid_cursor', 'cursor is not one this API returned'),
};

/** The 400 of a paged list that takes only `limit` and `cursor`. */
export const BAD_PAGE_QUERY: ResponseDoc = {
  description: 'Bad `limit` or `cursor`.',
  examples: PAGE_QUERY_EXAMPLES,
};

/** The 415 of a route whose body is optional (or JSON only) and was sent as something else. */
export const BODY_NOT_JSON: ResponseDoc = {
  description: 'A body was sent with a Content-Type other than `application/json`.',
  examples: UNSUPPORTED_MEDIA_TYPE.examples,
};

/** A 422 `missing_variable`: the subject needs `first_name` and the data does not give it. */
export const MISSING_FIRST_NAME_EXAMPLE: Example = err(
  'missing_variable',
  new MissingVariableError('subject', 'first_name').message,
  {
    details: {
      variable: 'first_name',
      field: 'subject',
    },
  },
);
