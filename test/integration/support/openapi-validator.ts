import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { ROUTES, type RouteId, routeKey } from '../../../contract/routes';

const DOCUMENT_ID = 'https://mailroom.invalid/openapi.json';
const ROOT = join(__dirname, '..', '..', '..');

type Json = Record<string, unknown>;

/** A response as a test saw it: its status, its body (parsed JSON, or text) and its Content-Type. */
export interface SeenResponse {
  status: number;
  body: unknown;
  contentType?: string | null;
}

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `a/b` → `a~1b`, as JSON Pointer escapes it. */
const pointer = (...segments: string[]) =>
  segments.map((s) => s.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

/**
 * Validates responses against docs/openapi.yaml (the committed document, generated from the zod
 * schemas): the route's documented statuses, and the schema of the body for that status and media
 * type. OpenAPI 3.1 schemas are JSON Schema 2020-12, so ajv reads them as they are, `$ref`s into
 * components included.
 */
export class OpenApiValidator {
  private readonly ajv: Ajv2020;
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(readonly document: Json) {
    // strict: false lets OpenAPI's own keywords (`example`, `x-…`) and the document's non-schema
    // parts through; formats (date-time) are checked.
    this.ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(this.ajv);
    this.ajv.addSchema({ ...document, $id: DOCUMENT_ID });
  }

  static fromFile(path = join(ROOT, 'docs', 'openapi.yaml')): OpenApiValidator {
    return new OpenApiValidator(parse(readFileSync(path, 'utf8')) as Json);
  }

  /**
   * Where route `id`'s response for `status` is documented (a JSON Pointer: under the operation, or
   * the shared response it refers to) and what it says, or undefined when the status is not there.
   */
  private documented(id: RouteId, status: number): { location: string; response: Json } | undefined {
    const route = ROUTES[id];
    const method = route.method.toLowerCase();
    const paths = isRecord(this.document.paths) ? this.document.paths : {};
    const operation = isRecord(paths[route.path]) ? (paths[route.path] as Json)[method] : undefined;
    const responses = isRecord(operation) ? operation.responses : undefined;
    const response = isRecord(responses) ? responses[String(status)] : undefined;
    if (!isRecord(response)) return undefined;
    if (typeof response.$ref === 'string') {
      return { location: response.$ref.replace(/^#\//, ''), response: this.resolve(response.$ref) };
    }
    return { location: pointer('paths', route.path, method, 'responses', String(status)), response };
  }

  private resolve(ref: string): Json {
    const value = ref
      .replace(/^#\//, '')
      .split('/')
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
      .reduce<unknown>((node, key) => (isRecord(node) ? node[key] : undefined), this.document);
    if (!isRecord(value)) throw new Error(`docs/openapi.yaml: ${ref} does not resolve`);
    return value;
  }

  /** The validator of the schema at `location` (a JSON Pointer into the document). */
  private validatorAt(location: string): ValidateFunction {
    let validate = this.compiled.get(location);
    if (!validate) {
      validate = this.ajv.compile({ $ref: `${DOCUMENT_ID}#/${location}` });
      this.compiled.set(location, validate);
    }
    return validate;
  }

  /** Problems of `value` against the schema at `location`, or an empty list. */
  problemsAt(location: string, value: unknown): string[] {
    const validate = this.validatorAt(location);
    return validate(value) ? [] : describe(validate.errors ?? []);
  }

  /**
   * Why the response does not match the document for this route, or undefined when it does: an
   * undocumented status, a body where none is documented (or none where one is), or the schema's
   * errors.
   */
  problemWith(id: RouteId, response: SeenResponse): string | undefined {
    const documented = this.documented(id, response.status);
    if (!documented) return `status ${response.status} is not documented`;
    const content = isRecord(documented.response.content) ? documented.response.content : undefined;
    if (!content) {
      const empty = response.body === undefined || response.body === '' || isEmptyObject(response.body);
      return empty ? undefined : 'a body where the document has none';
    }
    const mediaType = (response.contentType ?? 'application/json').split(';')[0]?.trim() ?? '';
    if (!isRecord(content[mediaType])) {
      return `Content-Type ${mediaType} is not documented (${Object.keys(content).join(', ')})`;
    }
    const problems = this.problemsAt(
      `${documented.location}/${pointer('content', mediaType, 'schema')}`,
      response.body,
    );
    return problems.length === 0 ? undefined : problems.join('; ');
  }

  /** Throws, naming the route, the status and the schema's complaint, unless the response matches. */
  expectMatches(id: RouteId, response: SeenResponse): void {
    const problem = this.problemWith(id, response);
    if (problem === undefined) return;
    const body = JSON.stringify(response.body);
    throw new Error(
      `${id} (${routeKey(ROUTES[id])}) answered ${response.status} outside docs/openapi.yaml: ${problem}\n` +
        `body: ${body.length > 2000 ? `${body.slice(0, 2000)}…` : body}`,
    );
  }
}

function isEmptyObject(value: unknown): boolean {
  return isRecord(value) && Object.keys(value).length === 0;
}

function describe(errors: ErrorObject[]): string[] {
  return errors.map((e) => `${e.instancePath || '(body)'} ${e.message ?? 'is invalid'}${paramsOf(e)}`);
}

function paramsOf(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  if ('additionalProperty' in params) return ` (${String(params.additionalProperty)})`;
  if ('allowedValues' in params) return ` (${JSON.stringify(params.allowedValues)})`;
  return '';
}

let shared: OpenApiValidator | undefined;

/**
 * Fails the test unless `response` is what docs/openapi.yaml says route `id` answers with: a
 * documented status and a body of that status's schema.
 */
export function expectContract(id: RouteId, response: SeenResponse): void {
  shared ??= OpenApiValidator.fromFile();
  shared.expectMatches(id, response);
}
