// Schema 18 → 11 for legacy full downloads (docs/protocol/collection-sync.md §6.6.2; reference
// downgrade_to_schema_11 in rslib/src/storage/upgrades/mod.rs): the objects go
// back into the `col` row as JSON, the schema-18 tables are dropped, and the
// file leaves WAL for journal_mode=DELETE, which old clients need.
//
// This rewrites the file it is given: callers hand it a copy (copyCollection),
// never the live collection.

import { stringifyJson, type JsonObject } from '../../json.js';
import { defineKey } from '../objects/legacy-json.js';
import { allDeckConfigs } from '../objects/deckconfigs.js';
import { deckConfigToLegacy } from '../objects/deckconfigs-legacy.js';
import { allDecks } from '../objects/decks.js';
import { deckToLegacy } from '../objects/decks-legacy.js';
import { allNotetypes } from '../objects/notetypes.js';
import { notetypeToLegacy } from '../objects/notetypes-legacy.js';
import { getAllConfig } from '../objects/config.js';
import { allTags, tagsToLegacyMap } from '../objects/tags.js';
import type { Db } from '../objects/db.js';
import { constants, copyFileSync } from 'node:fs';
import { openDatabase } from '../sqlite.js';
import { copyWithWal, walFolded } from '../copy-with-wal.js';
import { checkSchemaVersion, readSchemaVersion } from './schema-version.js';
import { SCHEMA11_DOWNGRADE_SQL, SCHEMA18_DOWNGRADE_SQL } from './schema18.js';

/** Downgrades the open schema-18 collection to schema 11 in one transaction, then sets journal_mode=DELETE. */
export function downgradeToSchema11(db: Db): void {
  const ver = readSchemaVersion(db);
  checkSchemaVersion(ver);
  if (ver !== 11) {
    if (ver !== 18) throw new Error(`downgrade expects schema 18, found ${ver}: upgrade it first`);
    db.exec('BEGIN EXCLUSIVE');
    try {
      db.exec(SCHEMA18_DOWNGRADE_SQL);
      writeLegacyColumns(db);
      db.exec(SCHEMA11_DOWNGRADE_SQL);
      db.exec('COMMIT');
    } catch (error) {
      if (db.inTransaction) db.exec('ROLLBACK');
      throw error;
    }
  }
  db.pragma('journal_mode = DELETE');
}

function writeLegacyColumns(db: Db): void {
  // deck configs as the reference reads them: clamped to valid values
  const dconf = byId(allDeckConfigs(db).map(deckConfigToLegacy));
  const decks = byId(allDecks(db).map(deckToLegacy));
  const models = byId(allNotetypes(db).map(notetypeToLegacy));
  const conf = getAllConfig(db);
  const tags = tagsToLegacyMap(allTags(db));
  db.prepare('UPDATE col SET dconf = ?, decks = ?, models = ?, conf = ?, tags = ?').run(
    stringifyJson(dconf),
    stringifyJson(decks),
    stringifyJson(models),
    stringifyJson(conf),
    stringifyJson(tags),
  );
}

function byId(objects: (JsonObject & { id: number })[]): JsonObject {
  const map: JsonObject = {};
  for (const obj of objects) defineKey(map, String(obj.id), obj);
  return map;
}

/**
 * Writes a complete, self-contained copy of `db` to `destPath`, the source's
 * content untouched. The WAL is folded into the file first (the caller holds
 * the account's lock: `db` is its only writer), and the file copied as it is,
 * a copy of pages the kernel may share (copy_file_range, a reflink). Where the
 * fold stops short because a reader of ours still needs the WAL (a snapshot
 * being compressed), the file and its WAL are copied side by side and the
 * copy folds its own WAL. Only if that fails too does VACUUM INTO write the
 * copy, which rebuilds every table and index and costs several times more.
 * The destination must not exist, and `db` must not be inside a transaction.
 */
export function copyCollection(db: Db, destPath: string): void {
  if (!db.memory && db.name !== '') {
    if (walFolded(db)) {
      copyFileSync(db.name, destPath, constants.COPYFILE_EXCL | constants.COPYFILE_FICLONE);
      return;
    }
    if (copyWithWal(db.name, destPath)) return;
  }
  db.prepare('VACUUM INTO ?').run(destPath);
}

/**
 * A schema-11 image of `db`, made in memory (a legacy download on a disk with
 * no room for a copy): SQLite's serialization, downgraded, serialized again.
 */
export function schema11InMemory(db: Db): Buffer {
  const image = db.serialize();
  // The serialization holds the WAL's pages already, but its header still says WAL (bytes 18 and 19
  // are 2), which an in-memory database cannot open; 1 is the rollback journal, as journal_mode =
  // DELETE writes it on a file and as legacy clients need it.
  image[18] = 1;
  image[19] = 1;
  const copy = openDatabase(image);
  try {
    downgradeToSchema11(copy);
    return copy.serialize();
  } finally {
    copy.close();
  }
}

/**
 * Opens the file (a copy), downgrades it to schema 11 with journal_mode=DELETE,
 * closes it. `scratch`: the file is a spool file that is sent and deleted,
 * never kept (collection/full-sync.ts), so its writes need no journal and no
 * fsync: a failure or a crash part-way leaves a file that is removed anyway.
 */
export function downgradeFileToSchema11(path: string, options: { scratch?: boolean } = {}): void {
  const db = openDatabase(path);
  try {
    if (options.scratch === true) {
      // No fsync first: openDatabase's synchronous = FULL made leaving WAL fsync the WAL, the file
      // and both again (four per download, strace showed), for a file that is deleted once sent.
      db.pragma('synchronous = OFF');
      // Out of WAL (the header's bytes 18/19 become 1, as old clients need), then no journal at all.
      db.pragma('journal_mode = DELETE');
      db.pragma('journal_mode = OFF');
    }
    downgradeToSchema11(db);
  } finally {
    db.close();
  }
}
