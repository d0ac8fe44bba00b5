// The owner sees a filling disk in the window (issue 31): the free space beside
// the storage folder, the status turning to a warning, and the alert saying
// what to do; then the disk full and a write refused. Driven by the real
// controller and server on a small tmpfs, photographed and checked with axe in
// light and dark (test/renderer/a11y.ts).
import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { browserTest } from '../support/chromium.js';
import { SmallDisk, smallDiskUnavailable } from '../support/small-disk.js';
import { createTestApp } from '../support/controller-harness.js';
import { openAppWindow } from './window-harness.js';
import { checkState } from './a11y.js';
import { V11Client } from '../support/v11-client.js';
import { statusOf } from '../support/v11-transport.js';
import { REAL_ANKI_FIXTURES } from '../support/real-anki-fixtures.js';
import { makeTempFolder } from '../support/temp-folder.js';

const unavailable = smallDiskUnavailable();

browserTest(
  'a storage disk almost full, then full: free space beside the folder, a warning status and what to do',
  { timeout: 120_000, skip: unavailable ?? false },
  async (t, chromium) => {
    const disk = SmallDisk.mount(48);
    const app = await createTestApp(t, { parent: disk.root });
    disk.removeAfter(t); // after the app's own clean-up: nothing may hold the disk
    await app.controller.addUser('alice', 'pw-alice');
    const win = await openAppWindow(t, app, chromium);
    const { page } = win;

    // A 48 MB disk is below the 256 MB threshold: almost full from the start.
    await page.click('#tab-settings');
    await page.locator('#storage-space', { hasText: 'free of 50 MB' }).waitFor();
    assert.equal(await page.locator('#storage-space').getAttribute('data-state'), 'low');
    assert.equal(await page.locator('#server-state').textContent(), 'Running, storage almost full');
    assert.match(
      (await page.locator('#alerts').textContent()) ?? '',
      /The storage disk is almost full: \d+ MB left\. Syncs will fail once it is full/,
    );
    await checkState(page, 'storage-almost-full');

    // Full, and a device's upload refused: the warning says syncs are being refused.
    await disk.fill(0);
    const client = new V11Client(app.base());
    await client.login('alice', 'pw-alice');
    const device = join(makeTempFolder('ahs-device-'), 'collection.anki2');
    copyFileSync(join(REAL_ANKI_FIXTURES, 'v18-two-decks-16-notes.anki2'), device);
    assert.equal(await statusOf(client.fullUpload(device)), 507);
    await page.locator('#server-state', { hasText: 'Running, storage full' }).waitFor();
    assert.match(
      (await page.locator('#alerts').textContent()) ?? '',
      /The storage disk is full: syncs that would save changes are refused/,
    );
    await checkState(page, 'storage-full');
  },
);
