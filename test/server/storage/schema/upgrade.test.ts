import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase } from '../../../../src-main/server/storage/sqlite.js';
import { upgradeFileToSchema18, upgradeToSchema18 } from '../../../../src-main/server/storage/schema/upgrade.js';
import {
  NotACollectionError,
  UnsupportedSchemaError,
  readSchemaVersion,
} from '../../../../src-main/server/storage/schema/schema-version.js';
import { SCHEMA11_SQL } from '../../../../src-main/server/storage/schema/schema11.js';
import { SCHEMA18_DOWNGRADE_SQL } from '../../../../src-main/server/storage/schema/schema18.js';
import { deckConfigConfigCodec } from '../../../../src-main/server/storage/proto-codec.js';
import { stringifyJson, type JsonObject } from '../../../../src-main/server/json.js';
import {
  allDeckConfigs,
  allDecks,
  allNotetypes,
  allTags,
  deckConfigToLegacy,
  deckToLegacy,
  getAllConfig,
  getConfigEntries,
  notetypeToLegacy,
} from '../../../../src-main/server/storage/objects/index.js';
import { copyRealAnkiFixture } from '../../../support/real-anki-fixtures.js';
import { makeTempFolder } from '../../../support/temp-folder.js';

const sha1 = (path: string) => createHash('sha1').update(readFileSync(path)).digest('hex');

function schemaOf(db: ReturnType<typeof openDatabase>): [string, string, string][] {
  return (
    db.prepare("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name").all() as {
      type: string;
      name: string;
      sql: string;
    }[]
  ).map((r) => [r.type, r.name, r.sql]);
}

test('v11-mediacheck upgrades to 18: integrity ok, every object moved, the col JSON blanked', () => {
  const path = copyRealAnkiFixture('v11-mediacheck.anki2');
  const before = openDatabase(path, { readonly: true });
  const models = JSON.parse(before.prepare('SELECT models FROM col').pluck().get() as string) as JsonObject;
  const conf = JSON.parse(before.prepare('SELECT conf FROM col').pluck().get() as string) as JsonObject;
  const counts = before
    .prepare('SELECT (SELECT count(*) FROM notes) n, (SELECT count(*) FROM cards) c, (SELECT count(*) FROM graves) g')
    .get();
  before.close();

  assert.deepEqual(upgradeFileToSchema18(path, { server: true }), { from: 11, to: 18 });
  const db = openDatabase(path);
  assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
  assert.equal(readSchemaVersion(db), 18);
  assert.deepEqual(db.prepare('SELECT conf, models, decks, dconf, tags FROM col').get(), {
    conf: '',
    models: '',
    decks: '',
    dconf: '',
    tags: '',
  });
  assert.deepEqual(
    db.prepare('SELECT (SELECT count(*) FROM notes) n, (SELECT count(*) FROM cards) c, (SELECT count(*) FROM graves) g').get(),
    counts,
  );

  assert.deepEqual(
    allNotetypes(db)
      .map((n) => n.id)
      .sort(),
    Object.keys(models).map(Number).sort(),
  );
  for (const nt of allNotetypes(db)) {
    const original = models[String(nt.id)] as JsonObject;
    assert.equal(nt.name, original['name']);
    assert.equal(nt.fields.length, (original['flds'] as unknown[]).length);
    // unknown legacy keys (e.g. "vers", "tags") are kept in `other`
    const back = notetypeToLegacy(nt);
    for (const key of Object.keys(original)) assert.ok(key in back, `notetype key ${key} survived`);
  }
  const deck = allDecks(db)[0]!;
  assert.equal(deck.name, 'Default');
  assert.equal(deck.kind.normal?.extend_new, 10);
  const dconf = deckConfigToLegacy(allDeckConfigs(db)[0]!);
  assert.equal(dconf.new['initialFactor'], 2500);
  assert.equal(dconf.new['separate'], true);
  assert.equal(dconf.rev['fuzz'], 0.05);
  assert.equal(dconf.rev['minSpace'], 1);
  assert.deepEqual(getAllConfig(db), conf);
  assert.ok(getConfigEntries(db).every((e) => e.usn === 0 && e.mtimeSecs === 0));

  // the DDL the upgrade adds is the reference's, text for text: as in a file real Anki made
  // (the base tables keep the text of the old client that created this file)
  const real = openDatabase(copyRealAnkiFixture('v18-two-decks-16-notes.anki2'), { readonly: true });
  const added = (rows: [string, string, string][]) =>
    rows.filter(([, name]) => !name.startsWith('ix_') && !['col', 'notes', 'cards', 'revlog'].includes(name));
  assert.deepEqual(added(schemaOf(db)), added(schemaOf(real)));
  assert.equal(added(schemaOf(db)).length, 17, '8 tables (graves rebuilt) and 9 indexes');
});

test('v1-too-old is refused with a typed error and left untouched', () => {
  const path = copyRealAnkiFixture('v1-too-old.anki2');
  const hash = sha1(path);
  assert.throws(
    () => upgradeFileToSchema18(path, { server: true }),
    (e: unknown) => e instanceof UnsupportedSchemaError && e.kind === 'too-old' && e.version === 1 && /older than 11/.test(e.message),
  );
  assert.equal(sha1(path), hash);
});

function schema11File(cols: Partial<Record<'conf' | 'models' | 'decks' | 'dconf' | 'tags', string>>, ver = 11): string {
  const path = join(makeTempFolder('ahs-upgrade-'), 'collection.anki2');
  const db = openDatabase(path);
  db.exec(SCHEMA11_SQL);
  db.prepare('UPDATE col SET ver = ?, usn = 33, crt = 1, scm = 2').run(ver);
  for (const [column, value] of Object.entries(cols)) db.prepare(`UPDATE col SET ${column} = ?`).run(value);
  db.close();
  return path;
}

test('schemas 12, 13 and 19 are refused as too new', () => {
  for (const ver of [12, 13, 19]) {
    const path = schema11File({}, ver);
    assert.throws(
      () => upgradeFileToSchema18(path, { server: true }),
      (e: unknown) => e instanceof UnsupportedSchemaError && e.kind === 'too-new',
    );
  }
});

test('a file that is not a collection is refused', () => {
  const path = join(makeTempFolder('ahs-upgrade-'), 'x.anki2');
  const db = openDatabase(path);
  db.exec('CREATE TABLE t (x)');
  assert.throws(() => upgradeToSchema18(db, { server: true }), NotACollectionError);
  db.close();
});

const notetype = (id: number, name: string, fieldNames: string[]) => ({
  id,
  name,
  type: 0,
  mod: 5,
  usn: 0,
  sortf: 0,
  did: 1,
  tmpls: [{ name: 'Card 1', ord: 0, qfmt: '{{Front}}', afmt: '', did: null }],
  flds: fieldNames.map((n, ord) => ({ name: n, ord, sticky: false, rtl: false, font: 'Arial', size: 20 })),
  css: '',
  latexPre: '',
  latexPost: '',
  vers: [],
});

const deck = (id: number, name: string, conf = 1) => ({
  id,
  name,
  mod: 100,
  usn: 0,
  lrnToday: [0, 0],
  revToday: [0, 0],
  newToday: [0, 0],
  timeToday: [0, 0],
  collapsed: false,
  desc: '',
  dyn: 0,
  conf,
});

const dconf = (id: number, initialFactor: number) => ({
  id,
  name: `conf ${id}`,
  mod: 3,
  usn: 0,
  maxTaken: 60,
  autoplay: true,
  timer: 0,
  replayq: true,
  new: { delays: [1, 10], ints: [1, 4, 7], initialFactor, order: 1, perDay: 20 },
  rev: { perDay: 200, ease4: 1.3, ivlFct: 1, maxIvl: 36500 },
  lapse: { delays: [10], mult: 0, minInt: 1, leechFails: 8, leechAction: 0 },
  dyn: false,
});

test('the reference fix-ups: duplicate names, notetype id 0, low initial ease and its cards', () => {
  const path = schema11File({
    models: stringifyJson({
      '0': notetype(0, 'Zero', ['Front', 'FRONT', 'front']),
      '7': notetype(7, 'Basic', ['Front', 'Back']),
      '8': notetype(8, 'basic', ['Front', 'Back']),
    }),
    decks: stringifyJson({
      '1': deck(1, 'Default'),
      '2': deck(2, 'Straße', 2),
      '3': deck(3, 'STRASSE'),
      '4': deck(4, ' Spaced :: Out '),
    }),
    dconf: stringifyJson({ '1': dconf(1, 2500), '2': { ...dconf(99, 1300) } }),
    tags: stringifyJson({ verbs: 3, VERBS: 4, nouns: 0 }),
    conf: stringifyJson({ curDeck: 1, big: 12345678901234567890n }),
  });
  const db = openDatabase(path);
  db.exec(`INSERT INTO cards VALUES (10, 1, 2, 0, 0, 0, 2, 2, 0, 1, 1300, 1, 0, 0, 0, 0, 0, '');
           INSERT INTO cards VALUES (11, 1, 1, 0, 0, 0, 2, 2, 0, 1, 1300, 1, 0, 0, 0, 0, 0, '');
           INSERT INTO cards VALUES (12, 1, 5, 0, 0, 0, 2, 2, 0, 1, 1800, 1, 0, 0, 0, 2, 0, '')`);
  upgradeToSchema18(db, { server: true, nowSecs: 777 });
  assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');

  const nts = allNotetypes(db);
  const zero = nts.find((n) => n.name === 'Zero')!;
  assert.notEqual(zero.id, 0);
  assert.deepEqual(
    zero.fields.map((f) => f.name),
    ['Front', 'FRONT+', 'front++'],
  );
  assert.deepEqual(nts.map((n) => n.name).sort(), ['Basic', 'Zero', 'basic_'].sort());

  const decks = allDecks(db).map(deckToLegacy);
  const byId = new Map(decks.map((d) => [d.id, d]));
  assert.equal(byId.get(3)!.name, 'STRASSE_', 'unicase clash: ß equals SS');
  assert.equal(byId.get(3)!.usn, 33, 'a renamed deck is marked with the server usn');
  assert.equal(byId.get(3)!.mod, 777);
  assert.equal(byId.get(4)!.name, 'Spaced::Out');
  assert.equal(byId.get(4)!.usn, 33);
  assert.equal(byId.get(2)!.usn, 0, 'untouched decks keep their usn');

  const confs = allDeckConfigs(db).map(deckConfigToLegacy);
  assert.deepEqual(
    confs.map((c) => c.id),
    [1, 2],
    'the map key wins over the inner id',
  );
  assert.equal(confs[0]!.new['initialFactor'], 2500);
  assert.equal(confs[1]!.new['initialFactor'], 2500, 'an initial ease at 1.3 is reset to 2.5');
  const cards = db.prepare('SELECT id, factor, usn FROM cards ORDER BY id').all();
  assert.deepEqual(cards, [
    { id: 10, factor: 2500, usn: 33 },
    { id: 11, factor: 1300, usn: 0 },
    { id: 12, factor: 2500, usn: 33 },
  ]);

  assert.deepEqual(
    allTags(db).map((t) => [t.name, t.collapsed]),
    [
      ['nouns', true],
      ['verbs', true],
    ],
  );
  assert.equal(getAllConfig(db)['big'], 12345678901234567890n);
});

test('server: false marks upgrade changes pending (-1), as the reference does for an uploaded file', () => {
  const path = schema11File({
    decks: stringifyJson({ '1': deck(1, 'a '), '2': deck(2, 'A') }),
    dconf: stringifyJson({ '1': dconf(1, 2500) }),
  });
  upgradeFileToSchema18(path, { server: false });
  const db = openDatabase(path);
  assert.deepEqual(
    allDecks(db).map((d) => [d.name, d.usn]),
    [
      ['a', -1],
      ['A_', -1],
    ],
  );
});

test('an unreadable object aborts the whole upgrade and leaves the file at schema 11', () => {
  const path = schema11File({ models: '{"5": {"name": "no id or fields"}}', dconf: stringifyJson({ '1': dconf(1, 2500) }) });
  const db = openDatabase(path);
  assert.throws(() => upgradeToSchema18(db, { server: true }), NotACollectionError);
  assert.equal(readSchemaVersion(db), 11);
  assert.equal(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'deck_config'").pluck().get(), 0);
  assert.notEqual(db.prepare('SELECT dconf FROM col').pluck().get(), '');
  assert.equal(db.inTransaction, false);
});

test('a schema-18 file is left alone', () => {
  const path = copyRealAnkiFixture('v18-empty-stock-notetypes.anki2');
  assert.deepEqual(upgradeFileToSchema18(path, { server: true }), { from: 18, to: 18 });
});

test('a schema-15 file (ease stored ×100, old tags and graves tables) upgrades to the same objects', () => {
  const path = copyRealAnkiFixture('v18-two-decks-16-notes.anki2');
  const db = openDatabase(path);
  const before = {
    configs: stringifyJson(allDeckConfigs(db).map(deckConfigToLegacy)),
    decks: stringifyJson(allDecks(db).map(deckToLegacy)),
    notetypes: stringifyJson(allNotetypes(db).map(notetypeToLegacy)),
  };
  // rewind to what Anki 2.1.28-era files held
  db.exec(SCHEMA18_DOWNGRADE_SQL);
  db.exec(`INSERT INTO graves VALUES (5, 77, 0); INSERT INTO graves VALUES (5, 77, 0);
           DROP TABLE tags; CREATE TABLE tags (tag text NOT NULL PRIMARY KEY COLLATE unicase, usn integer NOT NULL) without rowid;
           INSERT INTO tags VALUES ('leech', 3);`);
  for (const row of db.prepare('SELECT id, config FROM deck_config').all() as { id: number; config: Buffer }[]) {
    const config = deckConfigConfigCodec.decode(row.config);
    config.initial_ease = Math.fround(config.initial_ease * 100);
    db.prepare('UPDATE deck_config SET config = ? WHERE id = ?').run(deckConfigConfigCodec.encode(config), row.id);
  }
  db.exec('UPDATE col SET ver = 15');

  assert.deepEqual(upgradeToSchema18(db, { server: true }), { from: 15, to: 18 });
  assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
  assert.equal(stringifyJson(allDeckConfigs(db).map(deckConfigToLegacy)), before.configs);
  assert.equal(stringifyJson(allDecks(db).map(deckToLegacy)), before.decks);
  assert.equal(stringifyJson(allNotetypes(db).map(notetypeToLegacy)), before.notetypes);
  assert.deepEqual(
    allTags(db).map((t) => [t.name, t.usn, t.collapsed]),
    [['leech', 3, true]],
  );
  assert.deepEqual(db.prepare('SELECT oid, type, usn FROM graves').all(), [{ oid: 77, type: 0, usn: 5 }], 'duplicate graves dropped');
  assert.equal(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'idx_graves_pending'").pluck().get(), 1);
});
