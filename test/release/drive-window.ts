// Drives an installed app's window over Chromium's DevTools protocol, as a
// learner would click it (the release workflow, on each system):
//   node dist/test/release/drive-window.js <the app's executable> [<screenshot.png>]
// The packaged app opens its DevTools port only with the test switch
// (controller/launch-switches.ts); with it, playwright-core's connectOverCDP
// attaches to the window. Checked: the first-run form, adding an account, the
// address shown, `window.homeSync` exactly as the preload builds it (and no
// Node in the page), no console or CSP error; then a device's full upload of a
// real collection and a full download that matches it, which runs the upload
// check's worker thread and the .proto files from inside app.asar. The app
// quits with exit 0 when a second launch asks it to.

import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ALLOW_REMOTE_DEBUGGING_SWITCH } from '../../src-main/controller/launch-switches.js';
import { COMMAND_NAMES } from '../../src-main/shared/ipc.js';
import { APP_ORIGIN } from '../../src-main/shared/app-origin.js';
import { seedProfile } from '../electron/app-profile.js';
import { freePort } from '../support/ports.js';
import { fullSyncRoundTrip } from './full-sync-check.js';
import { launchInstalled, quitInstalled, within, type RunningInstalledApp } from './installed-app.js';
import { isMain } from './yaml.js';
import { makeTempFolder } from '../support/temp-folder.js';

/**
 * The DevTools port (asked for with --remote-debugging-port=0): from <profile>/DevToolsActivePort,
 * or from the "DevTools listening on ws://…" line Chromium prints, whichever comes first.
 */
export async function devToolsPort(profile: string, timeoutMs: number, running?: RunningInstalledApp): Promise<number> {
  const file = join(profile, 'DevToolsActivePort');
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (existsSync(file)) {
      const port = Number(readFileSync(file, 'utf8').split('\n')[0]);
      if (Number.isInteger(port) && port > 0) return port;
    }
    const printed = /DevTools listening on ws:\/\/[^\s/]+:(\d+)\//.exec(running?.stderr() ?? '');
    if (printed !== null) return Number(printed[1]);
    if (running !== undefined && running.child.exitCode !== null) throw new Error(`the app exited (${running.child.exitCode}): ${running.stderr()}`);
    if (Date.now() > until) throw new Error(`no DevToolsActivePort in ${profile} within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The page whose address starts with `origin`, among those of a browser reached over CDP. */
export async function pageAt(browser: Browser, origin: string, timeoutMs: number): Promise<Page> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const page = browser
      .contexts()
      .flatMap((context) => context.pages())
      .find((p) => p.url().startsWith(origin));
    if (page !== undefined) return page;
    if (Date.now() > until) throw new Error(`no page at ${origin} within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Console errors, uncaught exceptions and CSP violations, from now on; reloads so the page's start is seen too. */
export async function watchErrors(page: Page): Promise<string[]> {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  await page.reload();
  // A violation also logs a console error in Chromium; this names the directive either way.
  await page.evaluate(
    "document.addEventListener('securitypolicyviolation', (event) => console.error('CSP: ' + event.violatedDirective + ' ' + event.blockedURI))",
  );
  return errors;
}

/** The keys of window.homeSync, and whether Node leaked into the page. */
export async function bridgeShape(page: Page): Promise<{ keys: string[]; node: string[] }> {
  return page.evaluate(() => {
    const w = globalThis as unknown as Record<string, unknown>;
    const bridge = w['homeSync'];
    return {
      keys: typeof bridge === 'object' && bridge !== null ? Object.keys(bridge).sort() : [],
      node: ['require', 'process', 'module', 'Buffer'].filter((name) => typeof w[name] !== 'undefined'),
    };
  });
}

export const EXPECTED_BRIDGE = [...COMMAND_NAMES, 'onStateChanged'].sort();

export async function driveWindow(executable: string, screenshot: string | undefined): Promise<void> {
  const profile = makeTempFolder('ahs-drive-');
  const port = await freePort();
  await seedProfile(profile, { port });
  const app = launchInstalled(executable, profile, ['--remote-debugging-port=0', `--${ALLOW_REMOTE_DEBUGGING_SWITCH}`]);
  let browser: Browser | null = null;
  let failure: Error | null = null;
  const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));
  try {
    browser = await chromium.connectOverCDP(`http://127.0.0.1:${await devToolsPort(profile, 90_000, app)}`);
    const page = await pageAt(browser, `${APP_ORIGIN}/`, 60_000);
    const errors = await watchErrors(page);

    await page.locator('#first-account-form').waitFor({ timeout: 30_000 });
    const bridge = await bridgeShape(page);
    if (bridge.keys.join() !== EXPECTED_BRIDGE.join()) throw new Error(`window.homeSync has ${bridge.keys.join(', ')}; expected ${EXPECTED_BRIDGE.join(', ')}`);
    if (bridge.node.length > 0) throw new Error(`Node reached the page: ${bridge.node.join(', ')}`);
    console.log('✔ the first-run form; window.homeSync is the preload\'s, with no Node in the page');

    await page.fill('#first-account-form input[name=name]', 'learner');
    await page.fill('#first-account-form input[name=password]', 'a long enough password');
    await page.click('#first-account-form button[type=submit]');
    await page.locator('.pill[data-state=running]').waitFor({ timeout: 60_000 });
    const shown = ((await page.locator('#main-address').textContent()) ?? '').trim();
    if (shown !== `http://127.0.0.1:${port}/`) throw new Error(`the window shows "${shown}", not http://127.0.0.1:${port}/`);
    console.log(`✔ an account added; the window shows ${shown}`);
    if (screenshot !== undefined) {
      mkdirSync(dirname(screenshot), { recursive: true });
      await page.screenshot({ path: screenshot });
    }

    const notes = await fullSyncRoundTrip(shown, 'learner', 'a long enough password');
    console.log(`✔ a full upload of a real collection (${notes} notes) and a full download that matches it`);
    if (errors.length > 0) throw new Error(`the window logged errors:\n${errors.join('\n')}`);
    console.log('✔ no console or CSP errors');
  } catch (error) {
    failure = asError(error);
  } finally {
    // Disconnects only: the app is asked to quit like any other.
    await browser?.close().catch(() => undefined);
  }
  try {
    if (app.child.exitCode === null) {
      const code = await quitInstalled(executable, profile, app);
      if (code !== 0) throw new Error(`exited with ${code} when asked to quit, not 0`);
      console.log('✔ quit: exit 0');
    }
  } catch (error) {
    failure ??= asError(error);
  } finally {
    if (app.child.exitCode === null) app.child.kill('SIGKILL');
    await within(30_000, 'the app did not end', app.exited).catch(() => undefined);
    rmSync(profile, { recursive: true, force: true });
  }
  if (failure !== null) throw failure;
}

if (isMain(import.meta.url)) {
  const [executable, screenshot] = process.argv.slice(2);
  if (executable === undefined) {
    console.error('usage: node dist/test/release/drive-window.js <app executable> [<screenshot.png>]');
    process.exit(2);
  }
  try {
    await driveWindow(executable, screenshot);
  } catch (error) {
    console.error(`✖ ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
