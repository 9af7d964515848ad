import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname } from 'node:path';
import { buildConsole, CONTENT_TYPES, type ConsoleFiles } from '../console/build';
import { contentSecurityPolicy } from '../console/headers';

/** Where local mode serves the console, beside the API on the same origin. */
export const CONSOLE_PATH = '/console';

/**
 * What the console reads at start: `{}` says the API is this origin and takes unsigned requests,
 * as local mode's does (no sign-in).
 */
const LOCAL_CONFIG = new TextEncoder().encode('{}');

/**
 * Serves the console under {@link CONSOLE_PATH}; answers false for every other path, which stays
 * the API's. Built on the first request (esbuild, about a second), so `npm start` needs no build
 * step and a change to console/ shows after a restart.
 */
export function consoleSite(): (request: IncomingMessage, response: ServerResponse) => boolean {
  let files: ConsoleFiles | undefined;
  return (request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname !== CONSOLE_PATH && !url.pathname.startsWith(`${CONSOLE_PATH}/`)) return false;
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('Method Not Allowed');
      return true;
    }
    // Relative URLs in the page (app.js, config.json) resolve under /console/ only with the slash.
    if (url.pathname === CONSOLE_PATH) {
      response.writeHead(308, { location: `${CONSOLE_PATH}/${url.search}` }).end();
      return true;
    }
    const name = url.pathname.slice(CONSOLE_PATH.length + 1) || 'index.html';
    let content: Uint8Array | undefined;
    try {
      files ??= buildConsole();
      content = name === 'config.json' ? LOCAL_CONFIG : files.get(name);
    } catch (error) {
      console.error('local console: the build failed', error);
      response
        .writeHead(500, { 'content-type': 'text/plain' })
        .end('The console failed to build: see the log');
      return true;
    }
    if (content === undefined) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
      return true;
    }
    response.writeHead(200, {
      'content-type': CONTENT_TYPES[extname(name)] ?? 'application/octet-stream',
      'content-length': String(content.length),
      'cache-control': 'no-store',
      'content-security-policy': contentSecurityPolicy([]),
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    });
    response.end(request.method === 'HEAD' ? undefined : content);
    return true;
  };
}
