// The window with the keyboard alone, in the light and the dark theme: in every
// state (first run, each section, stopped, an error, an update, HTTPS) Tab
// reaches every visible, enabled control and each shows a focus ring of 3:1; the
// arrow keys, Home and End move between the sections; each account dialog opens
// with Enter, is walked with Tab, closes with Escape, and gives the focus back to
// the button that opened it.

import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { dirname } from 'node:path';
import type { Page } from 'playwright-core';
import type { Updater } from '../../src-main/controller/updates.js';
import { browserTest } from '../support/chromium.js';
import { copyRealAnkiFixture } from '../support/real-anki-fixtures.js';
import { makeTempFolder } from '../support/temp-folder.js';
import { createTestAuthority } from '../support/test-ca.js';
import { V11Client } from '../support/v11-client.js';
import { createTestApp } from '../support/controller-harness.js';
import { freePort, occupyPort } from '../support/ports.js';
import { assertTabWalk, SCHEMES } from './a11y.js';
import { focusAfterDialogClose, openAppWindow } from './window-harness.js';

const SECTIONS = ['connect', 'accounts', 'settings', 'activity'] as const;

async function focusedId(page: Page): Promise<string> {
  return page.evaluate<string>('document.activeElement.id || document.activeElement.dataset.focus || document.activeElement.tagName');
}

/** The walk in both themes: the focus ring must show against either. */
async function walkBoth(page: Page, what: string): Promise<void> {
  for (const scheme of SCHEMES) {
    await page.emulateMedia({ colorScheme: scheme });
    await assertTabWalk(page, `${what} (${scheme})`);
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

browserTest(
  'the keyboard alone: Tab reaches every control with a focus ring, arrows move between sections, Escape closes each dialog',
  { timeout: 150_000 },
  async (t, chromium) => {
    const folder = makeTempFolder('ahs-window-keys-');
    t.after(() => rmSync(folder, { recursive: true, force: true }));
    const pair = createTestAuthority(folder).issue('laptop', { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
    const picks = [pair.certFile, pair.keyFile];
    const updater: Updater = { checkAndDownload: async () => '0.2.0', installNow: () => undefined };
    const app = await createTestApp(t, { updater });
    const win = await openAppWindow(t, app, chromium, { pickFile: async () => picks.shift() ?? null });
    const { page } = win;

    // First run: one form, made with the keyboard.
    await page.locator('#welcome').waitFor();
    await walkBoth(page, 'first run');
    await page.focus('#first-account-form input[name=name]');
    await page.keyboard.type('alice');
    await page.keyboard.press('Tab');
    await page.keyboard.type('pw-alice');
    await page.keyboard.press('Enter');
    await page.locator('.pill[data-state=running]').waitFor();
    assert.equal(await focusedId(page), 'copy-main', 'the focus lands on Copy, beside the address to give Anki');

    // Each section, reached from the tab list with the arrow keys.
    await page.focus('#tab-connect');
    for (const [i, section] of SECTIONS.entries()) {
      if (i > 0) await page.keyboard.press('ArrowRight');
      assert.equal(await focusedId(page), `tab-${section}`);
      assert.equal(await page.locator(`#tab-${section}`).getAttribute('aria-selected'), 'true');
      assert.ok(await page.locator(`#panel-${section}`).isVisible(), `the ${section} section shows`);
      await walkBoth(page, `the ${section} section`);
      await page.focus(`#tab-${section}`);
    }
    await page.keyboard.press('ArrowRight');
    assert.equal(await focusedId(page), 'tab-connect', 'the arrows go round');
    await page.keyboard.press('End');
    assert.equal(await focusedId(page), 'tab-activity');
    await page.keyboard.press('Home');
    assert.equal(await focusedId(page), 'tab-connect');
    await page.keyboard.press('ArrowLeft');
    assert.equal(await focusedId(page), 'tab-activity');

    // Stopped and started from the keyboard: the toggle keeps the focus throughout.
    await page.focus('#toggle-server');
    await page.keyboard.press('Enter');
    await page.locator('.pill[data-state=stopped]').waitFor();
    assert.equal(await focusedId(page), 'toggle-server');
    await walkBoth(page, 'stopped');
    await page.focus('#toggle-server');
    await page.keyboard.press('Enter');
    await page.locator('.pill[data-state=running]').waitFor();
    assert.equal(await focusedId(page), 'toggle-server');

    // An error, an update ready and HTTPS on, all at once in the Settings section.
    await page.focus('#tab-connect');
    await page.keyboard.press('End');
    await page.keyboard.press('ArrowLeft');
    assert.equal(await focusedId(page), 'tab-settings');
    await app.controller.updates.checkNow();
    await page.locator('#update:not([hidden])').waitFor();
    await page.focus('#choose-tls-cert');
    await page.keyboard.press('Enter');
    await page.locator('#tls-cert', { hasText: 'laptop.pem' }).waitFor();
    await page.focus('#choose-tls-key');
    await page.keyboard.press('Enter');
    await page.locator('#clear-tls:not([hidden])').waitFor({ timeout: 20_000 });
    // Last, as the next command that succeeds clears the message.
    const busy = await freePort();
    const other = await occupyPort(busy);
    t.after(() => new Promise<void>((resolve) => other.close(() => resolve())));
    await page.focus('#port');
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.type(String(busy));
    await page.keyboard.press('Enter');
    await page.locator('#error:not([hidden])').waitFor();
    assert.ok(await page.locator('#update').isVisible());
    assert.ok(await page.locator('#clear-tls').isVisible());
    await walkBoth(page, 'an error, an update and HTTPS');
    assert.ok(await page.locator('#error-close').isVisible());
    await page.focus('#error-close');
    await page.keyboard.press('Enter');
    assert.equal(await page.locator('#error').isHidden(), true);
    assert.equal(await focusedId(page), 'tab-settings', "the focus goes to the section's tab, not to nowhere");

    // Each account dialog: Enter opens it, Tab stays within it, Escape closes it and the focus returns.
    await page.focus('#clear-tls');
    await page.keyboard.press('Enter');
    await page.locator('#main-address', { hasText: /^http:/ }).waitFor();
    // The server restarts on plain HTTP: the device tries until it is back.
    const device = new V11Client(app.base());
    for (let tries = 0; ; tries++) {
      const refused = await device.login('alice', 'pw-alice').then(
        () => null,
        (error: Error) => error.message,
      );
      if (refused === null) break;
      assert.ok(tries < 100, `the server is back on plain HTTP: ${refused}`);
      await sleep(100);
    }
    const collection = copyRealAnkiFixture('v18-two-decks-16-notes.anki2');
    t.after(() => rmSync(dirname(collection), { recursive: true, force: true }));
    assert.equal(await device.fullUpload(collection), 'OK');
    assert.equal(await device.fullUpload(collection), 'OK', 'the second upload keeps the first as a snapshot');
    await page.focus('#tab-settings');
    await page.keyboard.press('ArrowLeft');
    assert.equal(await focusedId(page), 'tab-accounts');
    for (const [kind, name] of [
      ['rename', 'Rename alice'],
      ['password', 'Password of alice'],
      ['snapshots', 'Snapshots of alice'],
      ['remove', 'Remove alice'],
    ] as const) {
      const opener = page.getByRole('button', { name, exact: true });
      await opener.focus();
      await page.keyboard.press('Enter');
      await page.locator('#account-dialog[open]').waitFor();
      if (kind === 'snapshots') await page.locator('#account-dialog li[data-snapshot]').first().waitFor();
      await walkBoth(page, `the ${kind} dialog`);
      await page.keyboard.press('Escape');
      await page.locator('#account-dialog').waitFor({ state: 'hidden' });
      await focusAfterDialogClose(page, `${kind}:alice`);
      assert.equal(await focusedId(page), `${kind}:alice`, `Escape closes the ${kind} dialog and the focus is back on "${name}"`);
    }
    assert.equal(app.settings.read().users.length, 1, 'Escape changed nothing');
    assert.deepEqual(win.pageErrors, []);
  },
);
