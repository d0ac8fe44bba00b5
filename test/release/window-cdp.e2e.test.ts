// The window check's way in (test/release/drive-window.ts), tried on a real
// Chromium here, since the packaged app cannot run on our machines: a browser
// started with --remote-debugging-port=0 writes its port to DevToolsActivePort,
// playwright-core attaches with connectOverCDP, finds the page by its origin,
// sees console errors and CSP violations from the page's start, and reads the
// bridge the page exposes. The packaged app is the same Chromium underneath.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { chromium } from 'playwright-core';
import { browserTest } from '../support/chromium.js';
import { makeTempFolder } from '../support/temp-folder.js';
import { CHROMIUM_ARGS } from '../renderer/window-harness.js';
import { bridgeShape, devToolsPort, pageAt, watchErrors } from './drive-window.js';

const PAGE = `<!doctype html><html><head><script src="/bridge.js"></script></head><body>
<form id="first-account-form">first run</form><img src="https://example.invalid/x.png"></body></html>`;
// What the preload would expose, and one console error of the page's own.
const BRIDGE = `window.homeSync = Object.freeze({ getState() {}, addUser() {}, onStateChanged() {} });
console.error('the page failed at start');`;

browserTest(
  'over CDP, as the packaged app is driven: the port from DevToolsActivePort, the page, its errors and its bridge',
  { timeout: 60_000 },
  async (t, executable) => {
    const server = createServer((req, res) => {
      if (req.url === '/bridge.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(BRIDGE);
      else res.writeHead(200, { 'content-type': 'text/html', 'content-security-policy': "default-src 'none'; script-src 'self'" }).end(PAGE);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    t.after(() => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    });
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const profile = makeTempFolder('ahs-cdp-');
    const browserProcess = spawn(
      executable,
      [...CHROMIUM_ARGS, '--headless=new', '--remote-debugging-port=0', `--user-data-dir=${profile}`, `${origin}/index.html`],
      // Its temporary files go into the profile, which the test removes.
      { stdio: 'ignore', env: { ...process.env, TMPDIR: profile } },
    );
    const ended = new Promise((resolve) => browserProcess.once('exit', resolve));
    t.after(async () => {
      browserProcess.kill('SIGKILL');
      await ended;
      rmSync(profile, { recursive: true, force: true });
    });

    const port = await devToolsPort(profile, 30_000);
    const browser = await chromium.connectOverCDP(`http://127.0.0.1:${port}`);
    t.after(() => browser.close());
    const page = await pageAt(browser, `${origin}/`, 30_000);
    const errors = await watchErrors(page);
    await page.locator('#first-account-form').waitFor();
    assert.deepEqual(await bridgeShape(page), { keys: ['addUser', 'getState', 'onStateChanged'], node: [] });
    await page.waitForTimeout(500);
    assert.ok(errors.includes('console: the page failed at start'), errors.join('\n'));
    assert.ok(
      errors.some((e) => /img-src|default-src/.test(e)),
      `the blocked image is a CSP error: ${errors.join('\n')}`,
    );
  },
);
