// The controller's snapshots (issue 24) on the real server: taken now with the
// server running and stopped, a refused restore changes nothing and says why,
// "Download my collection" writes a package, and the app's running server
// answers `anki-home-sync snapshots` on its control socket.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { appWithAlice16Notes } from '../support/controller-harness.js';
import { copyRealAnkiFixture } from '../support/real-anki-fixtures.js';
import type { AppState } from '../../src-main/shared/ipc.js';
import { AppError } from '../../src-main/controller/errors.js';
import { askServer, runningServerSocket } from '../../src-main/control/control-client.js';
import type { SnapshotListing } from '../../src-main/control/snapshot-control.js';
import { readColpkg } from '../support/colpkg-reader.js';
import { notesIn } from '../support/collection-counts.js';

const skipSocket = process.platform === 'win32' ? 'no Unix sockets on Windows' : false;

const alice = async (app: Awaited<ReturnType<typeof appWithAlice16Notes>>['app']) => (await app.controller.state()).users[0]!;

test('a snapshot taken now, running and stopped, is listed with its counts, kind in words and the total space', async (t) => {
  const { app } = await appWithAlice16Notes(t);
  await app.controller.takeSnapshot('alice');
  let listed = (await alice(app)).snapshots.filter((s) => s.kind === 'manual');
  assert.equal(listed.length, 1);
  assert.equal(listed[0]!.notes, 16);
  assert.equal(listed[0]!.kindInWords, 'taken by hand');
  await app.controller.stop();
  await app.controller.takeSnapshot('alice');
  const user = await alice(app);
  listed = user.snapshots.filter((s) => s.kind === 'manual');
  assert.equal(listed.length, 2, 'the stopped app takes one on the files');
  assert.ok(user.snapshotBytes >= listed[0]!.bytes + listed[1]!.bytes);
  assert.deepEqual(
    user.snapshots.map((s) => s.takenAt),
    [...user.snapshots.map((s) => s.takenAt)].sort((a, b) => b - a),
    'newest first',
  );
});

test('restoring a snapshot that is not there is refused in words, and the collection stays', async (t) => {
  const { app } = await appWithAlice16Notes(t);
  await assert.rejects(app.controller.restoreSnapshot('alice', 'no-such-snapshot'), (error: unknown) => {
    assert.ok(error instanceof AppError);
    assert.equal(error.code, 'no-such-snapshot');
    assert.match(error.message, /^[A-Z].*\.$/);
    return true;
  });
  assert.equal((await alice(app)).notes, 16);
  await assert.rejects(app.controller.takeSnapshot('nobody'), AppError);
});

test('Download my collection writes a package of the collection now, and of a snapshot, in either form', async (t) => {
  const { app } = await appWithAlice16Notes(t);
  const now = join(app.folder, 'now.colpkg');
  const written = await app.controller.exportCollection('alice', null, now, false);
  assert.equal(written.file, now);
  assert.equal(written.notes, 16);
  const readNow = await readColpkg(now, app.folder);
  assert.equal(readNow.version, 3, 'the current form');
  assert.equal(notesIn(readNow.collectionFile), 16);
  await app.controller.takeSnapshot('alice');
  const snapshot = (await alice(app)).snapshots.find((s) => s.kind === 'manual')!;
  const old = join(app.folder, 'old.colpkg');
  const legacy = await app.controller.exportCollection('alice', snapshot.id, old, true);
  assert.equal(legacy.notes, 16);
  const readOld = await readColpkg(old, app.folder);
  assert.equal(readOld.version, 1, 'the legacy form, for Anki before 2.1.50');
  assert.equal(notesIn(readOld.collectionFile), 16, "the snapshot's notes");
  await assert.rejects(
    app.controller.exportCollection('alice', 'no-such-snapshot', join(app.folder, 'x.colpkg'), false),
    (error: unknown) => {
      assert.ok(error instanceof AppError);
      assert.equal(error.code, 'no-such-snapshot');
      return true;
    },
  );
});

test("the app's server answers the headless commands on its control socket while it runs", { skip: skipSocket }, async (t) => {
  const { app } = await appWithAlice16Notes(t);
  const socket = await runningServerSocket(app.storage);
  assert.ok(socket, 'the app opened the control socket');
  const listing = (await askServer(socket, { command: 'snapshots-list', user: 'alice' })) as SnapshotListing;
  assert.deepEqual(
    listing.entries.map((e) => e.id),
    (await alice(app)).snapshots.map((s) => s.id),
  );
  await app.controller.stop();
  assert.equal(await runningServerSocket(app.storage), null, 'gone when the server stops');
});

test("the app's second copy: a folder outside the storage folder gets every snapshot; inside it, or missing, is refused in words", async (t) => {
  const { app } = await appWithAlice16Notes(t);
  await assert.rejects(app.controller.setSnapshotFolder(join(app.storage, 'alice')), (error: unknown) => {
    assert.ok(error instanceof AppError);
    assert.equal(error.code, 'snapshot-folder-inside');
    return true;
  });
  await assert.rejects(app.controller.setSnapshotFolder(join(app.folder, 'not-connected')), (error: unknown) => {
    assert.ok(error instanceof AppError);
    assert.equal(error.code, 'snapshot-folder-missing');
    return true;
  });
  assert.equal(app.settings.read().snapshotDir, '', 'nothing changed');
  const nas = join(app.folder, 'nas');
  mkdirSync(nas);
  await app.controller.setSnapshotFolder(nas);
  assert.equal((await app.controller.state()).settings.snapshotDir, nas);
  assert.equal(app.controller.serverStatus.state, 'running', 'the server restarted with it');
  await app.controller.takeSnapshot('alice');
  const manual = (await alice(app)).snapshots.find((s) => s.kind === 'manual')!;
  assert.ok(
    readdirSync(join(nas, 'alice')).some((name) => name.startsWith(manual.id)),
    `the second copy of ${manual.id} is in ${nas}: ${readdirSync(join(nas, 'alice')).join(', ')}`,
  );
  // Stopped, a snapshot taken on the files gets its second copy too.
  const copies = (): string[] => readdirSync(join(nas, 'alice')).sort();
  const before = copies();
  await app.controller.stop();
  await app.controller.takeSnapshot('alice');
  const stoppedTake = (await alice(app)).snapshots.find((s) => s.kind === 'manual' && s.id !== manual.id)!;
  assert.ok(!before.some((name) => name.startsWith(stoppedTake.id)));
  assert.ok(
    copies().some((name) => name.startsWith(stoppedTake.id)),
    `the second copy of ${stoppedTake.id}: ${copies().join(', ')}`,
  );
  await app.controller.clearSnapshotFolder();
  assert.equal(app.settings.read().snapshotDir, '');
});

test('the window is handed the snapshots taken in the background after a sync was answered, with nothing else happening', async (t) => {
  // The CI run that found it: the keyboard e2e opened "Snapshots of alice" and
  // waited 30 s for a list that the window had read while the kept collection
  // was being compressed, and no later change came to read it again.
  const { app, device } = await appWithAlice16Notes(t);
  const states: AppState[] = [];
  const loop = app.controller.view.follow((state) => states.push(state));
  t.after(() => loop.stop());
  await loop.refresh();
  const studied = copyRealAnkiFixture('v18-two-decks-16-notes.anki2');
  t.after(() => rmSync(dirname(studied), { recursive: true, force: true }));
  assert.equal(await device.fullUpload(studied), 'OK', 'the second upload keeps the first');
  // What the disk holds once the background work (the first's snapshot, the second's compression) is done.
  const settled = async (): Promise<string[]> => {
    for (let tries = 0; ; tries++) {
      const listed = (await alice(app)).snapshots;
      const names = readdirSync(join(app.storage, 'alice', 'snapshots'));
      // Both compressed: no raw `.anki2` left, no temporary file.
      if (listed.length === 2 && !names.some((name) => name.endsWith('.anki2') || name.startsWith('.tmp-')))
        return listed.map((s) => `${s.id} ${s.bytes}`);
      assert.ok(tries < 600, `the background work ends: ${names.join(', ')}`);
      await sleep(50);
    }
  };
  const onDisk = await settled();
  const shown = (): string[] => (states.at(-1)?.users[0]?.snapshots ?? []).map((s) => `${s.id} ${s.bytes}`);
  for (let tries = 0; tries < 100 && JSON.stringify(shown()) !== JSON.stringify(onDisk); tries++) await sleep(100);
  assert.deepEqual(shown(), onDisk, 'the last state the window was handed lists the snapshots as they are on disk');
});
