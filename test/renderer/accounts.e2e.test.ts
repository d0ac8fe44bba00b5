// The accounts table with a device syncing: figures and last sync appear, a
// backup is restored from the window, a password is changed and an account
// removed, each with the server running throughout.

import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { copyRealAnkiFixture } from '../support/real-anki-fixtures.js';
import { V11Client } from '../support/v11-client.js';
import { createTestApp } from '../app/controller-harness.js';
import { hostKeyLogin } from '../app/host-key-login.js';
import { openAppWindow, saveScreenshot } from './window-harness.js';
import { browserTest } from '../support/chromium.js';

browserTest(
  'the accounts table: figures after a sync, restore a backup, change a password, remove an account',
  { timeout: 90_000 },
  async (t, chromium) => {
    const app = await createTestApp(t);
    await app.controller.addUser('alice', 'pw-alice');
    await app.controller.addUser('bob', 'pw-bob');
    const win = await openAppWindow(t, app, chromium);
    const { page } = win;
    const row = (name: string) => page.locator(`#users tr[data-user="${name}"]`);

    const device = new V11Client(app.base());
    await device.login('alice', 'pw-alice');
    const studied = copyRealAnkiFixture('v18-two-decks-16-notes.anki2');
    const empty = copyRealAnkiFixture('v18-empty-stock-notetypes.anki2');
    t.after(() => [studied, empty].forEach((f) => rmSync(dirname(f), { recursive: true, force: true })));
    assert.equal(await device.fullUpload(studied), 'OK');
    await row('alice').locator('text=16 notes').waitFor();
    assert.match((await row('alice').textContent()) ?? '', /just now\s*from 127\.0\.0\.1/);
    assert.match(
      (await page.locator('#activity').textContent()) ?? '',
      /alice's collection was replaced by a full upload from 127\.0\.0\.1/,
    );

    // A stale device overwrites it; the window offers the previous copy back.
    assert.equal(await device.fullUpload(empty), 'OK');
    await row('alice').locator('text=0 notes').waitFor();
    await row('alice').locator('button[data-action=backups]').click();
    const restore = page.locator('#users tr.editor button[data-backup]').first();
    await restore.waitFor();
    await saveScreenshot(page, '6-backups');
    await restore.click();
    await row('alice').locator('text=16 notes').waitFor();
    assert.equal(await page.locator('#notice').textContent(), "alice's collection was restored.");
    assert.equal(await page.locator('#users tr.editor').count(), 0, 'the editor closes');

    await row('bob').locator('button[data-action=password]').click();
    await page.fill('#users tr.editor input[name=new-password]', 'new-bob');
    await page.click('#users tr.editor button[type=submit]');
    await page.locator('#notice', { hasText: 'Password changed for bob.' }).waitFor();
    assert.equal((await hostKeyLogin(app.base(), 'bob', 'pw-bob')).status, 403);
    assert.equal((await hostKeyLogin(app.base(), 'bob', 'new-bob')).status, 200);

    await row('bob').locator('button[data-action=remove]').click();
    assert.match((await page.locator('#users tr.editor').textContent()) ?? '', /Its collection stays in the storage folder/);
    await page.locator('#users tr.editor button.danger').click();
    await row('bob').waitFor({ state: 'detached' });
    assert.equal((await hostKeyLogin(app.base(), 'bob', 'new-bob')).status, 403);
    assert.equal(app.controller.serverStatus.state, 'running');
    await saveScreenshot(page, '7-after-restore');
    assert.deepEqual(win.pageErrors, []);
  },
);
