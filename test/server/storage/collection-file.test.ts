import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type Database from 'better-sqlite3';
import { CollectionFileError, createEmptyCollectionFile, openCollection } from '../../../src-main/server/storage/collection-file.js';
import { openDatabase } from '../../../src-main/server/storage/sqlite.js';
import { creationDate } from '../../../src-main/server/storage/new-collection/defaults.js';
import { stockNotetypes } from '../../../src-main/server/storage/new-collection/stock-notetypes.js';
import { getLegacyNotetype } from '../../../src-main/server/storage/objects/notetypes-legacy.js';
import { getAllConfig } from '../../../src-main/server/storage/objects/config.js';
import { copyRealAnkiFixture, REAL_ANKI_FIXTURES } from '../../support/real-anki-fixtures.js';
import { makeTempFolder } from '../../support/temp-folder.js';

function tempFolder(): { dir: string; collection: string; remove(): void } {
  const dir = makeTempFolder('collection-file-');
  return { dir, collection: join(dir, 'collection.anki2'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

function withCollection(path: string, use: (db: Database.Database) => void): void {
  const db = openCollection(path);
  try {
    use(db);
  } finally {
    db.close();
  }
}

const one = (db: Database.Database, sql: string): unknown => db.prepare(sql).pluck().get();

test('a missing collection is created empty, as docs/protocol/collection-sync.md §5.3 describes', () => {
  const folder = tempFolder();
  try {
    const before = Date.now();
    withCollection(folder.collection, (db) => {
      const after = Date.now();
      assert.equal(one(db, 'PRAGMA integrity_check'), 'ok');
      const col = db.prepare('SELECT * FROM col').get() as Record<string, unknown>;
      assert.equal(col.id, 1);
      assert.equal(col.ver, 18);
      assert.equal(col.mod, 0);
      assert.equal(col.usn, 0);
      assert.equal(col.ls, 0);
      assert.equal(col.dty, 0);
      assert.ok((col.scm as number) >= before && (col.scm as number) <= after, `scm ${String(col.scm)}`);
      assert.ok(col.crt === creationDate(before) || col.crt === creationDate(after));
      for (const key of ['conf', 'models', 'decks', 'dconf', 'tags']) assert.equal(col[key], '', key);
      for (const table of ['cards', 'notes', 'revlog', 'graves', 'tags']) assert.equal(one(db, `SELECT count(*) FROM ${table}`), 0, table);

      const notetypes = db.prepare('SELECT id, name, mtime_secs, usn FROM notetypes ORDER BY id').all() as Array<
        Record<string, number | string>
      >;
      assert.deepEqual(
        notetypes.map((n) => n.name),
        ['Basic', 'Basic (and reversed card)', 'Basic (optional reversed card)', 'Basic (type in the answer)', 'Cloze', 'Image Occlusion'],
      );
      assert.ok(notetypes.every((n) => n.usn === 0 && n.mtime_secs === 0));
      const counts = (table: string) => notetypes.map((n) => one(db, `SELECT count(*) FROM ${table} WHERE ntid = ${Number(n.id)}`));
      assert.deepEqual(counts('fields'), [2, 2, 3, 2, 2, 5]);
      assert.deepEqual(counts('templates'), [1, 2, 2, 1, 1, 1]);

      assert.deepEqual(db.prepare('SELECT id, name, usn FROM decks').all(), [{ id: 1, name: 'Default', usn: 0 }]);
      assert.deepEqual(db.prepare('SELECT id, name, usn FROM deck_config').all(), [{ id: 1, name: 'Default', usn: 0 }]);

      const conf = getAllConfig(db);
      assert.equal(conf.curModel, notetypes[0]!.id);
      assert.equal(conf.schedVer, 2);
      assert.equal(conf.curDeck, 1);
      assert.equal('creationOffset' in conf, false);
      assert.equal(one(db, 'SELECT count(*) FROM config WHERE usn != 0 OR mtime_secs != 0'), 0);

      assert.equal(one(db, 'PRAGMA journal_mode'), 'wal');
      assert.equal(one(db, 'PRAGMA page_size'), 4096);
    });
    // Closed cleanly: no build leftovers, and the file is self-contained in WAL mode like a client's.
    assert.deepEqual(readdirSync(folder.dir), ['collection.anki2']);
    const header = readFileSync(folder.collection).subarray(0, 20);
    assert.equal(header.toString('latin1', 0, 15), 'SQLite format 3');
    assert.deepEqual([header[18], header[19]], [2, 2]);
  } finally {
    folder.remove();
  }
});

test('the stock notetypes read back as the JSON they were built from', () => {
  const folder = tempFolder();
  try {
    withCollection(folder.collection, (db) => {
      const ids = db.prepare('SELECT id FROM notetypes ORDER BY id').pluck().all() as number[];
      const expected = stockNotetypes(ids[0]!);
      for (const [index, id] of ids.entries()) {
        const stored = getLegacyNotetype(db, id)!;
        const built = expected[index]!;
        assert.equal(stored.name, built.name);
        assert.equal(stored.type, built.type);
        assert.equal(stored.css, built.css);
        assert.deepEqual(stored.req, built.req);
        assert.equal(stored.originalStockKind, built.originalStockKind);
        assert.deepEqual(
          stored.flds.map((f) => [f.name, f.ord, f.font, f.size, f.tag ?? null, f.preventDeletion ?? false]),
          built.flds.map((f) => [f.name, f.ord, f.font, f.size, f.tag, f.preventDeletion]),
        );
        assert.deepEqual(
          stored.tmpls.map((t) => [t.name, t.ord, t.qfmt, t.afmt]),
          built.tmpls.map((t) => [t.name, t.ord, t.qfmt, t.afmt]),
        );
      }
    });
  } finally {
    folder.remove();
  }
});

test('tables and indexes are declared exactly as in a collection written by real Anki', () => {
  const folder = tempFolder();
  const real = copyRealAnkiFixture('v18-empty-stock-notetypes.anki2');
  const schema = (db: Database.Database) =>
    db.prepare("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name").all();
  try {
    const realDb = openDatabase(real, { readonly: true });
    try {
      withCollection(folder.collection, (db) => assert.deepEqual(schema(db), schema(realDb)));
    } finally {
      realDb.close();
    }
  } finally {
    folder.remove();
    rmSync(dirname(real), { recursive: true, force: true });
  }
});

test('an existing collection is opened, not recreated', () => {
  const folder = tempFolder();
  try {
    let scm: unknown;
    withCollection(folder.collection, (db) => {
      scm = one(db, 'SELECT scm FROM col');
      db.prepare('UPDATE col SET mod = 1234').run();
    });
    withCollection(folder.collection, (db) => {
      assert.equal(one(db, 'SELECT scm FROM col'), scm);
      assert.equal(one(db, 'SELECT mod FROM col'), 1234);
    });
  } finally {
    folder.remove();
  }
});

test('another connection can read while the collection is open (NORMAL locking, WAL)', () => {
  const folder = tempFolder();
  try {
    withCollection(folder.collection, (db) => {
      db.prepare('UPDATE col SET mod = 99').run();
      const reader = openDatabase(folder.collection, { readonly: true });
      try {
        assert.equal(one(reader, 'SELECT mod FROM col'), 99);
        assert.equal(one(reader, 'SELECT count(*) FROM notetypes'), 6);
      } finally {
        reader.close();
      }
      // …and the handle keeps writing afterwards.
      db.prepare('UPDATE col SET mod = 100').run();
    });
  } finally {
    folder.remove();
  }
});

test('an empty (zero-byte) file is replaced by a new collection', () => {
  const folder = tempFolder();
  try {
    writeFileSync(folder.collection, '');
    withCollection(folder.collection, (db) => assert.equal(one(db, 'SELECT count(*) FROM notetypes'), 6));
  } finally {
    folder.remove();
  }
});

test('a file that is not a usable collection is refused and left untouched', () => {
  const cases: Array<[string, (path: string) => void, RegExp]> = [
    ['random bytes', (p) => writeFileSync(p, Buffer.alloc(8192, 0x5a)), /cannot be read as an SQLite database/],
    [
      'SQLite without col',
      (p) => {
        const db = openDatabase(p);
        db.exec('CREATE TABLE other (x)');
        db.close();
      },
      /not an Anki collection/,
    ],
    [
      'schema 13',
      (p) => {
        copyFileSync(join(REAL_ANKI_FIXTURES, 'v18-two-decks-16-notes.anki2'), p);
        const db = openDatabase(p);
        db.prepare('UPDATE col SET ver = 13').run();
        db.close();
      },
      /schema 13 is not one this server can open/,
    ],
    ['schema 1', (p) => copyFileSync(join(REAL_ANKI_FIXTURES, 'v1-too-old.anki2'), p), /schema 1 is older than 11/],
  ];
  for (const [what, make, message] of cases) {
    const folder = tempFolder();
    try {
      make(folder.collection);
      const bytes = readFileSync(folder.collection);
      assert.throws(
        () => openCollection(folder.collection),
        (error: unknown) => {
          assert.ok(error instanceof CollectionFileError, `${what}: ${String(error)}`);
          assert.match(error.message, message, what);
          return true;
        },
      );
      assert.deepEqual(readFileSync(folder.collection), bytes, what);
    } finally {
      folder.remove();
    }
  }
});

test('a schema-11 collection (left by a legacy download) is upgraded to 18 on open', () => {
  const path = copyRealAnkiFixture('v11-mediacheck.anki2');
  try {
    const notes = (db: Database.Database) => db.prepare('SELECT id, flds FROM notes ORDER BY id').all();
    const legacy = openDatabase(path, { readonly: true });
    const before = notes(legacy);
    legacy.close();
    withCollection(path, (db) => {
      assert.equal(one(db, 'SELECT ver FROM col'), 18);
      assert.equal(one(db, 'PRAGMA integrity_check'), 'ok');
      assert.deepEqual(notes(db), before);
      assert.ok((one(db, 'SELECT count(*) FROM notetypes') as number) > 0);
    });
  } finally {
    rmSync(dirname(path), { recursive: true, force: true });
  }
});

test('a build interrupted by a crash leaves no collection, and its leftovers are cleared', () => {
  const folder = tempFolder();
  try {
    const leftover = `${folder.collection}.creating-deadbeef0000`;
    writeFileSync(leftover, 'half-built');
    createEmptyCollectionFile(folder.collection);
    assert.equal(existsSync(leftover), false);
    assert.deepEqual(readdirSync(folder.dir), ['collection.anki2']);
  } finally {
    folder.remove();
  }
});
