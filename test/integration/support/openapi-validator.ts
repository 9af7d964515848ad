import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { ROUTE_IDS, ROUTES, type RouteId, routeKey } from '../../../contract/routes';
import { type ApiResponse, api } from './local-mode';

const DOCUMENT_ID = 'https://mailroom.invalid/openapi.json';
const ROOT = join(__dirname, '..', '..', '..');

type Json = Record<string, unknown>;

/**
 * A response as a test saw it: its status, its body (parsed JSON, or text) and its Content-Type;
 * with `headers`, the headers the document lists for it are checked too.
 */
export interface SeenResponse {
  status: number;
  body: unknown;
  contentType?: string | null;
  headers?: Headers;
}

/** A fetch Response as a SeenResponse, its body read as text. */
export async function seen(response: Response): Promise<SeenResponse & { body: string }> {
  return {
    status: response.status,
    body: await response.text(),
    contentType: response.headers.get('content-type'),
    headers: response.headers,
  };
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
    const problems = [
      ...this.problemsAt(`${documented.location}/${pointer('content', mediaType, 'schema')}`, response.body),
      ...this.headerProblems(documented, response.headers),
    ];
    return problems.length === 0 ? undefined : problems.join('; ');
  }

  /** The documented headers the response lacks or gives another value. */
  private headerProblems(documented: { location: string; response: Json }, headers?: Headers): string[] {
    const listed = isRecord(documented.response.headers) ? documented.response.headers : {};
    if (!headers) return [];
    return Object.entries(listed).flatMap(([name, raw]) => {
      const value = headers.get(name);
      if (value === null) return [`header ${name} is missing`];
      const location =
        isRecord(raw) && typeof raw.$ref === 'string'
          ? `${raw.$ref.replace(/^#\//, '')}/schema`
          : `${documented.location}/${pointer('headers', name, 'schema')}`;
      return this.problemsAt(location, value).map((problem) => `header ${name}: ${problem}`);
    });
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

/** The route of the contract a request goes to, by its method and path (the query ignored). */
export function routeOf(method: string, path: string): RouteId | undefined {
  const bare = path.split('?')[0] ?? '';
  return ROUTE_IDS.find((id) => {
    const route = ROUTES[id];
    const pattern = new RegExp(`^${route.path.replace(/\{\w+\}/g, '[^/]+')}/?$`);
    return route.method === method && pattern.test(bare);
  });
}

/**
 * `api` (support/local-mode.ts), with the response checked against docs/openapi.yaml for the route
 * the method and path name: for the flows whose every answer the document must describe.
 */
export async function checkedApi(
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<ApiResponse> {
  const id = routeOf(method, path);
  if (id === undefined) throw new Error(`${method} ${path} is no route of the contract`);
  const response = await api(baseUrl, method, path, body, headers);
  expectContract(id, response);
  return response;
}
