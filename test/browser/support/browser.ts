import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

/**
 * The machine's network is closed and the browser is a test's: nothing of Chrome's own traffic
 * (updates, sync, field trials) goes out. No sandbox: CI runs as root in a container, where
 * Chromium's sandbox cannot start.
 */
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--no-default-browser-check',
  '--disable-default-apps',
  '--metrics-recording-only',
];

/**
 * Headless Chromium from the `@sparticuz/chromium` npm package (its binary ships inside the package
 * and is unpacked into the temp folder on first use): nothing is downloaded outside `npm ci`.
 * Its own launch arguments are meant for Lambda (and turn web security off), so only ours are used.
 */
export async function launchBrowser(): Promise<Browser> {
  return puppeteer.launch({
    executablePath: await chromiumPath(),
    headless: 'shell',
    args: ARGS,
    defaultViewport: { width: 1280, height: 800 },
  });
}

/**
 * `@sparticuz/chromium` is an ES module, which jest on Node.js 20 cannot load (no require of ESM,
 * no import() in its VM without a flag): a child Node.js unpacks the binary and prints its path.
 */
async function chromiumPath(): Promise<string> {
  const script =
    "import chromium from '@sparticuz/chromium'; process.stdout.write(await chromium.executablePath());";
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
    cwd: __dirname,
  });
  return stdout.trim();
}

/**
 * Takes out of `problems` the one entry an expected API refusal leaves: Chromium logs every 4xx
 * answer to fetch as a console error, including one the page asked for and shows (a 404 for an
 * address that is not suppressed, a 400 for a template syntax error).
 */
export function expectRefusalLogged(problems: string[], status: number, path: string): void {
  const index = problems.findIndex((p) => p.includes(`status of ${status}`) && p.includes(path));
  if (index < 0)
    throw new Error(`expected the browser to log a ${status} for ${path}; it logged ${problems.join('; ')}`);
  problems.splice(index, 1);
}

/** What the page wrote to the console as errors, uncaught exceptions and failed requests. */
export function recordProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error')
      problems.push(`console: ${message.text()} (${message.location().url ?? ''})`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${String(error)}`));
  page.on('requestfailed', (request) => {
    const reason = request.failure()?.errorText;
    // The console aborts the polls of a page it leaves (AbortSignal): that is not a failure.
    if (reason === 'net::ERR_ABORTED') return;
    problems.push(`request failed: ${request.method()} ${request.url()}: ${reason}`);
  });
  return problems;
}
