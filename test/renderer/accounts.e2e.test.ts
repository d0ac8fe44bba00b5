// The accounts table with a device syncing: figures and last sync appear, a
// snapshot is restored from the window (after its confirmation), a password is changed and an account
// removed, each with the server running throughout. Each dialog is checked with
// axe in light and dark, and photographed.

import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { copyRealAnkiFixture } from '../support/real-anki-fixtures.js';
import { V11Client } from '../support/v11-client.js';
import { createTestApp } from '../support/controller-harness.js';
import { hostKeyLogin } from '../support/host-key-login.js';
import { focusAfterDialogClose, openAppWindow } from './window-harness.js';
import { checkState } from './a11y.js';
import { browserTest } from '../support/chromium.js';

browserTest(
  'the accounts table: figures after a sync, restore a snapshot, change a password, remove an account',
  { timeout: 90_000 },
  async (t, chromium) => {
    const app = await createTestApp(t);
    await app.controller.addUser('alice', 'pw-alice');
    await app.controller.addUser('bob', 'pw-bob');
    const win = await openAppWindow(t, app, chromium);
    const { page } = win;
    const row = (name: string) => page.locator(`#users tr[data-user="${name}"]`);
    const dialog = page.locator('#account-dialog');
    await page.click('#tab-accounts');

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
    await page.getByRole('button', { name: 'Snapshots of alice' }).click();
    const kept = dialog.locator('li[data-snapshot]', { hasText: 'before a full upload' }).first();
    await kept.waitFor();
    assert.match((await dialog.locator('h2').textContent()) ?? '', /^Snapshots of alice$/);
    assert.match((await kept.textContent()) ?? '', /16 notes, \d+ cards, \d+ reviews · [\d.]+ (B|KB|MB)/);
    assert.match((await dialog.locator('#snapshots-hint').textContent()) ?? '', /taking [\d.]+ (B|KB|MB) in all/);
    await checkState(page, '7-dialog-snapshots');
    await kept.getByRole('button', { name: /^Restore the snapshot of / }).click();
    // Nothing happens before the learner says yes, and the sentence says what will.
    assert.match((await dialog.locator('h2').textContent()) ?? '', /^Restore alice's collection to .+\?$/);
    const confirm = (await dialog.textContent()) ?? '';
    assert.match(confirm, /choose Download on each/);
    assert.match(confirm, /kept as a snapshot first, so you can undo this/);
    assert.equal(await page.evaluate('document.activeElement.textContent'), 'Cancel', 'the safe answer has the focus');
    await checkState(page, '7-dialog-restore-confirm');
    await dialog.locator('button.danger').click();
    await row('alice').locator('text=16 notes').waitFor();
    assert.equal(
      await page.locator('#notice').textContent(),
      "alice's collection was restored. On each device, choose Download at the next sync.",
    );
    await dialog.waitFor({ state: 'hidden' });
    assert.equal(await focusAfterDialogClose(page, 'snapshots:alice'), 'snapshots:alice', 'the focus goes back to the opener');
    // The empty collection the restore replaced is listed: the restore can be undone.
    await page.getByRole('button', { name: 'Snapshots of alice' }).click();
    await dialog.locator('li[data-snapshot]', { hasText: 'before a restore' }).waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });

    await page.getByRole('button', { name: 'Password of bob' }).click();
    await checkState(page, '7-dialog-password');
    await page.fill('#account-dialog input[name=new-password]', 'new-bob');
    await page.click('#account-dialog button[type=submit]');
    await page.locator('#notice', { hasText: 'Password changed for bob.' }).waitFor();
    assert.equal((await hostKeyLogin(app.base(), 'bob', 'pw-bob')).status, 403);
    assert.equal((await hostKeyLogin(app.base(), 'bob', 'new-bob')).status, 200);

    await page.getByRole('button', { name: 'Remove bob' }).click();
    assert.match((await dialog.textContent()) ?? '', /Its collection stays in the storage folder/);
    await checkState(page, '7-dialog-remove');
    await dialog.locator('button.danger').click();
    await row('bob').waitFor({ state: 'detached' });
    await dialog.waitFor({ state: 'hidden' });
    assert.equal(
      await focusAfterDialogClose(page, 'accounts-title', 'id'),
      'accounts-title',
      "the focus goes to the section's heading, bob's row gone",
    );
    assert.equal((await hostKeyLogin(app.base(), 'bob', 'new-bob')).status, 403);
    assert.equal(app.controller.serverStatus.state, 'running');
    await checkState(page, '8-after-restore');
    assert.deepEqual(win.pageErrors, []);
  },
);
