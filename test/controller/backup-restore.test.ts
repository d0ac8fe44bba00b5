import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
// An old backup (backups/, before issue 24) is a snapshot like the others: listed, and restored with
// the window's restore on the files alone (no server running).
import { basename, dirname, join } from 'node:path';
import { listBackups, restoreSnapshotFor } from '../../src-main/controller/backup-restore.js';
import { offlineSnapshots, RESTORED_MARKER, type UserPaths } from '../../src-main/server/index.js';
import { AppError } from '../../src-main/controller/errors.js';
import { openDatabase } from '../../src-main/server/storage/sqlite.js';
import { tempUserPaths } from '../support/temp-user.js';
import { copyRealAnkiFixture } from '../support/real-anki-fixtures.js';

function counts(path: string): { notes: number; scm: number } {
  const db = openDatabase(path, { readonly: true, fileMustExist: true });
  try {
    const notes = (db.prepare('SELECT count(*) AS n FROM notes').get() as { n: number }).n;
    const scm = (db.prepare('SELECT scm FROM col').get() as { scm: number }).scm;
    return { notes, scm };
  } finally {
    db.close();
  }
}

function restoreBackupFile(paths: UserPaths, id: string): Promise<void> {
  return restoreSnapshotFor(offlineSnapshots({ baseFolder: dirname(paths.folder) }, basename(paths.folder)), id);
}

function listed(paths: UserPaths) {
  return listBackups(dirname(paths.folder), basename(paths.folder));
}

function userWithBackup(t: { after(fn: () => void): void }) {
  const paths = tempUserPaths('ahs-backups-');
  t.after(() => paths.remove());
  mkdirSync(paths.backups, { recursive: true });
  const current = copyRealAnkiFixture('v18-empty-stock-notetypes.anki2');
  const older = copyRealAnkiFixture('v18-two-decks-16-notes.anki2');
  t.after(() => {
    rmSync(dirname(current), { recursive: true, force: true });
    rmSync(dirname(older), { recursive: true, force: true });
  });
  copyFileSync(current, paths.collection);
  const backupId = 'collection-20261120-101500-000.anki2';
  copyFileSync(older, join(paths.backups, backupId));
  return { paths, backupId, older };
}

test('restoring an old backup installs it, forces a full sync, and keeps what it replaced', async (t) => {
  const { paths, backupId, older } = userWithBackup(t);
  const before = counts(paths.collection);
  assert.equal(before.notes, 0);
  const backupBytes = readFileSync(join(paths.backups, backupId));

  const now = Date.now();
  await restoreBackupFile(paths, backupId);

  const after = counts(paths.collection);
  assert.equal(after.notes, counts(older).notes);
  assert.ok(after.notes > 0);
  assert.ok(after.scm >= now && after.scm <= Date.now(), 'a new schema time makes every device do a full sync');
  assert.equal(
    readFileSync(join(paths.folder, RESTORED_MARKER), 'utf8').trim(),
    String(after.scm),
    "the restored collection's schema time is kept, so each device is told to choose Download while it stands",
  );
  assert.deepEqual(readFileSync(join(paths.backups, backupId)), backupBytes, 'the backup itself is untouched');
  const list = await listed(paths);
  assert.equal(list.length, 2);
  const saved = list.find((b) => `${b.id}.anki2` !== backupId)!;
  assert.match(saved.id, /-before-restore-n0-/, 'the replaced collection is now a snapshot, with its counts');
});

test('a damaged or unknown backup is refused and the collection stays as it was', async (t) => {
  const { paths } = userWithBackup(t);
  writeFileSync(join(paths.backups, 'collection-20261121-000000-000.anki2'), Buffer.alloc(8192, 7));
  const original = readFileSync(paths.collection);
  await assert.rejects(
    restoreBackupFile(paths, 'collection-20261121-000000-000.anki2'),
    (e: unknown) => e instanceof AppError && e.code === 'bad-backup',
  );
  await assert.rejects(
    restoreBackupFile(paths, '../collection.anki2'),
    (e: unknown) => e instanceof AppError && e.code === 'no-such-backup',
  );
  assert.deepEqual(readFileSync(paths.collection), original);
  assert.equal((await listed(paths)).length, 2, 'nothing added, nothing removed');
});
