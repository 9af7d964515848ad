/**
 * What docs/openapi/ says about each route beyond its schemas: the prose, the examples and the
 * statuses it answers with. The schemas themselves are the server's zod schemas, named in each
 * entry; document.ts puts the two together with the contract (contract/routes.ts).
 */
import type { z } from 'zod';
import type { ZodOpenApiExampleObject, ZodOpenApiHeadersObject } from 'zod-openapi';
import type { ROUTES, RouteBody, RouteId } from '../../contract/routes';
import { ApiError, type ErrorCode } from '../../lambdas/requests/errors';

export const TAGS = [
  'emails',
  'templates',
  'campaigns',
  'suppressions',
  'unsubscribe',
  'account',
  'webhooks',
] as const;
export type Tag = (typeof TAGS)[number];

export type Example = ZodOpenApiExampleObject;
export type Examples = Record<string, Example>;

/**
 * One status of a route. A 2xx with `schema` has that JSON body, without it no body (204); any other
 * status has the error envelope (lambdas/requests/error-response.ts), or with `html` a page. An
 * `id` makes it a shared response (components/responses).
 */
export interface ResponseDoc {
  id?: string;
  description: string;
  schema?: z.ZodType;
  html?: true;
  headers?: ZodOpenApiHeadersObject;
  examples?: Examples;
}

/** What a route reads from the path, the query and the headers. */
export interface ParamsDoc {
  path?: z.ZodObject;
  query?: z.ZodObject;
  header?: z.ZodObject;
}

interface JsonBodyDoc {
  /** The zod schema the handler validates the JSON body with. */
  schema: z.ZodType;
  examples?: Examples;
}

/** The request body's documentation, by the contract's body kind: none for `none`. */
type BodyDoc<Kind extends RouteBody> = Kind extends 'json' | 'optionalJson'
  ? { body: JsonBodyDoc }
  : Kind extends 'jsonOrCsv'
    ? { body: JsonBodyDoc & { csv: { description: string; examples?: Examples } } }
    : Kind extends 'form'
      ? { form: { schema: z.ZodType; multipartExamples?: Examples; urlencodedExamples?: Examples } }
      : { body?: never; form?: never };

export type OperationDoc<Kind extends RouteBody = RouteBody> = {
  tag: Tag;
  summary: string;
  description?: string;
  params?: ParamsDoc;
  /** By status code. */
  responses: Record<number, ResponseDoc>;
} & BodyDoc<Kind>;

/**
 * One entry per route of the contract, under its id (the operationId): a route without one, or
 * with a body its contract entry does not read, does not compile.
 */
export type Operations = {
  readonly [Id in RouteId]: OperationDoc<(typeof ROUTES)[Id]['body']>;
};

/** An example of the error envelope (`code` is checked against Mailroom's codes by tsc). */
export function err(
  code: ErrorCode | Uppercase<string>,
  message: string,
  extra: { details?: unknown; summary?: string } = {},
): Example {
  return {
    ...(extra.summary === undefined ? {} : { summary: extra.summary }),
    value: { error: { code, message, ...(extra.details === undefined ? {} : { details: extra.details }) } },
  };
}

/**
 * An example of the error envelope as the server's own code writes it: runs `request` (a parse or
 * a check the handler calls) and takes the ApiError it throws, so the example cannot drift from
 * the server's messages.
 */
export function thrown(request: () => unknown, summary?: string): Example {
  try {
    request();
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    return err(error.code, error.message, {
      ...(error.details === undefined ? {} : { details: error.details }),
      ...(summary === undefined ? {} : { summary }),
    });
  }
  throw new Error(`expected an error for the example${summary ? ` "${summary}"` : ''}`);
}
