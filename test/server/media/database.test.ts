import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import Database from 'better-sqlite3';
import { MediaDatabase } from '../../../src-main/server/media/database/media-database.js';
import { registerUploadedChange, forgetMissingFile } from '../../../src-main/server/media/database/usn-rules.js';
import { tempUserPaths } from '../../support/temp-user.js';
import { createHash } from 'node:crypto';

/** Runs `body` with an empty user folder that is removed afterwards. */
function inUserFolder(body: (paths: ReturnType<typeof tempUserPaths>) => void): void {
  const paths = tempUserPaths();
  try {
    mkdirSync(paths.folder, { recursive: true });
    body(paths);
  } finally {
    paths.remove();
  }
}

const sha1 = (text: string) => createHash('sha1').update(text).digest();

function columns(db: Database.Database, table: string): string[] {
  return (db.pragma(`table_info(${table})`) as { name: string; type: string; notnull: number; pk: number }[]).map(
    (c) => `${c.name} ${c.type.toLowerCase()}${c.notnull ? ' notnull' : ''}${c.pk ? ' pk' : ''}`,
  );
}

test('a new media.db has the official version-4 layout', () =>
  inUserFolder((paths) => {
    MediaDatabase.open(paths.mediaDb).close();
    const raw = new Database(paths.mediaDb, { readonly: true });
    assert.equal(raw.pragma('user_version', { simple: true }), 4);
    assert.deepEqual(columns(raw, 'media'), [
      'fname text notnull pk',
      'csum blob notnull',
      'size int notnull',
      'usn int notnull',
      'mtime int notnull',
    ]);
    assert.deepEqual(columns(raw, 'meta'), ['last_usn int notnull', 'total_bytes int notnull', 'total_nonempty_files int notnull']);
    assert.deepEqual(raw.prepare('SELECT * FROM meta').all(), [{ last_usn: 0, total_bytes: 0, total_nonempty_files: 0 }]);
    assert.deepEqual(raw.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'ix_usn'").all(), [{ name: 'ix_usn' }]);
    raw.close();
  }));

test('a version-3 media.db from an older official server migrates: live rows kept, NULL-csum tombstones dropped', () =>
  inUserFolder((paths) => {
    const v3 = new Database(paths.mediaDb);
    v3.exec(`
      CREATE TABLE media (fname text NOT NULL PRIMARY KEY, csum blob, sz int NOT NULL, usn int NOT NULL, deleted int NOT NULL);
      CREATE INDEX ix_usn ON media (usn);
      CREATE TABLE meta (usn int NOT NULL, sz int NOT NULL);
      INSERT INTO meta VALUES (7, 30);
      PRAGMA user_version = 3;`);
    const insert = v3.prepare('INSERT INTO media VALUES (?, ?, ?, ?, ?)');
    insert.run('a.jpg', sha1('a'), 10, 3, 0);
    insert.run('日本語 ✓.png', sha1('b'), 20, 5, 0);
    insert.run('gone.mp3', null, 0, 7, 1);
    v3.close();

    const db = MediaDatabase.open(paths.mediaDb);
    assert.deepEqual(db.meta(), { lastUsn: 5, totalBytes: 30, totalNonemptyFiles: 2 });
    assert.deepEqual(db.changesAfter(0), [
      ['a.jpg', 3, sha1('a').toString('hex')],
      ['日本語 ✓.png', 5, sha1('b').toString('hex')],
    ]);
    assert.equal(db.entry('gone.mp3'), undefined);
    db.close();
    const raw = new Database(paths.mediaDb, { readonly: true });
    assert.equal(raw.pragma('user_version', { simple: true }), 4);
    raw.close();
  }));

test('a version-4 media.db written by the official server opens as it is', () =>
  inUserFolder((paths) => {
    const v4 = new Database(paths.mediaDb);
    v4.exec(`
      CREATE TABLE media (fname text NOT NULL PRIMARY KEY, csum blob NOT NULL, size int NOT NULL, usn int NOT NULL, mtime int NOT NULL);
      CREATE INDEX ix_usn ON media (usn);
      CREATE TABLE meta (last_usn int NOT NULL, total_bytes int NOT NULL, total_nonempty_files int NOT NULL);
      INSERT INTO meta VALUES (9, 4, 1);
      PRAGMA user_version = 4;`);
    v4.prepare('INSERT INTO media VALUES (?, ?, ?, ?, ?)').run('x.jpg', sha1('x'), 4, 8, 1700000000);
    v4.prepare('INSERT INTO media VALUES (?, ?, ?, ?, ?)').run('old.jpg', sha1('old'), 0, 9, 1700000001);
    v4.close();
    const db = MediaDatabase.open(paths.mediaDb);
    assert.deepEqual(db.meta(), { lastUsn: 9, totalBytes: 4, totalNonemptyFiles: 1 });
    assert.deepEqual(db.changesAfter(8), [['old.jpg', 9, '']]);
    db.close();
  }));

test('the database is held exclusively while open, like the official server', () =>
  inUserFolder((paths) => {
    const db = MediaDatabase.open(paths.mediaDb);
    db.lastUsn(); // the exclusive lock is taken on first access
    assert.throws(() => MediaDatabase.open(paths.mediaDb), /locked|busy/i);
    db.close();
    MediaDatabase.open(paths.mediaDb).close();
  }));

test('usn rules: one usn per applied change, none for no-ops, tombstones stay', () =>
  inUserFolder((paths) => {
    const db = MediaDatabase.open(paths.mediaDb);
    const apply = (change: Parameters<typeof registerUploadedChange>[2]) => {
      let outcome = '';
      const usn = db.transact((meta) => {
        outcome = registerUploadedChange(db, meta, change, 1000);
      });
      return [outcome, usn];
    };
    const add = (fname: string, text: string) => ({ kind: 'add' as const, fname, sha1: sha1(text), size: text.length });
    assert.deepEqual(apply({ kind: 'delete', fname: 'never.jpg' }), ['already-deleted', 0]);
    assert.deepEqual(apply(add('a', 'one')), ['added', 1]);
    assert.deepEqual(apply(add('a', 'one')), ['identical', 1]);
    assert.deepEqual(apply(add('a', 'three')), ['replaced', 2]);
    assert.deepEqual(db.meta(), { lastUsn: 2, totalBytes: 5, totalNonemptyFiles: 1 });
    assert.deepEqual(apply({ kind: 'delete', fname: 'a' }), ['removed', 3]);
    assert.deepEqual(apply({ kind: 'delete', fname: 'a' }), ['already-deleted', 3]);
    assert.deepEqual(db.meta(), { lastUsn: 3, totalBytes: 0, totalNonemptyFiles: 0 });
    const tombstone = db.entry('a');
    assert.equal(tombstone?.size, 0);
    assert.deepEqual(tombstone?.csum, sha1('three'), 'the checksum is kept on deletion');
    assert.deepEqual(db.changesAfter(0), [['a', 3, '']]);
    assert.deepEqual(apply(add('a', 'three')), ['added', 4], 're-adding after deletion is a change');
    assert.deepEqual(db.meta(), { lastUsn: 4, totalBytes: 5, totalNonemptyFiles: 1 });

    db.transact((meta) => forgetMissingFile(db, meta, 'a'));
    assert.deepEqual(db.meta(), { lastUsn: 4, totalBytes: 0, totalNonemptyFiles: 0 });
    assert.equal(db.entry('a'), undefined);
    db.close();
  }));

test('mediaChanges pages by usn, 1000 rows at most, oldest first', () =>
  inUserFolder((paths) => {
    const db = MediaDatabase.open(paths.mediaDb);
    db.transact((meta) => {
      // Insert in reverse name order so rowid order differs from usn order.
      for (let i = 1200; i >= 1; i--)
        registerUploadedChange(db, meta, { kind: 'add', fname: `f${1201 - i}`, sha1: sha1(`${i}`), size: 1 }, 1);
    });
    const first = db.changesAfter(0);
    assert.equal(first.length, 1000);
    assert.deepEqual(
      first.map((c) => c[1]),
      Array.from({ length: 1000 }, (_, i) => i + 1),
    );
    assert.match(first[0]![2], /^[0-9a-f]{40}$/);
    const second = db.changesAfter(first.at(-1)![1]);
    assert.equal(second.length, 200);
    assert.deepEqual(db.changesAfter(1200), []);
    db.close();
  }));
