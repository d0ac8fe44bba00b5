// Issue 24: with SYNC_SNAPSHOT_DIR every snapshot is also written to another
// folder (another disk, a NAS share), below it in a folder per account. A
// missing or full second folder is a warning, never a failed sync.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SyncHarness, USER } from '../../support/normal-sync-harness.js';
import { makeTempFolder } from '../../support/temp-folder.js';
import { SmallDisk, smallDiskUnavailable } from '../../support/small-disk.js';
import { inCi } from '../../support/chromium.js';

function sha1(path: string): string {
  return createHash('sha1').update(readFileSync(path)).digest('hex');
}

async function serverWithSecondFolder(t: TestContext, snapshotDir: string): Promise<SyncHarness> {
  const harness = await SyncHarness.start({ kind: 'v11' }, { config: { snapshotMinutes: 0, snapshotDir } });
  t.after(() => harness.stop());
  return harness;
}

/** An upload and a normal sync that changes the account: two snapshot times, and the replaced collection. */
async function syncSomething(harness: SyncHarness): Promise<void> {
  const device = harness.device();
  assert.equal(await harness.fullUpload(device), 'OK');
  device.addNote({ fields: ['second copy', 'back'] });
  assert.equal((await harness.sync(device)).required.kind, 'normalSync', 'the sync succeeds');
  await harness.server.server.snapshotsSettled();
}

function snapshotWarnings(harness: SyncHarness): string[] {
  return harness.server.activity.filter((event) => event.kind === 'snapshot' && event.warning === true).map((event) => event.detail ?? '');
}

test('every snapshot is copied, byte for byte, to the second folder', async (t) => {
  const second = makeTempFolder('ahs-second-copy-');
  t.after(() => rmSync(second, { recursive: true, force: true }));
  const harness = await serverWithSecondFolder(t, second);
  await syncSomething(harness);

  const local = harness.server.paths(USER).snapshots;
  const kept = readdirSync(local).sort();
  assert.ok(kept.filter((name) => name.endsWith('.anki2.zst')).length >= 2, kept.join(', '));
  const copied = join(second, USER);
  assert.deepEqual(readdirSync(copied).sort(), kept, 'the same files');
  for (const name of kept) {
    assert.equal(sha1(join(copied, name)), sha1(join(local, name)), `${name} is the same`);
    assert.equal(statSync(join(copied, name)).mode & 0o077, 0, `${name} is private`);
  }
  assert.deepEqual(snapshotWarnings(harness), []);
});

test('a missing second folder: the sync succeeds, the snapshot is kept here, and the window is warned', async (t) => {
  const parent = makeTempFolder('ahs-second-missing-');
  t.after(() => rmSync(parent, { recursive: true, force: true }));
  const missing = join(parent, 'nas-share-not-mounted');
  const harness = await serverWithSecondFolder(t, missing);
  await syncSomething(harness);

  assert.ok((await harness.server.server.snapshots(USER).list()).length >= 2, 'snapshots are kept here');
  assert.ok(!existsSync(missing), 'the missing folder is not created (an unmounted share must not fill the disk below it)');
  const [warning] = snapshotWarnings(harness);
  assert.match(
    warning ?? '',
    /^The second copy of user's snapshot was not written: the folder .*nas-share-not-mounted \(SYNC_SNAPSHOT_DIR\) is missing/,
  );
});

const unavailable = smallDiskUnavailable();
test(
  'a full second folder: the sync succeeds, no partial copy is left there, and the window is warned',
  { skip: unavailable !== null && !inCi() ? unavailable : false },
  async (t) => {
    if (unavailable !== null) assert.fail(unavailable);
    const disk = SmallDisk.mount(8);
    const harness = await serverWithSecondFolder(t, disk.root);
    t.after(() => {
      disk.release();
      disk.unmount();
    });
    await disk.fill(0);
    await syncSomething(harness);
    assert.ok((await harness.server.server.snapshots(USER).list()).length >= 2, 'snapshots are kept here');
    assert.match(snapshotWarnings(harness)[0] ?? '', /\(SYNC_SNAPSHOT_DIR\) is full\.$/);
    assert.deepEqual(
      readdirSync(join(disk.root, USER)).filter((name) => name.startsWith('.')),
      [],
      'no temporary file left in the second folder',
    );
  },
);
