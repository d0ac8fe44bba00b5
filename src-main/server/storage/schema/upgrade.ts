// Upgrading a collection of schema 11 or 14–17 in place to schema 18, step by
// step as the reference does when it opens such a file
// (rslib/src/storage/upgrades/mod.rs upgrade_to_latest_schema; docs/protocol/collection-sync.md §6.6.1):
//   <14  deck_config, config, tags tables; col.dconf/tags/conf moved into them
//   <15  notetypes, fields, templates, decks tables; col.models/decks moved;
//        deck configs to protobuf (initial ease stored ×100, as schema 15 did)
//   <16  initial ease back to a fraction; configs at ≤ 1.3 reset to 2.5 and their
//        cards' low eases fixed
//   <17  tags rebuilt with collapsed/config
//   <18  graves rebuilt with primary key (oid, type)
// All in one exclusive transaction: a failure leaves the file as it was.
// The connection must have the unicase collation (sqlite.ts openDatabase).

import { isJsonObject, jsonBytes, parseJson, type JsonObject, type JsonValue } from '../../json.js';
import { deckConfigConfigCodec, deckKindCodec } from '../proto-codec.js';
import { statement, type Db } from '../objects/db.js';
import { deckConfigFromLegacy } from '../objects/deckconfigs-legacy.js';
import { putDeck } from '../objects/decks.js';
import { deckFromLegacy } from '../objects/decks-legacy.js';
import { putNotetype, type Notetype } from '../objects/notetypes.js';
import { notetypeFromLegacy } from '../objects/notetypes-legacy.js';
import { setAllConfig } from '../objects/config.js';
import { humanDeckName } from '../objects/names.js';
import { openDatabase } from '../sqlite.js';
import { NotACollectionError, SCHEMA_MAX_VERSION, checkSchemaVersion, readSchemaVersion } from './schema-version.js';
import { SCHEMA14_UPGRADE_SQL, SCHEMA15_UPGRADE_SQL, SCHEMA17_UPGRADE_SQL, SCHEMA18_UPGRADE_SQL } from './schema18.js';

export interface UpgradeOptions {
  /**
   * Whose usn marks objects the upgrade itself changes (renamed decks, cards
   * whose ease is fixed): true → col.usn (a server's own collection), false →
   * -1, pending (what the reference uses when it opens an uploaded file).
   */
  server: boolean;
  /** Seconds "now", for decks renamed by the upgrade. */
  nowSecs?: number;
}

export interface UpgradeResult {
  from: number;
  to: number;
}

/**
 * Upgrades the open collection to schema 18. A collection already at 18 is left
 * alone. Throws UnsupportedSchemaError (below 11, 12, 13, above 18) or
 * NotACollectionError (unreadable legacy JSON), with nothing changed.
 */
export function upgradeToSchema18(db: Db, options: UpgradeOptions): UpgradeResult {
  const from = readSchemaVersion(db);
  checkSchemaVersion(from);
  if (from === SCHEMA_MAX_VERSION) return { from, to: from };
  const ownTransaction = !db.inTransaction;
  if (ownTransaction) db.exec('BEGIN EXCLUSIVE');
  try {
    runUpgradeSteps(db, from, options);
    if (ownTransaction) db.exec('COMMIT');
  } catch (error) {
    if (ownTransaction && db.inTransaction) db.exec('ROLLBACK');
    throw error;
  }
  return { from, to: SCHEMA_MAX_VERSION };
}

/** Opens the file with the collation, upgrades it, closes it. */
export function upgradeFileToSchema18(path: string, options: UpgradeOptions): UpgradeResult {
  const db = openDatabase(path);
  try {
    return upgradeToSchema18(db, options);
  } finally {
    db.close();
  }
}

function runUpgradeSteps(db: Db, ver: number, options: UpgradeOptions): void {
  const nowSecs = options.nowSecs ?? Math.floor(Date.now() / 1000);
  const usn = (): number => (options.server ? Number((db.prepare('SELECT usn FROM col').get() as { usn: number }).usn) : -1);
  if (ver < 14) {
    db.exec(SCHEMA14_UPGRADE_SQL);
    moveDeckConfigsToTable(db);
    moveTagsToTable(db);
    moveConfigToTable(db);
  }
  if (ver < 15) {
    db.exec(SCHEMA15_UPGRADE_SQL);
    moveNotetypesToTables(db);
    moveDecksToTable(db, usn(), nowSecs);
    deckConfigsJsonToProtobuf(db);
  }
  if (ver < 16) {
    fixInitialEase(db, usn());
    db.exec('update col set ver = 16');
  }
  if (ver < 17) {
    rebuildTagsWithCollapsed(db);
    db.exec('update col set ver = 17');
  }
  if (ver < 18) db.exec(SCHEMA18_UPGRADE_SQL);
}

function colJson(db: Db, column: 'conf' | 'models' | 'decks' | 'dconf' | 'tags'): JsonObject {
  const row = db.prepare(`SELECT ${column} AS v FROM col`).get() as { v: unknown } | undefined;
  if (!row || typeof row.v !== 'string') throw new NotACollectionError(`col.${column} is not text`);
  let value: JsonValue;
  try {
    // duplicate keys are tolerated, the last one winning, as serde_json does
    value = parseJson(row.v);
  } catch (error) {
    throw new NotACollectionError(`col.${column} is not valid JSON`, { cause: error });
  }
  if (!isJsonObject(value)) throw new NotACollectionError(`col.${column} is not a JSON object`);
  return value;
}

function decoding<T>(what: string, convert: () => T): T {
  try {
    return convert();
  } catch (error) {
    throw new NotACollectionError(`decoding ${what}: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
}

// ---- schema 11 → 14 ------------------------------------------------------------

function moveDeckConfigsToTable(db: Db): void {
  const dconf = colJson(db, 'dconf');
  const add = db.prepare('INSERT INTO deck_config (id, name, mtime_secs, usn, config) VALUES (?, ?, ?, ?, ?)');
  for (const key of Object.keys(dconf)) {
    // buggy clients may have left the inner id different from the map key; the key wins
    const legacy: JsonObject = { ...expectConfObject(dconf[key], key), id: Number(key) };
    const parsed = decoding(`deck config ${key}`, () => deckConfigFromLegacy(legacy));
    // schema 14 kept the legacy JSON itself in the blob; step 15 converts it
    add.run(parsed.id, parsed.name, parsed.mtimeSecs, parsed.usn, jsonBytes(legacy));
  }
  db.exec("update col set dconf=''");
}

function expectConfObject(value: JsonValue | undefined, key: string): JsonObject {
  if (!isJsonObject(value)) throw new NotACollectionError(`decoding deck config ${key}: not a JSON object`);
  return value;
}

function moveTagsToTable(db: Db): void {
  const tags = colJson(db, 'tags');
  const add = db.prepare('insert or ignore into tags (tag, usn) values (?, ?)');
  for (const tag of Object.keys(tags)) {
    const usn = tags[tag];
    if (typeof usn !== 'number' || !Number.isInteger(usn)) throw new NotACollectionError(`tag ${tag}: usn is not an integer`);
    add.run(tag, usn);
  }
  db.exec("update col set tags=''");
}

function moveConfigToTable(db: Db): void {
  setAllConfig(db, colJson(db, 'conf'), 0, 0);
  db.exec("update col set conf=''");
}

// ---- schema 14 → 15 ------------------------------------------------------------

function moveNotetypesToTables(db: Db): void {
  const models = colJson(db, 'models');
  for (const key of Object.keys(models)) {
    const nt = decoding(`notetype ${key}`, () => notetypeFromLegacy(models[key]));
    let id = decoding(`notetype ${key}`, () => {
      const n = Number(key);
      if (!Number.isSafeInteger(n)) throw new Error('map key is not an id');
      return n;
    });
    // notetypes with id 0 exist in the wild; they get a random id
    if (id === 0) id = Math.max(1, Math.floor(Math.random() * 2 ** 32));
    nt.id = id;
    normalizeNotetypeNames(nt);
    makeFieldAndTemplateNamesUnique(db, nt);
    while (statement(db, 'SELECT 1 FROM notetypes WHERE name = ?').get(nt.name)) nt.name += '_';
    putNotetype(db, nt);
  }
  db.exec("update col set models = ''");
}

function normalizeNotetypeNames(nt: Notetype): void {
  nt.name = nt.name.normalize('NFC');
  for (const f of nt.fields) f.name = f.name.normalize('NFC');
  for (const t of nt.templates) t.name = t.name.normalize('NFC');
}

function unicaseEqual(db: Db, a: string, b: string): boolean {
  const row = statement(db, 'SELECT (? = ? COLLATE unicase) AS same').get(a, b) as { same: bigint | number };
  return Number(row.same) === 1;
}

function makeFieldAndTemplateNamesUnique(db: Db, nt: Notetype): void {
  for (const list of [nt.templates, nt.fields]) {
    const seen: string[] = [];
    for (const item of list) {
      while (seen.some((name) => unicaseEqual(db, name, item.name))) item.name += '+';
      seen.push(item.name);
    }
  }
}

function moveDecksToTable(db: Db, usn: number, nowSecs: number): void {
  const decks = colJson(db, 'decks');
  for (const key of Object.keys(decks)) {
    const legacy = decks[key];
    const deck = decoding(`deck ${key}`, () => deckFromLegacy(legacy));
    const oldName = (legacy as JsonObject)['name'];
    const markModified = (): void => {
      deck.mtimeSecs = nowSecs;
      deck.usn = usn;
    };
    if (humanDeckName(deck.name) !== oldName) markModified();
    while (statement(db, 'SELECT 1 FROM decks WHERE name = ?').get(deck.name)) {
      deck.name += '_';
      markModified();
    }
    putDeck(db, deck);
  }
  db.exec("update col set decks = ''");
}

function deckConfigsJsonToProtobuf(db: Db): void {
  const rows = db.prepare('SELECT id, config FROM deck_config').all() as { id: number; config: Buffer }[];
  const update = db.prepare('UPDATE deck_config SET name = ?, mtime_secs = ?, usn = ?, config = ? WHERE id = ?');
  for (const row of rows) {
    const dc = decoding(`deck config ${row.id}`, () => {
      const parsed = deckConfigFromLegacy(parseJson(Buffer.from(row.config).toString('utf8')));
      return parsed;
    });
    // schema 15 stored an initial ease of 2.5 as 250
    dc.config.initial_ease = Math.fround(dc.config.initial_ease * 100);
    update.run(dc.name, dc.mtimeSecs, dc.usn, deckConfigConfigCodec.encode(dc.config), row.id);
  }
}

// ---- schema 15 → 16 ------------------------------------------------------------

function fixInitialEase(db: Db, usn: number): void {
  const rows = db.prepare('SELECT id, config FROM deck_config').all() as { id: number; config: Buffer }[];
  const update = db.prepare('UPDATE deck_config SET config = ? WHERE id = ?');
  const reset: number[] = [];
  for (const row of rows) {
    const config = decoding(`deck config ${row.id}`, () => deckConfigConfigCodec.decode(row.config));
    config.initial_ease = Math.fround(config.initial_ease / 100);
    // schema 15 created configs with a wrong minimum ease: back to the default
    if (config.initial_ease <= Math.fround(1.3)) {
      config.initial_ease = 2.5;
      reset.push(row.id);
    }
    update.run(deckConfigConfigCodec.encode(config), row.id);
  }
  if (reset.length > 0) fixLowCardEases(db, reset, usn);
}

function fixLowCardEases(db: Db, configIds: number[], usn: number): void {
  const deckIds: number[] = [];
  const decks = db.prepare('SELECT id, kind FROM decks').all() as { id: number; kind: Buffer }[];
  for (const configId of configIds) {
    for (const deck of decks) {
      const kind = decoding(`deck ${deck.id}`, () => deckKindOf(deck.kind));
      if (kind !== undefined && Number(kind) === configId) deckIds.push(deck.id);
    }
  }
  const list = `(${deckIds.map((id) => String(Math.trunc(id))).join(',')})`;
  db.prepare(`UPDATE cards SET factor = 2500, usn = ? WHERE factor != 0 AND factor <= 2000 AND (did IN ${list} OR odid IN ${list})`).run(
    usn,
  );
}

function deckKindOf(blob: Buffer): bigint | undefined {
  const kind = deckKindCodec.decode(blob);
  return kind.normal?.config_id;
}

// ---- schema 16 → 17 ------------------------------------------------------------

function rebuildTagsWithCollapsed(db: Db): void {
  const tags = db.prepare('SELECT tag, usn FROM tags').all() as { tag: string; usn: number }[];
  db.exec(SCHEMA17_UPGRADE_SQL);
  const add = db.prepare('INSERT OR REPLACE INTO tags (tag, usn, collapsed) VALUES (?, ?, ?)');
  for (const tag of tags) add.run(tag.tag, tag.usn, 1);
}
