// Runs the real window (dist/src-renderer) in headless Chromium, with
// `window.homeSync` bound to real AppCommands in this process: the preload's job,
// done by exposeBinding. Everything behind the binding is the app's own code.

import { createServer, type Server } from 'node:http';
import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { COMMAND_NAMES, type AppCommands, type AppState } from '../../src-main/shared/ipc.js';
import { createAppCommands, invokeCommand } from '../../src-main/controller/app-commands.js';
import type { DesktopPlatform } from '../../src-main/controller/platform.js';
import type { TestApp } from '../support/controller-harness.js';

const RENDERER = fileURLToPath(new URL('../../src-renderer/', import.meta.url));
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.png': 'image/png' };
// The same policy the app's protocol handler sends.
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'none'; base-uri 'none'; form-action 'none'";

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

function serveRenderer(): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const path = normalize(new URL(req.url ?? '/', 'http://x').pathname).replace(/^[/\\]+/, '') || 'index.html';
    readFile(join(RENDERER, path)).then(
      (body) => {
        res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream', 'content-security-policy': CSP });
        res.end(body);
      },
      () => res.writeHead(404).end(),
    );
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/index.html` })),
  );
}

export interface WindowHarness {
  readonly page: Page;
  /** Messages the page logged as errors, and uncaught exceptions: a clean run has none. */
  readonly pageErrors: string[];
  /** Pushes a state to the page, as the main process does on a change. */
  push: (state: AppState) => Promise<void>;
  close: () => Promise<void>;
}

/** `executablePath` comes from test/support/chromium.ts (browserTest). */
export async function openWindow(commands: AppCommands, executablePath: string): Promise<WindowHarness> {
  const { server, url } = await serveRenderer();
  const closeServer = () => new Promise((resolve) => server.close(resolve));
  let browser: Browser;
  try {
    browser = await chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS, timeout: 30_000 });
  } catch (error) {
    // Nothing may outlive a failed launch: the page server would keep the test process alive.
    await closeServer();
    throw error;
  }
  try {
    return await preparePage(browser, commands, url, closeServer);
  } catch (error) {
    await browser.close();
    await closeServer();
    throw error;
  }
}

async function preparePage(
  browser: Browser,
  commands: AppCommands,
  url: string,
  closeServer: () => Promise<unknown>,
): Promise<WindowHarness> {
  // The window maximised on the smallest screen it is made for, 800×600, less a taskbar and a title bar.
  const context = await browser.newContext({ viewport: { width: 800, height: 540 } });
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(message.text());
  });
  await page.exposeBinding('homeSyncInvoke', (_source, name: string, args: unknown[]) => invokeCommand(commands, name, args));
  // What preload.cts builds with contextBridge, built from the same command list.
  await page.addInitScript((names: readonly string[]) => {
    const w = globalThis as unknown as Record<string, unknown> & { homeSyncInvoke(name: string, args: unknown[]): Promise<unknown> };
    const listeners = new Set<(state: unknown) => void>();
    const api: Record<string, unknown> = {
      onStateChanged(listener: (state: unknown) => void) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    };
    for (const name of names) api[name] = (...args: unknown[]) => w.homeSyncInvoke(name, args);
    w.__homeSyncPush = (state: unknown) => listeners.forEach((listener) => listener(state));
    Object.defineProperty(globalThis, 'homeSync', { value: Object.freeze(api) });
  }, COMMAND_NAMES);
  await page.goto(url);
  return {
    page,
    pageErrors,
    push: (state) =>
      page.evaluate((s) => (globalThis as unknown as { __homeSyncPush(s: unknown): void }).__homeSyncPush(s), state as unknown),
    close: async () => {
      await browser.close();
      await closeServer();
    },
  };
}

const ARTIFACTS = fileURLToPath(new URL('../../../test/artifacts/', import.meta.url));

/**
 * The focused element's `data-focus` key (or, with `by: 'id'`, its id) once a
 * dialog that just hid has given the focus back, waiting up to 5 s for
 * `expected`: the dialog hides at once, and its 'close' event, which moves the
 * focus, comes a task later (HTML's dialog close steps), later still while the
 * window redraws.
 */
export async function focusAfterDialogClose(page: Page, expected: string, by: 'focus' | 'id' = 'focus'): Promise<string | undefined> {
  const focused = by === 'id' ? 'document.activeElement?.id' : 'document.activeElement?.dataset.focus';
  await page.waitForFunction(`${focused} === ${JSON.stringify(expected)}`, undefined, { timeout: 5_000 }).catch(() => undefined);
  return page.evaluate<string | undefined>(focused);
}

/** Photographs the window as the learner sees it (or, with fullPage, all of a page that scrolls), into test/artifacts/window-<name>.png. */
export async function saveScreenshot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `window-${name}.png`), fullPage: options.fullPage === true });
}

/** The harness's desktop: every dialog is cancelled, the clipboard and the login item do nothing. */
export const cancellingPlatform: DesktopPlatform = {
  pickFolder: async () => null,
  pickFile: async () => null,
  pickSaveFile: async () => null,
  copyText: () => undefined,
  setStartAtLogin: () => undefined,
  openFile: () => undefined,
  showFile: () => undefined,
};

/**
 * The window on a test app's real controller, as the main process wires it: its
 * commands, and every change pushed to the window. Closed when the test ends.
 * Dialogs answer "cancelled" and the clipboard is dropped unless `platform` says otherwise.
 */
export async function openAppWindow(
  t: { after(fn: () => Promise<void> | void): void },
  app: TestApp,
  chromium: string,
  platform: Partial<DesktopPlatform> = {},
): Promise<WindowHarness> {
  const commands = createAppCommands(app.controller, { ...cancellingPlatform, ...platform });
  const win = await openWindow(commands, chromium);
  t.after(() => win.close());
  app.controller.onChange(
    () =>
      void app.controller
        .state()
        .then(win.push)
        .catch(() => undefined),
  );
  return win;
}
