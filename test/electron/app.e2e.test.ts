// The real app, launched with Electron's binary through playwright-core's
// _electron: the window opens, the first account is created in it, the server
// answers /health and a login at the address the window shows, the tray has its
// menu, closing the window keeps the server running, and quitting drains and
// exits 0.
//
// It runs wherever Electron's binary is installed. Where it is not (our machines
// cannot download it), it is skipped with one line that says so, unless
// ELECTRON_SMOKE=required (GitHub's CI), where a missing binary fails it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { _electron } from 'playwright-core';
import { REPO_ROOT } from '../support/fixture-paths.js';
import { makeTempFolder } from '../support/temp-folder.js';
import { freePort } from '../support/ports.js';
import { loginAt, seedProfile, waitForHealth } from './app-profile.js';

const ARTIFACTS = join(REPO_ROOT, 'test', 'artifacts');

/** Electron's executable, or why there is none. */
function findElectron(): { path: string } | { missing: string } {
  try {
    const path = createRequire(join(REPO_ROOT, 'package.json'))('electron') as unknown;
    if (typeof path === 'string' && existsSync(path)) return { path };
    return { missing: `Electron's binary is not at ${String(path)}` };
  } catch (error) {
    return { missing: `Electron's binary is not installed (${error instanceof Error ? error.message : String(error)})` };
  }
}

const electron = findElectron();
const required = process.env['ELECTRON_SMOKE'] === 'required';
const skip = 'missing' in electron && !required ? `${electron.missing}; the Electron smoke test is skipped` : false;

test('the app: window, first account, /health and login, tray, close to tray, quit exits 0', { skip, timeout: 120_000 }, async (t) => {
  if ('missing' in electron) throw new Error(`${electron.missing} (ELECTRON_SMOKE=required)`);
  const profile = makeTempFolder('ahs-electron-');
  t.after(() => rmSync(profile, { recursive: true, force: true }));
  const port = await freePort();
  await seedProfile(profile, { port });

  const app = await _electron.launch({
    executablePath: electron.path,
    args: [REPO_ROOT, `--user-data-dir=${profile}`, ...(process.platform === 'linux' ? ['--no-sandbox'] : [])],
    cwd: REPO_ROOT,
    env: { ...process.env, ELECTRON_ENABLE_LOGGING: '1' },
  });
  const exited = new Promise<number | null>((resolve) => app.process().once('exit', (code) => resolve(code)));
  t.after(async () => {
    if (app.process().exitCode === null) app.process().kill('SIGKILL');
    await exited;
  });

  const win = await app.firstWindow();
  await win.locator('#first-account-form').waitFor();
  // Shown once painted (ready-to-show), not as a blank frame before.
  assert.equal(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]?.isVisible()), true);
  await win.fill('#first-account-form input[name=name]', 'alice');
  await win.fill('#first-account-form input[name=password]', 'correct horse');
  await win.click('#first-account-form button[type=submit]');
  await win.locator('.pill[data-state=running]').waitFor({ timeout: 30_000 });
  const shown = ((await win.locator('#main-address').textContent()) ?? '').trim();
  assert.equal(shown, `http://127.0.0.1:${port}/`, 'the window shows the address devices use');
  mkdirSync(ARTIFACTS, { recursive: true });
  await win.screenshot({ path: join(ARTIFACTS, 'electron-1-running.png') });

  await waitForHealth(shown);
  assert.match(await loginAt(shown, 'alice', 'correct horse'), /^[0-9a-f]{40}$/);

  const menu = await app.evaluate(() =>
    (globalThis as unknown as Record<string, { trayMenu(): string[] }>)['__ankiHomeSyncProbe']!.trayMenu(),
  );
  for (const item of [
    `Server running on port ${port}`,
    'Stop server',
    `Copy client address (${shown})`,
    'Open window',
    'Start at login',
    'Quit',
  ]) {
    assert.ok(menu.includes(item), `the tray menu has "${item}": ${menu.join(' | ')}`);
  }

  // The window's menu is the app's own: Quit, and no developer tools or reload.
  const windowMenu = await app.evaluate(({ Menu }) =>
    (Menu.getApplicationMenu()?.items ?? []).flatMap((item) => (item.submenu?.items ?? []).map((sub) => `${sub.role ?? ''}:${sub.label}`)),
  );
  assert.ok(
    windowMenu.some((entry) => /Quit/.test(entry)),
    `the menu has Quit: ${windowMenu.join(' | ')}`,
  );
  assert.ok(!windowMenu.some((entry) => /toggledevtools|reload|Developer/i.test(entry)), `no developer tools: ${windowMenu.join(' | ')}`);

  // Closing the window hides it to the tray; the server carries on.
  await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]?.close());
  await new Promise((resolve) => setTimeout(resolve, 500));
  assert.equal(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().filter((w) => w.isVisible()).length), 0);
  await waitForHealth(shown, 5_000);
  assert.match(await loginAt(shown, 'alice', 'correct horse'), /^[0-9a-f]{40}$/);

  // Quit from the tray's own action: drains, then exits 0.
  await app.evaluate(({ app: electronApp }) => electronApp.quit());
  assert.equal(await exited, 0);
  await assert.rejects(fetch(new URL('health', shown)), 'the server is gone');
});
