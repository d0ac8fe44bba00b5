// Issue 24: a crash (kill -9) while a snapshot is being written leaves the
// account and the older snapshots intact, and no partial file: the snapshot
// is written under a temporary name (removed at the next start) and only a
// whole, fsynced file is renamed to a snapshot's name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startServerProcess } from '../../support/server-process.js';
import { plainUser } from '../../support/test-server.js';
import { V11Client } from '../../support/v11-client.js';
import { copyRealAnkiFixture } from '../../support/real-anki-fixtures.js';
import { makeTempFolder } from '../../support/temp-folder.js';
import { TestDevice } from '../../support/test-device.js';
import { userPaths } from '../../../src-main/server/storage/user-paths.js';
import { openDatabase } from '../../../src-main/server/storage/sqlite.js';
import { offlineSnapshots } from '../../../src-main/server/storage/snapshots/offline-snapshots.js';

const USER = plainUser('user', 'pass');

function sha1(path: string): string {
  return createHash('sha1').update(readFileSync(path)).digest('hex');
}

/** A collection of `notes` notes with large fields that compress slowly enough to be caught mid-snapshot. */
function bigCollection(notes: number): string {
  const path = copyRealAnkiFixture('v18-two-decks-16-notes.anki2');
  const db = openDatabase(path);
  const mid = db.prepare('SELECT id FROM notetypes ORDER BY id LIMIT 1').pluck().get() as number;
  db.prepare(
    `INSERT INTO notes WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
     SELECT 1600000000000 + i, 'g' || i, ?, 1700000000, 0, '', hex(randomblob(1200)) || char(31) || 'back', 'front' || i, i, 0, '' FROM n`,
  ).run(notes, mid);
  db.close();
  const device = new TestDevice(path);
  device.beforeUpload();
  device.close();
  return path;
}

function names(folder: string): string[] {
  return existsSync(folder) ? readdirSync(folder) : [];
}

/** Each file's sha1; a temporary file renamed or removed between the listing and the read is left out. */
function snapshotFiles(folder: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const name of names(folder)) {
    try {
      files[name] = sha1(join(folder, name));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return files;
}

async function until(condition: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

const temporary = (name: string): boolean => name.startsWith('.');

test('kill -9 during a snapshot: the account and the older snapshots are intact, and no partial file is left', async (t) => {
  const base = makeTempFolder('ahs-snap-crash-');
  t.after(() => rmSync(base, { recursive: true, force: true }));
  const paths = userPaths(base, 'user');
  const config = { snapshotMinutes: 0 };
  let server = await startServerProcess({ users: [USER], baseFolder: base, config });
  t.after(() => server.kill());

  // A first upload and its snapshot, complete.
  let client = new V11Client(server.baseUrl);
  await client.login('user', 'pass');
  const small = copyRealAnkiFixture('v18-two-decks-16-notes.anki2');
  assert.equal(await client.fullUpload(small), 'OK');
  await until(() => names(paths.snapshots).some((name) => name.endsWith('.anki2.zst')), 'the first snapshot');
  await until(() => !names(paths.snapshots).some(temporary), 'the first snapshot to finish');
  const older = snapshotFiles(paths.snapshots);

  // A large upload; its snapshot is cut off while its temporary file is being written.
  const big = bigCollection(20_000);
  assert.equal(await client.fullUpload(big), 'OK');
  const liveAfterUpload = sha1(paths.collection);
  await until(
    () => readdirSync(paths.snapshots).some((name) => temporary(name) && name.includes('after-sync')),
    'a snapshot being written',
  );
  await server.kill();

  for (const [name, hash] of Object.entries(older)) assert.equal(sha1(join(paths.snapshots, name)), hash, `${name} is untouched`);
  assert.equal(sha1(paths.collection), liveAfterUpload, 'the live collection is the upload, untouched');
  const db = openDatabase(paths.collection, { readonly: true, fileMustExist: true });
  assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
  assert.equal(db.prepare('SELECT count() FROM notes').pluck().get(), 20_016);
  db.close();

  // The next start removes what the crash left; every snapshot listed is whole.
  server = await startServerProcess({ users: [USER], baseFolder: base, config });
  assert.deepEqual(readdirSync(paths.snapshots).filter(temporary), [], 'no temporary file after the restart');
  client = new V11Client(server.baseUrl);
  await client.login('user', 'pass');
  assert.equal((await client.meta()).empty, false, 'the account syncs on');
  await server.stop();
  const snapshots = offlineSnapshots({ baseFolder: base }, 'user');
  const listed = await snapshots.list();
  assert.ok(listed.length >= Object.keys(older).filter((name) => name.endsWith('.anki2.zst')).length);
  for (const entry of listed) {
    const target = join(makeTempFolder('ahs-snap-extract-'), 'collection.anki2');
    await snapshots.extractCollection(entry.id, target);
    const extracted = openDatabase(target, { readonly: true, fileMustExist: true });
    assert.equal(extracted.pragma('integrity_check', { simple: true }), 'ok', `${entry.id} is whole`);
    assert.equal(extracted.prepare('SELECT count() FROM notes').pluck().get(), entry.notes);
    extracted.close();
  }
});
