// The owner sees a filling disk first (issue 31): the app's state carries the
// storage disk's free space, turns to a warning with what to do when it is
// low, and to another when writes are refused; a sync on the full disk is not
// failed by the app's own bookkeeping (its settings file is on that disk too).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { SmallDisk, smallDiskUnavailable } from '../support/small-disk.js';
import { createTestApp } from '../support/controller-harness.js';
import { hostKeyLogin } from '../support/host-key-login.js';
import { V11Client } from '../support/v11-client.js';
import { statusOf } from '../support/v11-transport.js';
import { REAL_ANKI_FIXTURES } from '../support/real-anki-fixtures.js';
import { makeTempFolder } from '../support/temp-folder.js';

const unavailable = smallDiskUnavailable();
if (unavailable !== null) console.log(`﹣ ${unavailable}; the disk-full tests are skipped.`);

test(
  'the window and the tray follow the storage disk: free space, "almost full", "full", then room again',
  { skip: unavailable ?? false },
  async (t) => {
    const disk = SmallDisk.mount(48);
    const app = await createTestApp(t, { parent: disk.root });
    disk.removeAfter(t); // after the app's own clean-up: nothing may hold the disk
    await app.controller.addUser('alice', 'correct horse');
    const { key } = await hostKeyLogin(app.base(), 'alice', 'correct horse');
    const client = new V11Client(app.base(), { hostKey: key! });
    const device = join(makeTempFolder('ahs-device-'), 'collection.anki2');
    copyFileSync(join(REAL_ANKI_FIXTURES, 'v18-two-decks-16-notes.anki2'), device);
    assert.equal(await client.fullUpload(device), 'OK');

    const roomy = await app.controller.state();
    assert.equal(roomy.storage?.state, 'low', 'a 48 MB disk is below the default 256 MB threshold');
    assert.ok(roomy.storage.freeBytes > 40 * 1024 * 1024 && roomy.storage.totalBytes === 48 * 1024 * 1024);
    assert.match(roomy.storage.warning!, /^The storage disk is almost full: \d+ MB left\. .*choose a storage folder on a larger disk/);
    assert.ok(roomy.alerts.includes(roomy.storage.warning!), 'the window shows it among its alerts');

    await disk.fill(0);
    // A read on the full disk: its activity (a last sync to remember) cannot be saved, and the download still succeeds.
    await client.fullDownload(join(makeTempFolder('ahs-device-'), 'copy.anki2'));
    assert.equal(await statusOf(client.fullUpload(device)), 507);
    const full = await app.controller.state();
    assert.equal(full.storage?.state, 'full');
    assert.match(full.storage.warning!, /^The storage disk is full: syncs that would save changes are refused/);

    disk.release();
    assert.equal(await client.fullUpload(device), 'OK');
    const after = await app.controller.state();
    assert.equal(after.storage?.state, 'low', 'writes work again; the small disk is still below the threshold');
  },
);
