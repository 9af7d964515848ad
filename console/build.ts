/**
 * Builds the console: one esbuild bundle of src/ (Preact, the typed client from source), the
 * stylesheet and the page. Local mode serves the result from memory; the stack writes it to a
 * folder for its BucketDeployment. `npm run console:build` writes it to console/dist for a look.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildSync } from 'esbuild';

const CONSOLE = __dirname;
const ROOT = resolve(CONSOLE, '..');

/** The console's files by name (`index.html`, `app.js`, `app.css`), as served. */
export type ConsoleFiles = ReadonlyMap<string, Uint8Array>;

/** What each file is served as. */
export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
};

/** The whole console, gzipped, must stay under this (issue 15: a light console). */
export const GZIP_BUDGET_BYTES = 150 * 1024;

let built: ConsoleFiles | undefined;

/**
 * The console's files, built once per process (a synth of many stacks, or local mode's every
 * request, reuses them). Synchronous: CDK constructs are built synchronously.
 */
export function buildConsole(): ConsoleFiles {
  if (built) return built;
  const result = buildSync({
    entryPoints: [join(CONSOLE, 'src/main.tsx')],
    bundle: true,
    minify: true,
    format: 'esm',
    target: ['es2022'],
    platform: 'browser',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    tsconfig: join(CONSOLE, 'tsconfig.json'),
    // The template renderer's Handlebars asks for `source-map` and manages without it (no-source-map.ts).
    alias: { 'source-map': './console/src/no-source-map.ts' },
    // The client's Node.js-only credential chain is imported through a variable, never bundled
    // (packages/client/src/signing.ts); nothing else of Node.js may come in.
    write: false,
    outdir: '/out',
    legalComments: 'none',
    logLevel: 'silent',
    absWorkingDir: ROOT,
  });
  const js = result.outputFiles.find((file) => file.path.endsWith('.js'));
  if (!js) throw new Error('esbuild wrote no app.js for the console');
  built = new Map([
    ['index.html', readFileSync(join(CONSOLE, 'index.html'))],
    ['app.js', js.contents],
    ['app.css', readFileSync(join(CONSOLE, 'app.css'))],
  ]);
  return built;
}

/** The bytes a browser downloads on the first visit, every file gzipped. */
export function gzippedSize(files: ConsoleFiles): number {
  let total = 0;
  for (const content of files.values()) total += gzipSync(content, { level: 9 }).length;
  return total;
}

/** Writes the console's files into `dir` (created if needed); returns `dir`. */
export function writeConsole(dir: string, files: ConsoleFiles = buildConsole()): string {
  for (const [name, content] of files) {
    const path = join(dir, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  }
  return dir;
}

if (require.main === module) {
  const dir = writeConsole(join(CONSOLE, 'dist'));
  const files = buildConsole();
  process.stdout.write(
    `console written to ${dir}: ${[...files].map(([name, c]) => `${name} ${c.length} B`).join(', ')}; ` +
      `${gzippedSize(files)} B gzipped (budget ${GZIP_BUDGET_BYTES} B)\n`,
  );
}
