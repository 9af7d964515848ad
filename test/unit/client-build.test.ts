import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const PACKAGE = resolve(__dirname, '../../packages/client');
const DIST = join(PACKAGE, 'dist');

jest.setTimeout(180_000);

/** Loads the built package in a plain Node.js process, as `require` or `import`, and sends one call. */
const probe = (load: string) => `
(async () => {
  const { MailroomClient, MailroomApiError } = ${load};
  const fetch = async () => new Response(JSON.stringify({ error: { code: 'not_found', message: 'No email' } }), { status: 404 });
  const error = await new MailroomClient({ apiUrl: 'http://127.0.0.1:3000', fetch }).emails.get('m-1').catch((e) => e);
  process.stdout.write(JSON.stringify({ api: error instanceof MailroomApiError, code: error.code }));
})();`;

describe('the published build of @mailroom/client (npm run build)', () => {
  beforeAll(async () => {
    await run(process.execPath, ['--import', 'tsx', 'scripts/build.ts'], { cwd: PACKAGE, timeout: 170_000 });
  });

  it.each([
    ['CommonJS (require)', `require(${JSON.stringify(join(DIST, 'cjs/index.js'))})`],
    ['ES modules (import)', `await import(${JSON.stringify(`file://${join(DIST, 'esm/index.js')}`)})`],
  ])('loads as %s and works', async (_, load) => {
    const { stdout } = await run(process.execPath, ['-e', probe(load)], { cwd: PACKAGE });
    expect(JSON.parse(stdout)).toEqual({ api: true, code: 'not_found' });
  });

  it("declares the API's types as plain structure, with nothing of the server's code or of zod", () => {
    for (const format of ['cjs', 'esm']) {
      const types = readFileSync(join(DIST, format, 'api-types.d.ts'), 'utf8');
      expect(types).toMatch(/export type SendEmailRequest = \{\n\s+to: string \| string\[\];/);
      expect(types).toMatch(/export type Account = \{/);
      // No import of any module: the types stand alone.
      expect(types).not.toMatch(/^\s*(import|export .* from)\b|import\(/m);
      expect(types).not.toMatch(/\bz\.|Zod/);
    }
  });
});
