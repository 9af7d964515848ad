import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ROUTE_IDS, ROUTES, type RouteBody, type RouteId, routeKey } from '../../contract/routes';
import { openApiYaml } from '../../docs/openapi/document';
import { ERROR_STATUS } from '../../lambdas/requests/errors';
import { OpenApiValidator } from '../integration/support/openapi-validator';

const ROOT = join(__dirname, '..', '..');
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function field(value: unknown, key: string): Json {
  const child = isRecord(value) ? value[key] : undefined;
  if (!isRecord(child)) throw new Error(`expected an object at "${key}"`);
  return child;
}

const COMMITTED = readFileSync(join(ROOT, 'docs', 'openapi.yaml'), 'utf8');

function loadSpec(): Json {
  const spec: unknown = parse(COMMITTED);
  if (!isRecord(spec)) throw new Error('docs/openapi.yaml is not a YAML mapping');
  return spec;
}

interface Operation {
  method: string;
  path: string;
  operation: Json;
}

function operationsOf(spec: Json): Operation[] {
  return Object.entries(field(spec, 'paths')).flatMap(([path, item]) =>
    Object.entries(isRecord(item) ? item : {})
      .filter(([method]) => HTTP_METHODS.includes(method))
      .map(([method, operation]) => ({
        method: method.toUpperCase(),
        path,
        operation: isRecord(operation) ? operation : {},
      })),
  );
}

/** The media types a route's request body may have, and whether it must be sent, by its kind. */
const BODY_IN_SPEC: Record<RouteBody, { required: boolean; types: string[] } | undefined> = {
  json: { required: true, types: ['application/json'] },
  jsonOrCsv: { required: true, types: ['application/json', 'text/csv'] },
  optionalJson: { required: false, types: ['application/json'] },
  form: { required: true, types: ['application/x-www-form-urlencoded', 'multipart/form-data'] },
  none: undefined,
};

/** The literal codes passed to the error helpers (first argument) and to `new ApiError` (second). */
function errorCodesInCode(): Set<string> {
  const helperCall = /\b(?:badRequest|conflict|unprocessable|unavailable)\(\s*(['"`])([A-Za-z_]+)\1/g;
  const constructorCall = /\bnew ApiError\(\s*\d+\s*,\s*(['"`])([A-Za-z_]+)\1/g;
  const codes = new Set<string>();
  const files = readdirSync(join(ROOT, 'lambdas'), { recursive: true, encoding: 'utf8' }).filter((file) =>
    file.endsWith('.ts'),
  );
  for (const file of files) {
    const source = readFileSync(join(ROOT, 'lambdas', file), 'utf8');
    for (const pattern of [helperCall, constructorCall]) {
      for (const [, , code] of source.matchAll(pattern)) if (code) codes.add(code);
    }
  }
  return codes;
}

/** Every string under a `code` key anywhere in the spec (the error examples), plus the ErrorCode enum. */
function errorCodesInSpec(spec: Json): Set<string> {
  const codes = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit);
    if (!isRecord(value)) return;
    for (const [key, child] of Object.entries(value)) {
      if (key === 'code' && typeof child === 'string') codes.add(child);
      visit(child);
    }
  };
  visit(spec);
  const declared = field(field(spec, 'components'), 'schemas').ErrorCode;
  for (const code of isRecord(declared) && Array.isArray(declared.enum) ? declared.enum : []) {
    codes.add(String(code));
  }
  return codes;
}

/** The error codes the examples show (the `code` of every example's error envelope). */
function errorCodesInExamples(spec: Json): Set<string> {
  const codes = new Set<string>();
  for (const { value } of examplesOf(spec)) {
    const error = isRecord(value) ? value.error : undefined;
    if (isRecord(error) && typeof error.code === 'string') codes.add(error.code);
  }
  return codes;
}

interface DocumentedExample {
  name: string;
  /** JSON Pointer of the schema the example illustrates. */
  schema: string;
  value: unknown;
}

const escapePointer = (segment: string) => segment.replace(/~/g, '~0').replace(/\//g, '~1');

/** Every request and response example, with the schema it is an example of. */
function examplesOf(spec: Json): DocumentedExample[] {
  const resolve = (ref: string): Json => {
    const target = ref
      .replace(/^#\//, '')
      .split('/')
      .reduce<unknown>((node, key) => (isRecord(node) ? node[key.replace(/~1/g, '/')] : undefined), spec);
    if (!isRecord(target)) throw new Error(`${ref} does not resolve`);
    return target;
  };
  const fromContent = (owner: Json, location: string, name: string): DocumentedExample[] =>
    Object.entries(isRecord(owner.content) ? owner.content : {}).flatMap(([mediaType, media]) =>
      Object.entries(isRecord(media) && isRecord(media.examples) ? media.examples : {}).map(
        ([example, raw]) => {
          const resolved = isRecord(raw) && typeof raw.$ref === 'string' ? resolve(raw.$ref) : raw;
          return {
            name: `${name} ${mediaType} ${example}`,
            schema: `${location}/content/${escapePointer(mediaType)}/schema`,
            value: isRecord(resolved) ? resolved.value : undefined,
          };
        },
      ),
    );
  return operationsOf(spec).flatMap(({ method, path, operation }) => {
    const at = `paths/${escapePointer(path)}/${method.toLowerCase()}`;
    const requestBody = isRecord(operation.requestBody) ? operation.requestBody : {};
    const responses = Object.entries(isRecord(operation.responses) ? operation.responses : {});
    return [
      ...fromContent(requestBody, `${at}/requestBody`, `${operation.operationId} request`),
      ...responses.flatMap(([status, raw]) => {
        if (!isRecord(raw)) return [];
        if (typeof raw.$ref !== 'string') {
          return fromContent(raw, `${at}/responses/${status}`, `${operation.operationId} ${status}`);
        }
        return fromContent(
          resolve(raw.$ref),
          raw.$ref.replace(/^#\//, ''),
          `${operation.operationId} ${status}`,
        );
      }),
    ];
  });
}

describe('docs/openapi.yaml', () => {
  const spec = loadSpec();
  const operations = operationsOf(spec);

  it('is the one the zod schemas and the contract generate (run `npm run openapi` when this fails)', () => {
    const generated = openApiYaml();
    if (COMMITTED !== generated) {
      const committedLines = COMMITTED.split('\n');
      const generatedLines = generated.split('\n');
      const line = generatedLines.findIndex((text, i) => text !== committedLines[i]);
      throw new Error(
        `docs/openapi.yaml is stale: run \`npm run openapi\` and commit it. First difference, line ${line + 1}:\n` +
          `  committed: ${committedLines[line] ?? '(end of file)'}\n  generated: ${generatedLines[line] ?? '(end of file)'}`,
      );
    }
  });

  it('is an OpenAPI 3.1 document', () => {
    expect(spec.openapi).toMatch(/^3\.1\.\d+$/);
    expect(operations.length).toBeGreaterThan(0);
  });

  it.each(operations.map((op) => [`${op.method} ${op.path}`, op.operation] as const))(
    '%s has an operationId, a 2xx and a 4xx response',
    (_name, operation) => {
      const statuses = Object.keys(isRecord(operation.responses) ? operation.responses : {});

      expect(operation.operationId).toEqual(expect.stringMatching(/^\w+$/));
      expect(statuses.some((status) => /^2(\d\d|XX)$/.test(status))).toBe(true);
      expect(statuses.some((status) => /^4(\d\d|XX)$/.test(status))).toBe(true);
    },
  );

  it('gives every operation its own operationId', () => {
    const ids = operations.map((op) => op.operation.operationId);

    expect(new Set(ids).size).toBe(ids.length);
  });

  it('documents exactly the routes of the contract (contract/routes.ts)', () => {
    const inContract = ROUTE_IDS.map((id) => routeKey(ROUTES[id]));
    const inSpec = operations.map((op) => `${op.method} ${op.path}`);

    expect(inContract).toContain('POST /v1/emails');
    expect([...inSpec].sort()).toEqual([...inContract].sort());
  });

  it.each(ROUTE_IDS.map((id) => [id] as const))(
    '%s: documented under its contract id, with its auth and its request body',
    (id: RouteId) => {
      const route = ROUTES[id];
      const op = operations.find(
        (candidate) => candidate.method === route.method && candidate.path === route.path,
      );
      const operation = op?.operation ?? {};
      const requestBody = isRecord(operation.requestBody) ? operation.requestBody : undefined;
      const body = requestBody && {
        required: requestBody.required === true,
        types: Object.keys(isRecord(requestBody.content) ? requestBody.content : {}).sort(),
      };

      expect(operation.operationId).toBe(id);
      // Public routes opt out of the document-wide SigV4 requirement; IAM routes keep it.
      expect(operation.security).toEqual(route.auth === 'none' ? [] : undefined);
      expect(body).toEqual(BODY_IN_SPEC[route.body]);
    },
  );

  it('mentions every error code the API can return', () => {
    const inCode = errorCodesInCode();
    const inSpec = errorCodesInSpec(spec);

    expect(inCode).toContain('validation_failed');
    expect([...inCode].filter((code) => !inSpec.has(code))).toEqual([]);
  });

  it('shows no lower-case error code the API cannot return', () => {
    const inCode = errorCodesInCode();
    // Upper-case codes are API Gateway's own (AWS only), not Mailroom's.
    const ours = [...errorCodesInSpec(spec)].filter((code) => /^[a-z_]+$/.test(code));

    expect(ours.filter((code) => !inCode.has(code))).toEqual([]);
  });

  it('declares exactly the error codes the code throws (lambdas/requests/errors.ts ERROR_STATUS)', () => {
    expect(Object.keys(ERROR_STATUS).sort()).toEqual([...errorCodesInCode()].sort());
  });

  it("illustrates every error code with an example under a route that answers it (local mode's 405 aside)", () => {
    const shown = errorCodesInExamples(spec);

    expect(
      Object.keys(ERROR_STATUS).filter((code) => !shown.has(code) && code !== 'method_not_allowed'),
    ).toEqual([]);
  });

  const validator = new OpenApiValidator(spec);
  it.each(examplesOf(spec).map((example) => [example.name, example] as const))(
    'example %s matches its schema',
    (_name, example) => {
      expect(validator.problemsAt(example.schema, example.value)).toEqual([]);
    },
  );
});
