// When the disk fills up (issue 31): SYNC_BASE on a small tmpfs that a filler
// file fills on demand. Every write that finds no room is answered 507 and
// changes nothing, the space it took is given back, reads keep working, each
// device is told once in Anki, and everything syncs again once space is freed,
// with no restart. Over v11 and the legacy envelope wherever both exist.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SmallDisk, smallDiskUnavailable } from '../../support/small-disk.js';
import { SyncHarness, USER, HOST_KEY, twoDevicesInStep, contentsOf } from '../../support/normal-sync-harness.js';
import { SYNC_MODES, type SyncMode } from '../../support/sync-mode.js';
import { plainUser } from '../../support/test-server.js';
import { statusOf } from '../../support/v11-transport.js';
import { V11Client, type SyncMeta } from '../../support/v11-client.js';
import { LegacyClient } from '../../support/legacy-client.js';
import { MediaApi, MediaHttpError, type MediaTransport } from '../../support/media-api.js';
import { v11MediaTransport } from '../../support/media-server.js';
import { legacyMediaTransport } from '../../support/legacy-media-transport.js';
import { buildUploadZip } from '../../support/media-zips.js';
import { readDownloadZip } from '../../support/media-zip-reader.js';
import { collectionContent, integrityCheck } from '../../support/collection-rows.js';
import { openDatabase } from '../../../src-main/server/storage/sqlite.js';
import { STAGING_PREFIX } from '../../../src-main/server/media/upload/read-upload-zip.js';
import type { Logger } from '../../../src-main/server/report/log.js';
import type { TestDevice } from '../../support/test-device.js';

const unavailable = smallDiskUnavailable();
if (unavailable !== null) console.log(`﹣ ${unavailable}; the disk-full tests are skipped.`);
const skip = unavailable ?? false;

const BOB = plainUser('bob', 'bob password');
const MIB = 1024 * 1024;
/** A 48 MiB disk that counts as nearly full below 4 MiB. */
const DISK_MIB = 48;
const LOW_SPACE_MEGS = 4;

const MODES: readonly (readonly [string, SyncMode])[] = [
  ['v11', SYNC_MODES.v11],
  ['legacy', SYNC_MODES['legacy-python-9']],
];

interface LoggedLine {
  readonly level: string;
  readonly message: string;
  readonly fields: Readonly<Record<string, unknown>> | undefined;
}

interface Setup {
  readonly disk: SmallDisk;
  readonly harness: SyncHarness;
  readonly log: LoggedLine[];
}

async function setUp(t: TestContext, mode: SyncMode = SYNC_MODES.v11): Promise<Setup> {
  const disk = SmallDisk.mount(DISK_MIB);
  const log: LoggedLine[] = [];
  const keep =
    (level: string) =>
    (message: string, fields?: Readonly<Record<string, unknown>>): void => {
      log.push({ level, message, fields });
      if (process.env.AHS_TEST_LOG) console.log(level, message, JSON.stringify(fields));
    };
  const logger: Logger = { info: keep('info'), warn: keep('warn'), error: keep('error') };
  const harness = await SyncHarness.start(mode, {
    users: [BOB],
    config: { baseFolder: join(disk.root, 'base'), lowSpaceMegs: LOW_SPACE_MEGS },
    logger,
  });
  t.after(async () => {
    disk.release();
    await harness.stop();
    disk.unmount();
  });
  return { disk, harness, log };
}

/** The HTTP status a call ended with (v11, legacy and media errors alike). */
async function statusOfAny(call: Promise<unknown>): Promise<number> {
  try {
    return await statusOf(call);
  } catch (error) {
    if (error instanceof MediaHttpError) return error.status;
    const status = /\b(\d{3})\b/.exec(String((error as Error).message))?.[1];
    if (status !== undefined) return Number(status);
    throw error;
  }
}

/** Waits until the server has finished with the refused request (its spool removed). */
async function settled(disk: SmallDisk, expectAtLeast: number): Promise<number> {
  for (let i = 0; i < 100 && disk.freeBytes() < expectAtLeast; i++) await new Promise((resolve) => setTimeout(resolve, 20));
  return disk.freeBytes();
}

const notesOf = (device: TestDevice): unknown[] => contentsOf(device).notes;

/** Adds notes, then lets expired timers run: the server shares this process, and its keep-alive timers must not fire under a reused socket. */
async function addBulkyNotes(device: TestDevice, count: number, bytes: number): Promise<void> {
  for (let i = 0; i < count; i++) device.addNote({ fields: [`bulky ${i} ${'x'.repeat(bytes)}`, 'back'] });
  await new Promise((resolve) => setTimeout(resolve, 1));
}

function bobV11(harness: SyncHarness): V11Client {
  return new V11Client(harness.url, { hostKey: BOB.hostKey });
}

function bobMedia(harness: SyncHarness, mode: SyncMode): MediaApi {
  const transport: MediaTransport =
    mode.kind === 'v11' ? v11MediaTransport(harness.url, BOB.hostKey) : legacyMediaTransport(harness.url, BOB.hostKey);
  return new MediaApi(transport);
}

const sha1 = (data: Buffer): string => createHash('sha1').update(data).digest('hex');

/** media.db's live rows and the files in media/, which must agree (read with the user's files closed). */
function mediaOnDisk(harness: SyncHarness, user: string): Promise<Record<string, string>> {
  return harness.server.server.withUserFilesClosed(user, async () => readMediaOnDisk(harness, user));
}

function readMediaOnDisk(harness: SyncHarness, user: string): Record<string, string> {
  const paths = harness.server.paths(user);
  const db = openDatabase(paths.mediaDb, { readonly: true, fileMustExist: true });
  let rows: { fname: string; sha1: string }[];
  try {
    rows = db.prepare('SELECT fname, lower(hex(csum)) AS sha1 FROM media WHERE size > 0 ORDER BY fname').all() as never;
  } finally {
    db.close();
  }
  const files = readdirSync(paths.mediaFolder).filter((name) => !name.startsWith(STAGING_PREFIX));
  assert.deepEqual(files.sort(), rows.map((row) => row.fname).sort(), 'media/ holds exactly the live rows of media.db');
  for (const row of rows) assert.equal(sha1(readFileSync(join(paths.mediaFolder, row.fname))), row.sha1);
  return Object.fromEntries(rows.map((row) => [row.fname, row.sha1]));
}

for (const [modeName, mode] of MODES) {
  test(
    `${modeName}: a full upload that does not fit is refused with 507; the collection and the space are as they were`,
    { skip },
    async (t) => {
      const { disk, harness, log } = await setUp(t, mode);
      const first = harness.device();
      assert.equal(await harness.fullUpload(first), 'OK');
      const second = harness.device();
      await addBulkyNotes(second, 300, 2000);

      // Snapshots after the writes above are written before the disk is filled (issue 24).
      await harness.server.server.snapshotsSettled();
      await disk.fill(256 * 1024);
      const before = disk.freeBytes();
      assert.equal(await statusOfAny(harness.fullUpload(second)), 507);
      assert.ok((await settled(disk, before)) >= before, 'the space the refused upload took is given back');
      if (mode.kind === 'legacy') {
        // Its Content-Length said it could not fit: refused before its bytes were kept.
        assert.ok(log.some((line) => JSON.stringify(line.fields ?? {}).includes('no room for an upload')));
      }

      disk.release();
      assert.deepEqual(integrityCheck(harness.serverCollectionPath), ['ok']);
      const check = await harness.fullDownload(harness.device());
      assert.deepEqual(notesOf(check), notesOf(first), 'the collection is the one before the refused upload');
    },
  );

  test(
    `${modeName}: a normal sync that does not fit is refused with 507 and rolled back; with space back, the next sync is a normal one`,
    { skip },
    async (t) => {
      const { disk, harness } = await setUp(t, mode);
      const { a, b } = await twoDevicesInStep(harness);
      const before = notesOf(a);
      await addBulkyNotes(a, 400, 2000);

      // Snapshots after the writes above are written before the disk is filled (issue 24).
      await harness.server.server.snapshotsSettled();
      await disk.fill(0);
      assert.equal(await statusOfAny(harness.sync(a)), 507);

      disk.release();
      assert.deepEqual(harness.serverContents().notes.length, before.length, 'nothing of the refused sync was kept');
      const again = await harness.sync(a);
      assert.equal(again.required.kind, 'normalSync', 'no full sync is forced');
      await harness.sync(b);
      assert.deepEqual(notesOf(b), notesOf(a), 'the other device gets every note');
    },
  );

  test(
    `${modeName}: a media upload that does not fit is refused with 507; media.db and media/ agree, and the space is back`,
    { skip },
    async (t) => {
      const { disk, harness } = await setUp(t, mode);
      const media = bobMedia(harness, mode);
      await media.begin();
      const kept = await media.uploadChanges(await buildUploadZip([['kept.jpg', Buffer.alloc(50_000, 1)]]));
      // Snapshots after the writes above are written before the disk is filled (issue 24).
      await harness.server.server.snapshotsSettled();
      await disk.fill(64 * 1024);
      const before = disk.freeBytes();
      const files = [0, 1, 2, 3].map((i) => [`big-${i}.jpg`, Buffer.alloc(400_000, 10 + i)] as const);
      assert.equal(await statusOfAny(media.uploadChanges(await buildUploadZip(files))), 507);
      assert.ok((await settled(disk, before)) >= before, 'the staged files are gone');

      disk.release();
      assert.deepEqual(await mediaOnDisk(harness, BOB.name), { 'kept.jpg': sha1(Buffer.alloc(50_000, 1)) });
      const changes = await media.mediaChanges(0);
      assert.equal(changes.at(-1)?.[1], kept.currentUsn, 'the usn did not move');
      // With space back, the same upload goes through.
      const after = await media.uploadChanges(await buildUploadZip(files));
      assert.equal(after.processed, files.length);
    },
  );

  test(`${modeName}: reads need no free space: another account's meta, full download and media download`, { skip }, async (t) => {
    const { disk, harness } = await setUp(t, mode);
    // alice syncs, so her collection stays open; bob's upload leaves his closed, so it must open on the full disk.
    const { a } = await twoDevicesInStep(harness);
    const bobDevice = harness.device();
    bobDevice.beforeUpload();
    assert.equal(await bobV11(harness).fullUpload(bobDevice.path), 'OK');
    const photo = Buffer.alloc(30_000, 7);
    const media = bobMedia(harness, mode);
    await media.begin();
    await media.uploadChanges(await buildUploadZip([['photo.jpg', photo]]));

    // Snapshots after the writes above are written before the disk is filled (issue 24).
    await harness.server.server.snapshotsSettled();
    await disk.fill(0);
    const bobMeta = await bobV11(harness).meta();
    assert.equal(bobMeta.empty, false);
    const bobCopy = harness.device();
    bobCopy.close();
    if (mode.kind === 'v11') {
      await bobV11(harness).fullDownload(bobCopy.path);
    } else {
      const legacy = new LegacyClient(harness.url, { hostKey: BOB.hostKey, syncVersion: 9 });
      const bytes = await legacy.fullDownload(bobCopy.path);
      assert.equal(bytes[18], 1, 'schema 11 in DELETE journal mode, made in memory');
    }
    assert.deepEqual(collectionContent(bobCopy.path).notes, collectionContent(bobDevice.path).notes);
    const changes = await media.mediaChanges(0);
    assert.deepEqual(
      changes.map(([fname]) => fname),
      ['photo.jpg'],
    );
    const { members } = await readDownloadZip(await media.downloadFiles(['photo.jpg']));
    assert.deepEqual(
      members.map((member) => [member.fname, sha1(member.data)]),
      [['photo.jpg', sha1(photo)]],
    );
    // alice's collection is open: her download comes from the file as it stands.
    const aliceCopy = await harness.fullDownload(harness.device());
    assert.deepEqual(notesOf(aliceCopy), notesOf(a));
  });
}

test("an account's first contact on a full disk is 507; once space is back it works, with no restart", { skip }, async (t) => {
  const { disk, harness } = await setUp(t);
  const carol = plainUser('carol', 'carol password');
  await harness.server.server.setUsers([plainUser(USER, 'pass'), BOB, carol]);
  // Snapshots after the writes above are written before the disk is filled (issue 24).
  await harness.server.server.snapshotsSettled();
  await disk.fill(0);
  const client = new V11Client(harness.url, { hostKey: carol.hostKey });
  assert.equal(await statusOf(client.meta()), 507);
  assert.equal(await statusOf(new LegacyClient(harness.url, { hostKey: carol.hostKey }).meta()), 507);
  disk.release();
  const meta = await client.meta();
  assert.equal(meta.empty, true);
  assert.ok(existsSync(harness.server.paths('carol').collection));
});

test(
  'recovery without a restart: after refusals, freeing space lets every account sync, and the log says so once each way',
  { skip },
  async (t) => {
    const { disk, harness, log } = await setUp(t);
    const { a } = await twoDevicesInStep(harness);
    await addBulkyNotes(a, 50, 500);
    // Snapshots after the writes above are written before the disk is filled (issue 24).
    await harness.server.server.snapshotsSettled();
    await disk.fill(0);
    for (let i = 0; i < 3; i++) assert.equal(await statusOfAny(harness.sync(a)), 507);
    assert.ok(harness.server.server.storageSpace().failingSince !== null);
    disk.release();
    assert.equal((await harness.sync(a)).required.kind, 'normalSync');
    assert.equal(harness.server.server.storageSpace().failingSince, null);
    const bobDevice = harness.device();
    bobDevice.beforeUpload();
    assert.equal(await bobV11(harness).fullUpload(bobDevice.path), 'OK');
    const said = (text: string): number => log.filter((line) => line.message.includes(text)).length;
    assert.equal(said('writes are refused: the storage disk is full'), 1, 'one line when writes start failing, not one per request');
    assert.equal(said('the storage disk is almost full'), 1);
    assert.equal(said('the storage disk has room again'), 1);
  },
);

test(
  "meta's msg: each device is told once that the disk is nearly full, then once that writes fail; HTML-escaped; cont stays true",
  { skip },
  async (t) => {
    const { disk, harness } = await setUp(t);
    const { a } = await twoDevicesInStep(harness);
    const desktop = harness.client();
    // Another device: the same address here, another client (AnkiDroid's meta names it).
    const phone = {
      meta: () =>
        new V11Client(harness.url, { hostKey: HOST_KEY }).json<SyncMeta>('sync', 'meta', { v: 11, cv: 'anki,2.20.1 (abcdef),android' }),
    };
    const legacy = new LegacyClient(harness.url, { hostKey: HOST_KEY, syncVersion: 10 });
    const msgOf = async (client: { meta(): Promise<SyncMeta> }): Promise<SyncMeta> => client.meta();

    assert.equal((await msgOf(desktop)).msg, '', 'nothing to say while there is room');
    // Snapshots after the writes above are written before the disk is filled (issue 24).
    await harness.server.server.snapshotsSettled();
    await disk.fill((LOW_SPACE_MEGS - 1) * MIB);
    const low = await msgOf(desktop);
    assert.match(low.msg, /almost full: [\d.]+ MB left/);
    assert.match(low.msg, /server&#39;s storage/, 'escaped for the rich-text dialog of Anki 26.05+');
    assert.doesNotMatch(low.msg, /'/);
    assert.equal(low.cont, true);
    assert.equal((await msgOf(desktop)).msg, '', 'told once');
    assert.match((await msgOf(phone)).msg, /almost full/, 'another device is told too');
    assert.match(msgInReply(await legacy.meta()), /almost full/, 'and a legacy client');
    assert.equal(msgInReply(await legacy.meta()), '');

    // Snapshots after the writes above are written before the disk is filled (issue 24).
    await harness.server.server.snapshotsSettled();
    await disk.fill(0);
    await addBulkyNotes(a, 50, 500);
    assert.equal(await statusOfAny(harness.sync(a)), 507);
    const full = await msgOf(desktop);
    assert.match(full.msg, /storage is full, so it could not save your latest changes/);
    assert.equal(full.cont, true);
    assert.equal((await msgOf(desktop)).msg, '');
    assert.match((await msgOf(phone)).msg, /storage is full/);
  },
);

function msgInReply(reply: unknown): string {
  return String((reply as { msg: unknown }).msg);
}

test(
  'snapshots give way first: when the disk is nearly full, old snapshots go (the newest 3 of each account stay), each one logged',
  { skip },
  async (t) => {
    const { disk, harness, log } = await setUp(t);
    const device = harness.device();
    for (let i = 0; i < 4; i++) assert.equal(await harness.fullUpload(device), 'OK');
    const bobDevice = harness.device();
    for (let i = 0; i < 4; i++) {
      bobDevice.beforeUpload();
      assert.equal(await bobV11(harness).fullUpload(bobDevice.path), 'OK');
    }
    await harness.server.server.snapshotsSettled();
    const snapshots = async (user: string): Promise<string[]> =>
      (await harness.server.server.snapshots(user).list()).map((entry) => entry.id);
    const aliceBefore = await snapshots(USER);
    const bobBefore = await snapshots(BOB.name);
    assert.ok(aliceBefore.length > 3 && bobBefore.length > 3, `${aliceBefore.length} and ${bobBefore.length} snapshots`);

    // Snapshots after the writes above are written before the disk is filled (issue 24).
    await harness.server.server.snapshotsSettled();
    await disk.fill(LOW_SPACE_MEGS * MIB - 512 * 1024);
    // Any write makes room first.
    device.addNote({ fields: ['one more', 'back'] });
    assert.equal((await harness.sync(device)).required.kind, 'normalSync');
    await harness.server.server.snapshotsSettled();
    assert.deepEqual(await snapshots(USER), aliceBefore.slice(0, 3), "alice's newest 3 stay");
    assert.deepEqual(await snapshots(BOB.name), bobBefore.slice(0, 3), "and bob's");
    const removed = aliceBefore.length + bobBefore.length - 6;
    assert.equal(log.filter((line) => line.message === 'removed an old snapshot to make room on the storage disk').length, removed);
  },
);
