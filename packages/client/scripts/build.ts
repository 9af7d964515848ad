/**
 * Builds the publishable package into dist/ with tsc: ES modules (dist/esm: what bundlers take for
 * `import`, and so what edge bundles get) and CommonJS (dist/cjs, for `require`), each with .d.ts.
 *
 * src/api-types.ts takes the API's types from the server's code (`import type` of the zod schemas
 * and view functions), which a published package cannot reach. The build writes each of its types
 * out as the plain structure tsc resolves it to, into a staged copy of src/, and compiles that: the
 * package's .d.ts files then import nothing of the server, and nothing of zod.
 *
 * The staged copy is compiled with the DOM library and no Node.js types, so code that only runs
 * on Node.js (the `node:` modules, Buffer) fails the build: the client must run in edge runtimes.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ts from 'typescript';

const PACKAGE = resolve(__dirname, '..');
const ROOT = resolve(PACKAGE, '../..');
const SRC = join(PACKAGE, 'src');
const STAGE = join(PACKAGE, '.staging');
const DIST = join(PACKAGE, 'dist');
const TYPES_FILE = 'api-types.ts';

function fail(message: string): never {
  process.stderr.write(`build: ${message}\n`);
  process.exit(1);
}

function report(diagnostics: readonly ts.Diagnostic[]): void {
  if (diagnostics.length === 0) return;
  const host: ts.FormatDiagnosticsHost = {
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: () => PACKAGE,
    getNewLine: () => '\n',
  };
  fail(ts.formatDiagnosticsWithColorAndContext(diagnostics, host));
}

/** The root tsconfig's options: the program in which src/api-types.ts resolves the server's types. */
function repoOptions(): ts.CompilerOptions {
  const file = join(ROOT, 'tsconfig.json');
  const config = ts.readConfigFile(file, ts.sys.readFile);
  if (config.error) report([config.error]);
  return ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT).options;
}

/** Prints a type as plain structure: objects, unions, arrays and literals, no names of the server's. */
class Flattener {
  constructor(private readonly checker: ts.TypeChecker) {}

  print(type: ts.Type, indent: string, trail: string): string {
    if (indent.length > 40) throw new Error(`${trail}: nested too deep (a recursive type?)`);
    const flags = ts.TypeFlags;
    const simple =
      flags.Any |
      flags.Unknown |
      flags.Never |
      flags.String |
      flags.Number |
      flags.Boolean |
      flags.BigInt |
      flags.Null |
      flags.Undefined |
      flags.Void |
      flags.StringLiteral |
      flags.NumberLiteral |
      flags.BooleanLiteral |
      flags.BigIntLiteral |
      flags.TemplateLiteral;
    if (type.flags & simple) return this.checker.typeToString(type);
    if (type.isUnion()) {
      const members = type.types;
      const isBool = (t: ts.Type) => (t.flags & flags.BooleanLiteral) !== 0;
      const absent = (t: ts.Type) => (t.flags & (flags.Undefined | flags.Null)) !== 0;
      const parts = members
        .filter((t) => !isBool(t) && !absent(t))
        .map((t) => this.wrap(this.print(t, indent, trail)));
      const bools = members.filter(isBool).map((t) => this.checker.typeToString(t));
      if (bools.length === 2) parts.push('boolean');
      else parts.push(...bools);
      // null and undefined last, as people write them.
      parts.push(...members.filter(absent).map((t) => this.checker.typeToString(t)));
      return parts.join(' | ');
    }
    if (type.isIntersection()) {
      return type.types.map((t) => this.wrap(this.print(t, indent, trail))).join(' & ');
    }
    const checker = this.checker;
    if (checker.isArrayType(type)) {
      const [element] = checker.getTypeArguments(type as ts.TypeReference);
      if (!element) throw new Error(`${trail}: an array without an element type`);
      return `${this.wrap(this.print(element, indent, `${trail}[]`))}[]`;
    }
    if (checker.isTupleType(type)) {
      const elements = checker.getTypeArguments(type as ts.TypeReference);
      return `[${elements.map((t, i) => this.print(t, indent, `${trail}[${i}]`)).join(', ')}]`;
    }
    if (type.flags & flags.Object) {
      const name = type.getSymbol()?.getName();
      if (name && ['Date', 'Set', 'Map', 'Promise', 'Buffer', 'Uint8Array', 'RegExp'].includes(name)) {
        throw new Error(`${trail}: ${name} is not what JSON carries`);
      }
      if (type.getCallSignatures().length > 0 || type.getConstructSignatures().length > 0) {
        throw new Error(`${trail}: a function is not what JSON carries`);
      }
      const inner = `${indent}  `;
      const lines: string[] = [];
      for (const info of checker.getIndexInfosOfType(type)) {
        lines.push(
          `${inner}[key: ${checker.typeToString(info.keyType)}]: ${this.print(info.type, inner, `${trail}[key]`)};`,
        );
      }
      for (const property of checker.getPropertiesOfType(type)) {
        const optional = (property.flags & ts.SymbolFlags.Optional) !== 0;
        const key = /^[A-Za-z_$][\w$]*$/.test(property.name) ? property.name : JSON.stringify(property.name);
        const doc = ts.displayPartsToString(property.getDocumentationComment(checker)).trim();
        if (doc) lines.push(`${inner}/** ${doc.replace(/\*\//g, '*\\/').replace(/\n/g, `\n${inner} * `)} */`);
        const printed = this.print(checker.getTypeOfSymbol(property), inner, `${trail}.${property.name}`);
        lines.push(`${inner}${key}${optional ? '?' : ''}: ${printed};`);
      }
      return lines.length === 0 ? '{}' : `{\n${lines.join('\n')}\n${indent}}`;
    }
    throw new Error(`${trail}: cannot write out ${checker.typeToString(type)}`);
  }

  /** Parenthesized where it is a union or intersection (as an array's element or a union's member). */
  private wrap(text: string): string {
    let depth = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (c === '{' || c === '[' || c === '(') depth++;
      else if (c === '}' || c === ']' || c === ')') depth--;
      else if (depth === 0 && (c === '|' || c === '&')) return `(${text})`;
    }
    return text;
  }
}

/** src/api-types.ts with every exported type written out as plain structure. */
function flattenedTypes(): string {
  const file = join(SRC, TYPES_FILE);
  const program = ts.createProgram([file], { ...repoOptions(), noEmit: true });
  report(ts.getPreEmitDiagnostics(program, program.getSourceFile(file)));
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file) ?? fail(`cannot read ${file}`);
  const flattener = new Flattener(checker);
  const text = source.getFullText();
  const out = [
    '/**',
    " * The API's request and response types, written out by scripts/build.ts from src/api-types.ts",
    " * (the server's zod schemas and view functions). Generated: do not edit.",
    ' */',
    '',
  ];
  for (const statement of source.statements) {
    if (!ts.isTypeAliasDeclaration(statement)) continue;
    const comments = ts.getLeadingCommentRanges(text, statement.getFullStart()) ?? [];
    const doc = comments.map((c) => text.slice(c.pos, c.end)).filter((c) => c.startsWith('/**'));
    const type = checker.getTypeAtLocation(statement.name);
    const name = statement.name.text;
    out.push(...doc, `export type ${name} = ${flattener.print(type, '', name)};`, '');
  }
  return out.join('\n');
}

/**
 * One build: the staged sources compiled as `format` into dist/<format>. For ESM the relative
 * imports get their `.js` (Node.js's ESM resolution wants the file), in the staged copy, where
 * tsc checks them; the sources keep the extensionless form that jest and tsx resolve.
 */
function compile(format: 'cjs' | 'esm', types: string): void {
  const stage = join(STAGE, format);
  const out = join(DIST, format);
  mkdirSync(stage, { recursive: true });
  const type = format === 'esm' ? 'module' : 'commonjs';
  writeFileSync(join(stage, 'package.json'), JSON.stringify({ type }));
  for (const name of readdirSync(SRC)) {
    if (!name.endsWith('.ts')) continue;
    let text = name === TYPES_FILE ? types : readFileSync(join(SRC, name), 'utf8');
    if (format === 'esm') text = text.replace(/(from |import\()'(\.\/[\w-]+)'/g, "$1'$2.js'");
    writeFileSync(join(stage, name), text);
  }
  const files = readdirSync(stage)
    .filter((name) => name.endsWith('.ts'))
    .map((name) => join(stage, name));
  const program = ts.createProgram(files, {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.Node16,
    moduleResolution: ts.ModuleResolutionKind.Node16,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
    types: [],
    strict: true,
    noUncheckedIndexedAccess: true,
    noImplicitOverride: true,
    skipLibCheck: true,
    declaration: true,
    sourceMap: true,
    inlineSources: true,
    rootDir: stage,
    outDir: out,
  });
  report(ts.getPreEmitDiagnostics(program));
  report(program.emit().diagnostics);
  // Says how Node.js reads the .js files here, whatever the package's own type.
  writeFileSync(join(out, 'package.json'), `${JSON.stringify({ type })}\n`);
  for (const required of ['index.js', 'index.d.ts', 'api-types.d.ts']) {
    if (!existsSync(join(out, required))) fail(`dist/${format}/${required} was not written`);
  }
  for (const name of readdirSync(out)) {
    const text = readFileSync(join(out, name), 'utf8');
    if (/from ['"](\.\.\/|zod['"])/.test(text) || text.includes('/lambdas/')) {
      fail(`dist/${format}/${name} still refers to the server's code or zod`);
    }
  }
}

function main(): void {
  rmSync(STAGE, { recursive: true, force: true });
  rmSync(DIST, { recursive: true, force: true });
  try {
    const types = flattenedTypes();
    compile('cjs', types);
    compile('esm', types);
  } finally {
    rmSync(STAGE, { recursive: true, force: true });
  }
  process.stdout.write(`built dist/cjs (CommonJS) and dist/esm (ES modules), each with .d.ts, in ${DIST}\n`);
}

main();
