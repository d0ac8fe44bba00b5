// The window in headless Chromium, driving the real controller and SyncServer:
// first account, port change, stop/start, copy the address, and a device logging
// in with what was copied. Screenshots of the main states go to test/artifacts/.

import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { hostKeyFor } from '../../src-main/controller/accounts.js';
import { createTestApp, freePort, occupyPort } from '../app/controller-harness.js';
import { hostKeyLogin } from '../app/host-key-login.js';
import { openAppWindow, saveScreenshot } from './window-harness.js';
import { browserTest } from '../support/chromium.js';

async function mainAddress(page: Page): Promise<string> {
  return (await page.locator('#main-address').textContent()) ?? '';
}

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.fail(`timed out waiting for ${what}`);
}

browserTest(
  'the window: first account, port change, stop and start, copy, then a device logs in',
  { timeout: 90_000 },
  async (t, chromium) => {
    const app = await createTestApp(t);
    const copied: string[] = [];
    // What the main process does: commands from the window, every change pushed to it.
    const win = await openAppWindow(t, app, chromium, { copyText: (text) => void copied.push(text) });
    const { page } = win;

    await page.locator('#welcome').waitFor({ state: 'visible' });
    assert.equal(await page.locator('.pill').getAttribute('data-state'), 'stopped');
    assert.ok(await page.locator('#toggle-server').isDisabled(), 'nothing to start before an account exists');
    await saveScreenshot(page, '1-first-run');

    await page.fill('#first-account-form input[name=name]', 'alice');
    await page.fill('#first-account-form input[name=password]', 'correct horse');
    await page.click('#first-account-form button[type=submit]');
    await page.locator('.pill[data-state=running]').waitFor();
    assert.ok(await page.locator('#welcome').isHidden());
    assert.equal(await page.locator('#users tr[data-user=alice]').count(), 1);
    assert.equal(await mainAddress(page), app.base());
    await saveScreenshot(page, '2-running');

    const newPort = await freePort();
    await page.fill('#port', String(newPort));
    await page.click('#port-form button[type=submit]');
    await until(async () => (await mainAddress(page)) === `http://127.0.0.1:${newPort}/`, 'the new port in the address');
    assert.equal(app.controller.currentPort(), newPort);

    await page.click('#toggle-server');
    await page.locator('.pill[data-state=stopped]').waitFor();
    await saveScreenshot(page, '3-stopped');
    await page.click('#toggle-server');
    await page.locator('.pill[data-state=running]').waitFor();

    await page.locator('#addresses button.copy').first().click();
    await until(async () => copied.length === 1, 'the copy');
    assert.equal(copied[0], `http://127.0.0.1:${newPort}/`);
    await until(async () => (await page.locator('#notice').textContent()) === `Copied ${copied[0]}`, 'the copied notice');

    // A device pastes what was copied and logs in as the account made in the window.
    const login = await hostKeyLogin(copied[0], 'alice', 'correct horse');
    assert.equal(login.status, 200);
    assert.equal(login.key, hostKeyFor('alice', app.settings.read().users[0]!.phc));

    // An error reads as a sentence, and the server stays up on its port.
    const busy = await freePort();
    const other = await occupyPort(busy);
    t.after(() => new Promise<void>((resolve) => other.close(() => resolve())));
    await page.fill('#port', String(busy));
    await page.click('#port-form button[type=submit]');
    await page.locator('#error').waitFor({ state: 'visible' });
    assert.equal(
      await page.locator('#error-text').textContent(),
      `Port ${busy} is already used by another program. Choose another port, such as ${busy + 1}, and update the address in your Anki apps.`,
    );
    assert.equal(await page.locator('.pill').getAttribute('data-state'), 'running');
    await saveScreenshot(page, '4-port-in-use');
    await page.click('#error-close');

    // A second account from the table's form, then renamed inline.
    await page.fill('#add-user-form input[name=name]', 'bob');
    await page.fill('#add-user-form input[name=password]', 'pw-bob');
    await page.click('#add-user-form button[type=submit]');
    await page.locator('#users tr[data-user=bob]').waitFor();
    await page.click('#users tr[data-user=bob] button[data-action=rename]');
    await page.fill('#users tr.editor input[name=new-name]', 'robert');
    await page.click('#users tr.editor button[type=submit]');
    await page.locator('#users tr[data-user=robert]').waitFor();
    assert.equal((await hostKeyLogin(app.base(), 'robert', 'pw-bob')).status, 200);

    // How it looks on a home network: a LAN address with its QR code.
    const state = await app.controller.state();
    const lan = `http://192.168.1.20:${newPort}/`;
    await win.push({
      ...state,
      addresses: [{ url: lan, ip: '192.168.1.20', place: 'home', label: 'at home (Wi-Fi)', note: null }, ...state.addresses],
      addressWarning: null,
    });
    await until(
      async () => ((await page.locator('#addresses img.qr').getAttribute('src')) ?? '').startsWith('data:image/png;base64,'),
      'the QR code',
    );
    assert.equal(await mainAddress(page), lan);
    assert.equal(await page.locator('#legacy-addresses').textContent(), `${lan}sync/ and ${lan}msync/`);
    await saveScreenshot(page, '5-home-network');

    assert.deepEqual(win.pageErrors, [], 'the page logged no errors');
  },
);
