// Shared by the object tests: real SQLite files in temp folders.
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { openDatabase } from '../../../../src-main/server/storage/sqlite.js';
import { createCollectionSchema } from '../../../../src-main/server/storage/schema/create-schema.js';
import { copyRealAnkiFixture } from '../../../support/real-anki-fixtures.js';
import { makeTempFolder } from '../../../support/temp-folder.js';

export const V18_FIXTURES = ['v18-empty-stock-notetypes.anki2', 'v18-two-decks-16-notes.anki2'];

/** A new, empty schema-18 collection file. */
export function emptyCollection(): Database.Database {
  const path = join(makeTempFolder('ahs-objects-'), 'collection.anki2');
  const db = openDatabase(path);
  createCollectionSchema(db, { crt: 1700000000, scm: 1700000000000, conf: {} });
  return db;
}

export function openFixtureCopy(name: string): Database.Database {
  return openDatabase(copyRealAnkiFixture(name));
}

/** Every row of a table, blobs as hex, ordered, for exact comparisons. */
export function tableRows(db: Database.Database, table: string, orderBy: string): unknown[] {
  return (db.prepare(`SELECT * FROM ${table} ORDER BY ${orderBy}`).all() as Record<string, unknown>[]).map((row) =>
    Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v])),
  );
}
