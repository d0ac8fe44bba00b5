// Issue 24, restore: a normal sync that deletes every note (and a media sync that
// deletes every file) reaches a second device; restoring the snapshot from
// before, then a full download on both devices, gives back exactly the notes,
// cards, revlog and media of before, and each device is told in Anki to choose
// Download. The restore is undone by restoring the snapshot it made. A damaged
// snapshot is refused and nothing changes. Real server, real clients, real files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SyncHarness, twoDevicesInStep, HOST_KEY, USER } from '../../support/normal-sync-harness.js';
import { createMediaDevice, v11MediaTransport, type MediaDevice } from '../../support/media-server.js';
import { collectionContents, type TestDevice } from '../../support/test-device.js';
import { MediaApi } from '../../support/media-api.js';
import { SnapshotError, type SnapshotEntry } from '../../../src-main/server/storage/snapshots/snapshot-types.js';
import { RESTORED_MARKER } from '../../../src-main/server/reach/learner-events.js';

const CAT = Buffer.from('a cat, in pixels '.repeat(200));
const DOG = Buffer.from('a dog, in sound '.repeat(300));

interface Studied {
  notes: unknown[];
  cards: unknown[];
  revlog: unknown[];
}

function studied(device: TestDevice): Studied {
  const { notes, cards, revlog } = collectionContents(device.db);
  return { notes, cards, revlog };
}

function serverStudied(harness: SyncHarness): Studied {
  const { notes, cards, revlog } = harness.serverContents();
  return { notes, cards, revlog };
}

function sha1(path: string): string {
  return createHash('sha1').update(readFileSync(path)).digest('hex');
}

/** The server's live media, name → sha1, as its mediaChanges tell a device that starts from nothing. */
async function serverMedia(harness: SyncHarness): Promise<Record<string, string>> {
  const api = new MediaApi(v11MediaTransport(harness.url, HOST_KEY));
  const live: Record<string, string> = {};
  for (let usn = 0; ;) {
    const changes = await api.mediaChanges(usn);
    if (changes.length === 0) return live;
    for (const [fname, changedAt, sha1] of changes) {
      if (sha1 === '') delete live[fname];
      else live[fname] = sha1;
      usn = changedAt;
    }
  }
}

/** Two devices in step, with a review each way, and two media files on both. */
async function studiedAccount(t: { after(fn: () => Promise<void> | void): void }) {
  const harness = await SyncHarness.start({ kind: 'v11' }, { config: { snapshotMinutes: 0 } });
  t.after(() => harness.stop());
  let { a, b } = await twoDevicesInStep(harness);
  const card = a.db.prepare('SELECT id FROM cards ORDER BY id LIMIT 1').pluck().get() as number;
  a.reviewCard(card);
  await harness.sync(a);
  await harness.sync(b);
  const mediaA = createMediaDevice(v11MediaTransport(harness.url, HOST_KEY), 'ahs-snap-media-a-');
  const mediaB = createMediaDevice(v11MediaTransport(harness.url, HOST_KEY), 'ahs-snap-media-b-');
  t.after(() => {
    mediaA.remove();
    mediaB.remove();
  });
  mediaA.addFile('cat.jpg', CAT);
  mediaA.addFile('dog.mp3', DOG);
  await mediaA.sync();
  await mediaB.sync();
  await harness.server.server.snapshotsSettled();
  return { harness, a, b, mediaA, mediaB, swap: (devices: { a: TestDevice; b: TestDevice }) => ({ a, b } = devices) };
}

/** Device A deletes every note and every media file; both reach the server and device B. */
async function deleteEverything(
  harness: SyncHarness,
  a: TestDevice,
  b: TestDevice,
  mediaA: MediaDevice,
  mediaB: MediaDevice,
): Promise<void> {
  for (const id of a.db.prepare('SELECT id FROM notes').pluck().all() as number[]) a.deleteNote(id);
  await harness.sync(a);
  await harness.sync(b);
  assert.equal(studied(b).notes.length, 0, 'the deletion reached the second device');
  for (const name of mediaA.fileNames()) mediaA.removeFile(name);
  await mediaA.sync();
  await mediaB.sync();
  assert.deepEqual(mediaB.fileNames(), [], 'the media deletion reached the second device too');
  await harness.server.server.snapshotsSettled();
}

function newestWithNotes(entries: readonly SnapshotEntry[], notes: number): SnapshotEntry {
  const found = entries.find((entry) => entry.notes === notes && entry.kind === 'after-sync');
  assert.ok(found, `a snapshot with ${notes} notes among ${entries.map((entry) => entry.id).join(', ')}`);
  return found;
}

test('a sync that deleted everything is undone: restore, then a full download on both devices gives back the notes, cards, revlog and media of before', async (t) => {
  const { harness, a, b, mediaA, mediaB } = await studiedAccount(t);
  const before = serverStudied(harness);
  assert.ok(before.notes.length > 0 && before.cards.length > 0 && before.revlog.length > 0, 'something to lose');
  assert.deepEqual(studied(b), before);
  const mediaBefore = await serverMedia(harness);
  assert.equal(Object.keys(mediaBefore).length, 2);

  await deleteEverything(harness, a, b, mediaA, mediaB);
  assert.equal(serverStudied(harness).notes.length, 0);

  const snapshots = harness.server.server.snapshots(USER);
  const list = await snapshots.list();
  assert.ok(
    list.every((entry, i) => i === 0 || list[i - 1]!.takenAt >= entry.takenAt),
    'newest first',
  );
  const wanted = newestWithNotes(list, before.notes.length);
  assert.equal(wanted.cards, before.cards.length);
  assert.equal(wanted.revlog, before.revlog.length);
  const metaBefore = await harness.client().meta();

  const kept = await snapshots.restore(wanted.id);
  assert.equal(kept.kind, 'before-restore');
  assert.equal(kept.notes, 0, 'what the restore replaced is kept, with its counts');

  // Devices must choose a full sync, and are told to choose Download.
  const told = await harness.client().meta();
  assert.notEqual(told.scm, metaBefore.scm, 'a new schema time: every device must sync in full');
  assert.match(told.msg, /choose Download/);
  assert.equal(readFileSync(join(harness.server.paths(USER).folder, RESTORED_MARKER), 'utf8').trim(), String(told.scm));

  const a2 = await harness.fullDownload(a);
  const b2 = await harness.fullDownload(b);
  assert.deepEqual(studied(a2), before, 'device A has exactly the notes, cards and revlog of before');
  assert.deepEqual(studied(b2), before, 'device B too');
  assert.equal(a2.integrityCheck(), 'ok');

  // Media: the next media sync of each device brings the files back, byte for byte.
  assert.deepEqual(await serverMedia(harness), mediaBefore);
  await mediaA.sync();
  await mediaB.sync();
  for (const device of [mediaA, mediaB]) {
    assert.deepEqual(device.fileNames(), ['cat.jpg', 'dog.mp3']);
    assert.deepEqual(device.readFile('cat.jpg'), CAT);
    assert.deepEqual(device.readFile('dog.mp3'), DOG);
  }
  const paths = harness.server.paths(USER);
  assert.equal(sha1(join(paths.mediaFolder, 'cat.jpg')), mediaBefore['cat.jpg']);
});

test('a restore is undone by restoring the before-restore snapshot it made', async (t) => {
  const { harness, a, b, mediaA, mediaB } = await studiedAccount(t);
  const before = serverStudied(harness);
  await deleteEverything(harness, a, b, mediaA, mediaB);
  const emptied = serverStudied(harness);
  const snapshots = harness.server.server.snapshots(USER);
  const kept = await snapshots.restore(newestWithNotes(await snapshots.list(), before.notes.length).id);
  assert.deepEqual(serverStudied(harness), before);
  await harness.server.server.snapshotsSettled();

  const keptAgain = await snapshots.restore(kept.id);
  assert.equal(keptAgain.kind, 'before-restore');
  assert.equal(keptAgain.notes, before.notes.length, 'the undo keeps the restored collection in turn');
  assert.deepEqual(serverStudied(harness), emptied, 'back to the collection the first restore replaced');
  assert.deepEqual(await serverMedia(harness), {}, 'and to its media');
  const a2 = await harness.fullDownload(a);
  assert.deepEqual(studied(a2), emptied);
  await mediaB.sync();
  assert.deepEqual(mediaB.fileNames(), []);
});

test('a damaged snapshot is refused with a sentence for the learner, and nothing changes', async (t) => {
  const { harness } = await studiedAccount(t);
  const paths = harness.server.paths(USER);
  const snapshots = harness.server.server.snapshots(USER);
  const target = (await snapshots.list())[0]!;
  const file = join(paths.snapshots, `${target.id}.anki2.zst`);
  const bytes = readFileSync(file);
  // Flip bytes in the middle of the compressed data: zstd's checksum, or SQLite's check, finds it.
  for (let i = Math.floor(bytes.length / 2); i < Math.floor(bytes.length / 2) + 64; i++) bytes[i] = bytes[i]! ^ 0x5a;
  writeFileSync(file, bytes);

  const collectionBefore = sha1(paths.collection);
  const mediaDbBefore = await serverMedia(harness);
  const listBefore = (await snapshots.list()).map((entry) => entry.id);
  await assert.rejects(snapshots.restore(target.id), (error: unknown) => {
    assert.ok(error instanceof SnapshotError);
    assert.equal(error.reason, 'damaged');
    assert.match(error.message, /is damaged and was not restored\. Your collection is unchanged/);
    return true;
  });
  await assert.rejects(
    snapshots.restore('../collection'),
    (error: unknown) => error instanceof SnapshotError && error.reason === 'no-such-snapshot',
  );
  await harness.server.server.snapshotsSettled();
  assert.equal(sha1(paths.collection), collectionBefore, 'the collection is untouched');
  assert.deepEqual(await serverMedia(harness), mediaDbBefore);
  assert.deepEqual(
    (await snapshots.list()).map((entry) => entry.id),
    listBefore,
    'no snapshot added or removed',
  );
  assert.ok(!existsSync(join(paths.folder, RESTORED_MARKER)), 'no device is told of a restore');
  assert.deepEqual(
    readdirSync(paths.folder).filter((name) => name.startsWith('restore-')),
    [],
    'the unpacked copy is gone',
  );
  assert.equal((await harness.client().meta()).msg, '');
});
