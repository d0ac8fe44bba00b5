// The window in headless Chromium, driving the real controller and SyncServer:
// first account, port change, stop/start, copy the address, and a device logging
// in with what was copied. Each state is checked with axe in light and dark, and
// photographed in both into test/artifacts/.

import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { hostKeyFor } from '../../src-main/controller/accounts.js';
import { createTestApp } from '../support/controller-harness.js';
import { freePort, occupyPort } from '../support/ports.js';
import { hostKeyLogin } from '../support/host-key-login.js';
import { focusAfterDialogClose, openAppWindow, saveScreenshot } from './window-harness.js';
import { checkState, SCHEMES } from './a11y.js';
import { decodePng } from '../support/png-pixels.js';
import { browserTest } from '../support/chromium.js';

async function mainAddress(page: Page): Promise<string> {
  return (await page.locator('#main-address').textContent()) ?? '';
}

/** How the QR code is drawn on screen: its margin's shade and its darkest modules'. Phones read it dark on light only. */
async function qrShades(page: Page): Promise<{ ground: string; modules: string }> {
  const { width, height, rgba } = decodePng(await page.locator('#qr').screenshot());
  const luma = (x: number, y: number) => {
    const i = (y * width + x) * 4;
    return 0.2126 * rgba[i]! + 0.7152 * rgba[i + 1]! + 0.0722 * rgba[i + 2]!;
  };
  // Inside the rounded border, in the quiet zone the code keeps round itself.
  const ground = luma(Math.round(width * 0.04), Math.round(height / 2));
  let darkest = 255;
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) darkest = Math.min(darkest, luma(x, y));
  return { ground: ground > 200 ? 'light' : 'dark', modules: darkest < 60 ? 'dark' : 'light' };
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
    await checkState(page, '1-first-run');

    await page.fill('#first-account-form input[name=name]', 'alice');
    await page.fill('#first-account-form input[name=password]', 'correct horse');
    await page.click('#first-account-form button[type=submit]');
    await page.locator('.pill[data-state=running]').waitFor();
    assert.ok(await page.locator('#welcome').isHidden());
    assert.equal(await page.locator('#users tr[data-user=alice]').count(), 1);
    assert.equal(await mainAddress(page), app.base());
    assert.equal(await page.locator('#tab-connect').getAttribute('aria-selected'), 'true', 'the window opens on how to connect');
    await checkState(page, '2-running');
    await page.click('#tab-accounts');
    await checkState(page, '2-running-accounts');
    await page.click('#tab-settings');
    await checkState(page, '2-running-settings');
    await page.click('#tab-activity');
    await checkState(page, '2-running-activity');

    const newPort = await freePort();
    await page.click('#tab-settings');
    await page.fill('#port', String(newPort));
    await page.click('#port-form button[type=submit]');
    await until(async () => (await mainAddress(page)) === `http://127.0.0.1:${newPort}/`, 'the new port in the address');
    assert.equal(app.controller.currentPort(), newPort);

    await page.click('#toggle-server');
    await page.locator('.pill[data-state=stopped]').waitFor();
    await page.click('#tab-connect');
    await checkState(page, '3-stopped');
    // Another program takes the port meanwhile: the server cannot start, and the window says why.
    const taken = await occupyPort(newPort);
    await page.click('#toggle-server');
    await page.locator('.pill[data-state=error]').waitFor();
    assert.equal(await page.locator('.pill').textContent(), 'Not running');
    await page.locator('#error:not([hidden])').waitFor();
    await checkState(page, '3-not-running');
    await new Promise<void>((resolve) => taken.close(() => resolve()));
    await page.click('#error-close');
    await page.click('#toggle-server');
    await page.locator('.pill[data-state=running]').waitFor();

    await page.click('#copy-main');
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
    await page.click('#tab-settings');
    await page.fill('#port', String(busy));
    await page.click('#port-form button[type=submit]');
    await page.locator('#error').waitFor({ state: 'visible' });
    assert.equal(
      await page.locator('#error-text').textContent(),
      `Port ${busy} is already used by another program. Choose another port, such as ${busy + 1}, and update the address in your Anki apps.`,
    );
    assert.equal(await page.locator('.pill').getAttribute('data-state'), 'running');
    await checkState(page, '4-port-in-use');
    await page.click('#error-close');

    // A second account from the table's form, then renamed in its dialog.
    await page.click('#tab-accounts');
    await page.fill('#add-user-form input[name=name]', 'bob');
    await page.fill('#add-user-form input[name=password]', 'pw-bob');
    await page.click('#add-user-form button[type=submit]');
    await page.locator('#users tr[data-user=bob]').waitFor();
    await page.getByRole('button', { name: 'Rename bob' }).click();
    await page.locator('#account-dialog[open]').waitFor();
    await checkState(page, '5-dialog-rename');
    // A refusal shows in the dialog, which stays open: the window's own banner is behind it.
    await page.fill('#account-dialog input[name=new-name]', 'alice');
    await page.click('#account-dialog button[type=submit]');
    await page.locator('#account-dialog .dialog-error', { hasText: /alice/ }).waitFor();
    await checkState(page, '5-dialog-rename-refused');
    await page.fill('#account-dialog input[name=new-name]', 'robert');
    await page.click('#account-dialog button[type=submit]');
    await page.locator('#users tr[data-user=robert]').waitFor();
    await page.locator('#account-dialog').waitFor({ state: 'hidden' });
    assert.equal(await focusAfterDialogClose(page, 'rename:robert'), 'rename:robert', 'the focus goes back to the renamed row');
    assert.equal((await hostKeyLogin(app.base(), 'robert', 'pw-bob')).status, 200);

    // How it looks on a home network: a LAN address with its QR code.
    const state = await app.controller.state();
    const lan = `http://192.168.1.20:${newPort}/`;
    await win.push({
      ...state,
      addresses: [{ url: lan, ip: '192.168.1.20', place: 'home', label: 'at home (Wi-Fi)', note: null }, ...state.addresses],
      addressWarning: null,
    });
    await page.click('#tab-connect');
    await until(async () => ((await page.locator('#qr').getAttribute('src')) ?? '').startsWith('data:image/png;base64,'), 'the QR code');
    assert.equal(await mainAddress(page), lan);
    assert.equal(await page.locator('#legacy-addresses').textContent(), `${lan}sync/ and ${lan}msync/`);
    await checkState(page, '6-home-network');
    for (const scheme of SCHEMES) {
      await page.emulateMedia({ colorScheme: scheme });
      assert.deepEqual(await qrShades(page), { ground: 'light', modules: 'dark' }, `the QR code is dark on light (${scheme})`);
    }
    await page.emulateMedia({ colorScheme: 'light' });

    // On an 800×600 screen (the harness's viewport, less a taskbar and a title bar) the window does not
    // scroll as a whole: each section scrolls in its own box, and the address to give Anki, with its
    // Copy button, stays in sight however far the section is scrolled (the window was once one page
    // 1,500 to 1,900 px tall, the address scrolling away).
    for (const section of ['connect', 'accounts', 'settings', 'activity'] as const) {
      await page.click(`#tab-${section}`);
      assert.equal(
        await page.evaluate<boolean>('document.scrollingElement.scrollHeight <= window.innerHeight'),
        true,
        `the ${section} section fits 800×540 without the page scrolling`,
      );
      await page.evaluate('document.querySelector(".panels").scrollTop = 1e6');
      const outOfSight = await page.evaluate<string[]>(`['#main-address', '#copy-main'].filter((selector) => {
        const r = document.querySelector(selector).getBoundingClientRect();
        return !(r.width > 0 && r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight && r.left >= 0 && r.right <= window.innerWidth);
      })`);
      assert.deepEqual(outOfSight, [], `the address and its Copy stay in sight in the ${section} section, scrolled to its end`);
      await page.evaluate('document.querySelector(".panels").scrollTop = 0');
    }
    await page.click('#tab-connect');

    // Zoomed to 400% (WCAG 1.4.10, reflow): 320 CSS pixels wide, each section reads in one column, nothing scrolls sideways
    // but the accounts table, in its own box.
    await page.setViewportSize({ width: 320, height: 256 });
    for (const section of ['connect', 'accounts', 'settings', 'activity']) {
      await page.click(`#tab-${section}`);
      const wider = await page.evaluate<string[]>(`[...document.querySelectorAll('body *')]
        .filter((el) => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1 && !el.closest('.table-scroll, [hidden]'))
        .map((el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className ? '.' + el.className : ''))`);
      assert.deepEqual(wider, [], `the ${section} section fits 320 px`);
      assert.equal(
        await page.evaluate<number>('document.scrollingElement.scrollWidth'),
        320,
        `the ${section} section does not scroll sideways`,
      );
      await saveScreenshot(page, `6-zoomed-400-${section}`, { fullPage: true });
    }
    await page.setViewportSize({ width: 800, height: 540 });

    assert.deepEqual(win.pageErrors, [], 'the page logged no errors');
  },
);
