// Serves the window from app://home-sync/ rather than file://, so the page has a
// real origin for its CSP and IPC handlers can check who is calling.

import { net, protocol } from 'electron';
import { pathToFileURL } from 'node:url';
import { join, normalize, sep } from 'node:path';
import { RENDERER_FOLDER } from './paths.js';

import { APP_ORIGIN, APP_SCHEME } from '../shared/app-origin.js';

export { APP_ORIGIN, APP_SCHEME };
export const WINDOW_URL = `${APP_ORIGIN}/index.html`;

const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Must run before the app is ready. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
}

export function serveRenderer(): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    const relative = normalize(decodeURIComponent(url.pathname)).replace(/^[/\\]+/, '');
    const file = join(RENDERER_FOLDER, relative);
    if (url.host !== 'home-sync' || !file.startsWith(RENDERER_FOLDER + sep)) return new Response('not found', { status: 404 });
    const response = await net.fetch(pathToFileURL(file).toString());
    const headers = new Headers(response.headers);
    headers.set('Content-Security-Policy', CSP);
    return new Response(response.body, { status: response.status, headers });
  });
}
