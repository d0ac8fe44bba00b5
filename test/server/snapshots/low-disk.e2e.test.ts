// Issue 24: when the disk is nearly full, no snapshot is taken, the window (an
// activity event of kind 'snapshot', a warning) and the log say so, and the
// sync succeeds. The same when the disk fills while a snapshot is written: its
// temporary file goes, the older snapshots stay. A tmpfs mounted as root
// (test/support/small-disk.ts); skipped, visibly, elsewhere, and failed under CI=true.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { SmallDisk, smallDiskUnavailable } from '../../support/small-disk.js';
import { SyncHarness, USER } from '../../support/normal-sync-harness.js';
import { inCi } from '../../support/chromium.js';
import type { Logger } from '../../../src-main/server/report/log.js';
import type { TestDevice } from '../../support/test-device.js';

const unavailable = smallDiskUnavailable();
if (unavailable !== null)
  console.log(`${inCi() ? '✖' : '﹣'} ${unavailable}; the low-disk snapshot tests are ${inCi() ? 'failed (CI=true)' : 'skipped'}.`);
const skip = unavailable !== null && !inCi() ? unavailable : false;

const MIB = 1024 * 1024;
const DISK_MIB = 64;
const LOW_SPACE_MEGS = 4;

async function setUp(t: TestContext): Promise<{ disk: SmallDisk; harness: SyncHarness; warnings: string[] }> {
  if (unavailable !== null) assert.fail(unavailable);
  const disk = SmallDisk.mount(DISK_MIB);
  const warnings: string[] = [];
  const logger: Logger = { info: () => undefined, warn: (message) => void warnings.push(message), error: () => undefined };
  const harness = await SyncHarness.start(
    { kind: 'v11' },
    { config: { baseFolder: join(disk.root, 'base'), lowSpaceMegs: LOW_SPACE_MEGS, snapshotMinutes: 0 }, logger },
  );
  t.after(async () => {
    disk.release();
    await harness.stop();
    disk.unmount();
  });
  return { disk, harness, warnings };
}

/** About `megs` MiB of note text that compresses about 2:1 (hex of random bytes). */
function bulkUp(device: TestDevice, megs: number): void {
  const mid = device.firstNotetypeId();
  device.db
    .prepare(
      `INSERT INTO notes WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
       SELECT 1600000000000 + i, 'g' || i, ?, 1700000000, -1, '', hex(randomblob(1200)) || char(31) || 'back', 'front' || i, i, 0, '' FROM n`,
    )
    .run(Math.ceil((megs * MIB) / 2500), mid);
  device.markModified();
}

function snapshotWarnings(harness: SyncHarness): string[] {
  return harness.server.activity.filter((event) => event.kind === 'snapshot' && event.warning === true).map((event) => event.detail ?? '');
}

function temporaryFiles(harness: SyncHarness): string[] {
  return readdirSync(harness.server.paths(USER).snapshots).filter((name) => name.startsWith('.'));
}

test('a nearly full disk: the sync succeeds, no snapshot is taken, and the window and the log say so', { skip }, async (t) => {
  const { disk, harness, warnings } = await setUp(t);
  const device = harness.device();
  assert.equal(await harness.fullUpload(device), 'OK');
  await harness.server.server.snapshotsSettled();
  const before = await harness.server.server.snapshots(USER).list();
  assert.ok(before.length > 0);

  await disk.fill(LOW_SPACE_MEGS * MIB - 512 * 1024);
  device.addNote({ fields: ['on a full disk', 'back'] });
  assert.equal((await harness.sync(device)).required.kind, 'normalSync', 'the sync succeeds');
  await harness.server.server.snapshotsSettled();
  assert.deepEqual(await harness.server.server.snapshots(USER).list(), before, 'no snapshot was taken');
  const [warning] = snapshotWarnings(harness);
  assert.match(warning ?? '', /^No snapshot of user's collection was taken: the storage disk is nearly full\. Syncing goes on/);
  assert.ok(
    warnings.some((line) => line.startsWith('No snapshot of user')),
    'the log says so too',
  );
  assert.deepEqual(temporaryFiles(harness), []);
  assert.equal(harness.serverContents().notes.length, device.db.prepare('SELECT count() FROM notes').pluck().get());
});

test(
  'the disk fills while a snapshot is written: the sync succeeds, the partial snapshot goes, the warning appears',
  { skip },
  async (t) => {
    const { disk, harness } = await setUp(t);
    const device = harness.device();
    bulkUp(device, 20);
    assert.equal(await harness.fullUpload(device), 'OK');
    await harness.server.server.snapshotsSettled();
    const before = await harness.server.server.snapshots(USER).list();
    assert.ok(
      before.some((entry) => entry.kind === 'after-sync' && entry.bytes > 6 * MIB),
      `a snapshot of the big collection, larger than what is left below: ${JSON.stringify(before)}`,
    );

    // Above the threshold, so a snapshot is started, but too little for it.
    await disk.fill(6 * MIB);
    device.addNote({ fields: ['the snapshot after this will not fit', 'back'] });
    assert.equal((await harness.sync(device)).required.kind, 'normalSync', 'the sync succeeds');
    await harness.server.server.snapshotsSettled();
    assert.deepEqual(await harness.server.server.snapshots(USER).list(), before, 'no snapshot added, none lost');
    assert.deepEqual(temporaryFiles(harness), [], 'no partial file');
    assert.match(snapshotWarnings(harness)[0] ?? '', /the storage disk is nearly full/);

    // Space back: the next sync's snapshot is taken.
    disk.release();
    device.addNote({ fields: ['room again', 'back'] });
    await harness.sync(device);
    await harness.server.server.snapshotsSettled();
    assert.equal((await harness.server.server.snapshots(USER).list()).length, before.length + 1);
  },
);
