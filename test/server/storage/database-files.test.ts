// Installing one SQLite database over another (storage/database-files.ts), on real
// files: the old one is handed to keepOld before it goes, and none of its side
// files (a crash's leftovers) survive to meet the new one.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { installDatabaseFile, isSideFile } from '../../../src-main/server/storage/database-files.js';
import { openDatabase } from '../../../src-main/server/storage/sqlite.js';
import { makeTempFolder } from '../../support/temp-folder.js';

function databaseWith(path: string, value: string, wal: boolean): void {
  const db = openDatabase(path);
  if (wal) db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE t (v TEXT)');
  db.prepare('INSERT INTO t VALUES (?)').run(value);
  // Left in the WAL, as a crash would leave it.
  if (wal) db.pragma('wal_autocheckpoint = 0');
  db.prepare('INSERT INTO t VALUES (?)').run(`${value}-2`);
  db.close();
}

function rows(path: string): string[] {
  const db = openDatabase(path, { fileMustExist: true });
  try {
    return db
      .prepare<[], { v: string }>('SELECT v FROM t ORDER BY rowid')
      .all()
      .map((r) => r.v);
  } finally {
    db.close();
  }
}

test('the new database replaces the old; the old is kept whole first, and its side files are gone', async (t) => {
  const folder = makeTempFolder('ahs-install-');
  t.after(() => rmSync(folder, { recursive: true, force: true }));
  const target = join(folder, 'collection.anki2');
  const staged = join(folder, 'upload.anki2');
  databaseWith(target, 'old', true);
  databaseWith(staged, 'new', false);
  // Left behind by something that died holding the old database.
  writeFileSync(`${target}-wal`, Buffer.alloc(4096, 7));
  writeFileSync(`${target}-shm`, Buffer.alloc(32768, 1));
  writeFileSync(`${target}-journal`, Buffer.alloc(512, 3));
  const kept = join(folder, 'kept.anki2');

  await installDatabaseFile(staged, target, async (old) => {
    copyFileSync(old, kept);
  });

  assert.deepEqual(rows(target), ['new', 'new-2']);
  assert.equal(existsSync(staged), false);
  assert.deepEqual(rows(kept), ['old', 'old-2'], 'the old database, as it was');
  assert.deepEqual(
    readdirSync(folder).filter((name) => name.startsWith('collection.anki2') && isSideFile(name)),
    [],
    'no side file of the old database is left beside the new one',
  );
});

test('changes still in the WAL of an old database that another program holds open are in what is kept', async (t) => {
  const folder = makeTempFolder('ahs-install-');
  t.after(() => rmSync(folder, { recursive: true, force: true }));
  const target = join(folder, 'collection.anki2');
  const staged = join(folder, 'upload.anki2');
  databaseWith(staged, 'new', false);
  const writer = openDatabase(target);
  writer.pragma('journal_mode = WAL');
  writer.pragma('wal_autocheckpoint = 0');
  writer.exec('CREATE TABLE t (v TEXT)');
  writer.prepare('INSERT INTO t VALUES (?)').run('old');
  // Another program (a database browser, a backup tool) reading a snapshot from before the last change:
  // a checkpoint cannot copy that change into the file while the snapshot is open.
  const reader = openDatabase(target, { readonly: true });
  t.after(() => reader.close());
  reader.exec('BEGIN');
  assert.equal(reader.prepare<[], { n: number }>('SELECT count(*) AS n FROM t').get()!.n, 1);
  writer.prepare('INSERT INTO t VALUES (?)').run('old-2');
  writer.close();
  const kept = join(folder, 'kept.anki2');

  await installDatabaseFile(staged, target, async (old) => {
    copyFileSync(old, kept);
  });

  assert.deepEqual(rows(kept), ['old', 'old-2'], 'the file handed to keepOld holds the change that was only in the WAL');
  assert.deepEqual(rows(target), ['new', 'new-2']);
  assert.deepEqual(
    readdirSync(folder).filter((name) => !['collection.anki2', 'kept.anki2'].includes(name)),
    [],
    'neither the copy made whole nor any side file is left',
  );
});

test('with nothing to replace, the file is simply put in place and nothing is kept', async (t) => {
  const folder = makeTempFolder('ahs-install-');
  t.after(() => rmSync(folder, { recursive: true, force: true }));
  const target = join(folder, 'collection.anki2');
  const staged = join(folder, 'upload.anki2');
  databaseWith(staged, 'new', false);
  let keptCalls = 0;
  await installDatabaseFile(staged, target, async () => {
    keptCalls++;
  });
  assert.deepEqual(rows(target), ['new', 'new-2']);
  assert.equal(keptCalls, 0);
});

test('side files are named by their suffix only', () => {
  assert.deepEqual(['collection.anki2', 'collection.anki2-wal', 'collection.anki2-shm', 'x.anki2-journal', 'wal.anki2'].map(isSideFile), [
    false,
    true,
    true,
    true,
    false,
  ]);
});
