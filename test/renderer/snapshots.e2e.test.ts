// The Snapshots dialog on a real controller and server (issue 24): "Take a
// snapshot now" adds one to the list, "Download my collection" and a
// snapshot's "Download" write a collection package where the save dialog says
// (the legacy form when asked), a cancelled save dialog writes nothing, and a
// refusal is said in the dialog. Checked with axe in light and dark.

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { copyRealAnkiFixture } from '../support/real-anki-fixtures.js';
import { V11Client } from '../support/v11-client.js';
import { createTestApp } from '../support/controller-harness.js';
import { openAppWindow } from './window-harness.js';
import { checkState } from './a11y.js';
import { browserTest } from '../support/chromium.js';

/** The names a zip holds in its central directory (stored as plain bytes). */
function holds(file: string, name: string): boolean {
  return readFileSync(file).includes(Buffer.from(name));
}

browserTest(
  'snapshots: take one now, download the collection and a snapshot, legacy for older Anki',
  { timeout: 90_000 },
  async (t, chromium) => {
    const app = await createTestApp(t);
    await app.controller.addUser('alice', 'pw-alice');
    await app.controller.start();
    const device = new V11Client(app.base());
    await device.login('alice', 'pw-alice');
    const studied = copyRealAnkiFixture('v18-two-decks-16-notes.anki2');
    t.after(() => rmSync(dirname(studied), { recursive: true, force: true }));
    assert.equal(await device.fullUpload(studied), 'OK');

    const asked: { title: string; suggested: string }[] = [];
    let answer: string | null = null;
    const win = await openAppWindow(t, app, chromium, {
      pickSaveFile: async (title, suggested) => {
        asked.push({ title, suggested });
        return answer;
      },
    });
    const { page } = win;
    const dialog = page.locator('#account-dialog');
    const status = dialog.locator('p[role=status]');
    await page.click('#tab-accounts');
    await page.getByRole('button', { name: 'Snapshots of alice' }).click();
    await dialog.locator('h2', { hasText: 'Snapshots of alice' }).waitFor();
    const before = await dialog.locator('li[data-snapshot]').count();

    await dialog.getByRole('button', { name: 'Take a snapshot now' }).click();
    await status.filter({ hasText: "Took a snapshot of alice's collection." }).waitFor();
    const manual = dialog.locator('li[data-snapshot]', { hasText: 'taken by hand' });
    await manual.waitFor();
    assert.equal(await dialog.locator('li[data-snapshot]').count(), before + 1);
    assert.match((await manual.textContent()) ?? '', /16 notes/);

    // Cancelled: nothing is written, nothing is said.
    await dialog.getByRole('button', { name: 'Download my collection' }).click();
    for (let tries = 0; asked.length === 0 || (await status.textContent()) !== ''; tries++) {
      assert.ok(tries < 200, `the cancelled download leaves nothing said: ${await status.textContent()}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    assert.equal(asked.length, 1);
    assert.match(asked[0]!.suggested, /^alice \d{4}-\d{2}-\d{2}\.colpkg$/);

    // For Anki before 2.1.50: the legacy layout.
    const legacyFile = join(app.folder, 'alice-legacy.colpkg');
    answer = legacyFile;
    await dialog.getByLabel('For Anki older than 2.1.50').check();
    await dialog.getByRole('button', { name: 'Download my collection' }).click();
    await status.filter({ hasText: /^Saved .*alice-legacy\.colpkg: 16 notes, / }).waitFor();
    assert.match(asked[1]!.title, /older than 2\.1\.50/);
    assert.ok(existsSync(legacyFile));
    assert.ok(holds(legacyFile, 'collection.anki2') && !holds(legacyFile, 'collection.anki21b'), 'the legacy form');
    await checkState(page, 'snapshots-downloaded');

    // A snapshot's own Download, in the current form.
    const snapshotFile = join(app.folder, 'alice-snapshot.colpkg');
    answer = snapshotFile;
    await dialog.getByLabel('For Anki older than 2.1.50').uncheck();
    await manual.getByRole('button', { name: /^Download the snapshot of / }).click();
    await status.filter({ hasText: /^Saved .*alice-snapshot\.colpkg: 16 notes, / }).waitFor();
    assert.ok(holds(snapshotFile, 'collection.anki21b'), 'the current form');

    // A snapshot gone between the list and the restore (pruned, deleted by hand): refused in the dialog, nothing changed.
    const id = (await manual.getAttribute('data-snapshot'))!;
    await manual.getByRole('button', { name: /^Restore the snapshot of / }).click();
    const folder = join(app.storage, 'alice', 'snapshots');
    for (const name of readdirSync(folder)) if (name.startsWith(id)) rmSync(join(folder, name));
    await dialog.locator('button.danger').click();
    await dialog.locator('p[role=alert]', { hasText: /^[A-Z].*\.$/ }).waitFor();
    assert.ok(await dialog.isVisible(), 'the dialog stays open with the reason');
    assert.equal(await status.textContent(), '', 'no "Restoring…" left behind');
    assert.equal((await app.controller.state()).users[0]!.notes, 16, 'the collection is unchanged');
    await checkState(page, 'snapshots-restore-refused');
    assert.deepEqual(win.pageErrors, []);
  },
);

browserTest(
  "a snapshot skipped for a nearly full disk is said with the account's snapshots, and syncing goes on",
  { timeout: 90_000 },
  async (t, chromium) => {
    // Every disk is "nearly full" below a floor larger than any disk.
    const app = await createTestApp(t, { serverConfig: (config) => ({ ...config, lowSpaceMegs: 1 << 30, snapshotMinutes: 0 }) });
    await app.controller.addUser('alice', 'pw-alice');
    const device = new V11Client(app.base());
    await device.login('alice', 'pw-alice');
    const studied = copyRealAnkiFixture('v18-two-decks-16-notes.anki2');
    t.after(() => rmSync(dirname(studied), { recursive: true, force: true }));
    assert.equal(await device.fullUpload(studied), 'OK', 'the sync succeeds');
    const win = await openAppWindow(t, app, chromium);
    const { page } = win;
    await page.click('#tab-accounts');
    const dialog = page.locator('#account-dialog');
    // The warning reaches the account once the server's background snapshot work has given up.
    for (let tries = 0; ; tries++) {
      const alice = (await app.controller.state()).users[0]!;
      if (alice.snapshotWarning !== null) {
        assert.match(alice.snapshotWarning, /No snapshot of alice's collection was taken: the storage disk is nearly full\./);
        break;
      }
      assert.ok(tries < 200, 'the skipped snapshot is reported');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await page.getByRole('button', { name: 'Snapshots of alice' }).click();
    await dialog.locator('p.warning', { hasText: 'the storage disk is nearly full' }).waitFor();
    await checkState(page, 'snapshots-skipped');
    assert.deepEqual(win.pageErrors, []);
  },
);

browserTest(
  'Settings: the second copy of snapshots is chosen with the folder dialog, and turned off again',
  { timeout: 90_000 },
  async (t, chromium) => {
    const app = await createTestApp(t);
    await app.controller.addUser('alice', 'pw-alice');
    const nas = join(app.folder, 'nas');
    mkdirSync(nas);
    const win = await openAppWindow(t, app, chromium, { pickFolder: async () => nas });
    const { page } = win;
    await page.click('#tab-settings');
    assert.equal(await page.locator('#snapshot-dir').textContent(), 'None');
    assert.equal(await page.locator('#clear-snapshot-dir').isVisible(), false);
    await page.getByRole('button', { name: /^Choose folder…/ }).click();
    await page.locator('#snapshot-dir', { hasText: nas }).waitFor();
    assert.equal(app.settings.read().snapshotDir, nas);
    await checkState(page, 'snapshot-dir-chosen');
    await page.getByRole('button', { name: 'No second copy' }).click();
    await page.locator('#snapshot-dir', { hasText: 'None' }).waitFor();
    assert.equal(await page.evaluate('document.activeElement.id'), 'choose-snapshot-dir', 'the focus stays in the setting');
    assert.equal(app.settings.read().snapshotDir, '');
    assert.deepEqual(win.pageErrors, []);
  },
);
