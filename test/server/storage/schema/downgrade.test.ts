import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type Database from 'better-sqlite3';
import { openDatabase } from '../../../../src-main/server/storage/sqlite.js';
import { copyCollection, downgradeFileToSchema11, downgradeToSchema11 } from '../../../../src-main/server/storage/schema/downgrade.js';
import { upgradeFileToSchema18 } from '../../../../src-main/server/storage/schema/upgrade.js';
import { parseJson, stringifyJson, type JsonObject } from '../../../../src-main/server/json.js';
import {
  allDeckConfigs,
  allDecks,
  allNotetypes,
  allTags,
  deckConfigToLegacy,
  deckToLegacy,
  getAllConfig,
  notetypeToLegacy,
  registerTag,
} from '../../../../src-main/server/storage/objects/index.js';
import { copyRealAnkiFixture } from '../../../support/real-anki-fixtures.js';
import { makeTempFolder } from '../../../support/temp-folder.js';

const V18_FIXTURES = ['v18-empty-stock-notetypes.anki2', 'v18-two-decks-16-notes.anki2'];

interface Snapshot {
  notetypes: string;
  decks: string;
  deckConfigs: string;
  config: string;
  tags: string;
  data: unknown;
}

function snapshot(db: Database.Database): Snapshot {
  return {
    notetypes: stringifyJson(allNotetypes(db).map(notetypeToLegacy)),
    decks: stringifyJson(allDecks(db).map(deckToLegacy)),
    deckConfigs: stringifyJson(allDeckConfigs(db).map(deckConfigToLegacy)),
    config: stringifyJson(getAllConfig(db)),
    tags: stringifyJson(allTags(db).map((t) => [t.name, t.usn])),
    data: db
      .prepare(
        `SELECT (SELECT group_concat(id || flds || tags || usn, '|') FROM notes) notes,
                (SELECT group_concat(id || nid || did || due || ivl || factor || usn, '|') FROM cards) cards,
                (SELECT group_concat(id || cid || ease || usn, '|') FROM revlog) revlog,
                (SELECT group_concat(oid || type || usn, '|') FROM graves) graves`,
      )
      .get(),
  };
}

const sha1 = (path: string) => createHash('sha1').update(readFileSync(path)).digest('hex');

for (const fixture of V18_FIXTURES) {
  test(`${fixture}: a schema-11 copy for legacy clients, upgraded back, holds the same objects`, () => {
    const livePath = copyRealAnkiFixture(fixture);
    const live = openDatabase(livePath);
    registerTag(live, 'Straße::Sub', 5); // give the tags table something to carry
    live.prepare('INSERT INTO graves VALUES (123, 1, 4)').run();
    const before = snapshot(live);
    const copyPath = join(makeTempFolder('ahs-downgrade-'), 'legacy.anki2');
    copyCollection(live, copyPath);
    live.close();
    const liveHash = sha1(livePath);

    downgradeFileToSchema11(copyPath);
    assert.equal(sha1(livePath), liveHash, 'the live file is untouched');
    assert.deepEqual(readdirSync(dirname(copyPath)), ['legacy.anki2'], 'no -wal or -shm left beside the copy');
    const header = readFileSync(copyPath).subarray(18, 20);
    assert.deepEqual([...header], [1, 1], 'rollback-journal file format (not WAL)');

    const legacy = openDatabase(copyPath, { readonly: true });
    assert.equal(legacy.prepare('SELECT ver FROM col').pluck().get(), 11);
    assert.equal(legacy.pragma('journal_mode', { simple: true }), 'delete');
    assert.equal(legacy.pragma('integrity_check', { simple: true }), 'ok');
    const tables = legacy
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
      .pluck()
      .all();
    assert.deepEqual(tables, ['cards', 'col', 'graves', 'notes', 'revlog']);
    assert.equal(
      legacy.prepare("SELECT count(*) FROM sqlite_master WHERE sql LIKE '%unicase%'").pluck().get(),
      0,
      'no collation needed by a legacy client',
    );
    const col = legacy.prepare('SELECT conf, models, decks, dconf, tags FROM col').get() as Record<string, string>;
    const models = parseJson(col['models']!) as JsonObject;
    assert.equal(Object.keys(models).length, allNotetypesCount(fixture));
    assert.ok((parseJson(col['dconf']!) as JsonObject)['1']);
    assert.ok((parseJson(col['decks']!) as JsonObject)['1']);
    assert.equal((parseJson(col['tags']!) as JsonObject)['Straße::Sub'], 5);
    assert.equal((parseJson(col['conf']!) as JsonObject)['sortType'], 'noteFld');
    // a 64-bit field id is written exactly into the schema-11 JSON
    if (fixture.includes('stock')) assert.match(col['models']!, /"id":-5810753096973311499[,}]/);
    legacy.close();

    upgradeFileToSchema18(copyPath, { server: true });
    const back = openDatabase(copyPath);
    assert.equal(back.pragma('integrity_check', { simple: true }), 'ok');
    const after = snapshot(back);
    assert.equal(after.notetypes, before.notetypes);
    assert.equal(after.decks, before.decks);
    assert.equal(after.deckConfigs, before.deckConfigs);
    assert.equal(after.config, before.config);
    assert.equal(after.tags, before.tags);
    assert.deepEqual(after.data, before.data);
  });
}

function allNotetypesCount(fixture: string): number {
  const db = openDatabase(copyRealAnkiFixture(fixture), { readonly: true });
  const n = db.prepare('SELECT count(*) FROM notetypes').pluck().get() as number;
  db.close();
  return n;
}

test('downgrade failing midway leaves the copy at schema 18', () => {
  const db = openDatabase(copyRealAnkiFixture('v18-two-decks-16-notes.anki2'));
  db.prepare("UPDATE decks SET kind = x'' WHERE id = 1").run();
  assert.throws(() => downgradeToSchema11(db), /neither a normal nor a filtered/);
  assert.equal(db.prepare('SELECT ver FROM col').pluck().get(), 18);
  assert.equal(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'notetypes'").pluck().get(), 1);
  assert.equal(db.inTransaction, false);
});

test('copyCollection holds every commit, the WAL folded in, and a scratch downgrade of it is a schema-11 file in DELETE mode', () => {
  const path = copyRealAnkiFixture('v18-two-decks-16-notes.anki2');
  const folder = dirname(path);
  const db = openDatabase(path);
  try {
    db.pragma('journal_mode = WAL');
    db.exec('UPDATE col SET mod = 12345');
    const copy = join(folder, 'copy.anki2');
    copyCollection(db, copy);
    downgradeFileToSchema11(copy, { scratch: true });
    const header = readFileSync(copy).subarray(18, 20);
    assert.deepEqual([...header], [1, 1]);
    const copied = openDatabase(copy, { fileMustExist: true });
    try {
      assert.deepEqual(copied.prepare('SELECT ver, mod FROM col').get(), { ver: 11, mod: 12345 });
      assert.equal(copied.prepare('PRAGMA integrity_check').pluck().get(), 'ok');
    } finally {
      copied.close();
    }
  } finally {
    db.close();
  }
});

test('copyCollection with a reader holding a snapshot (the WAL cannot be folded) still copies every commit', () => {
  const path = copyRealAnkiFixture('v18-two-decks-16-notes.anki2');
  const folder = dirname(path);
  const db = openDatabase(path);
  const reader = openDatabase(path);
  try {
    db.pragma('journal_mode = WAL');
    db.exec('UPDATE col SET mod = 1');
    reader.exec('BEGIN');
    reader.prepare('SELECT mod FROM col').get();
    db.exec('UPDATE col SET mod = 2');
    const copy = join(folder, 'copy.anki2');
    copyCollection(db, copy);
    const copied = openDatabase(copy, { fileMustExist: true });
    try {
      assert.equal(copied.prepare('SELECT mod FROM col').pluck().get(), 2);
    } finally {
      copied.close();
    }
    reader.exec('COMMIT');
  } finally {
    reader.close();
    db.close();
  }
});
