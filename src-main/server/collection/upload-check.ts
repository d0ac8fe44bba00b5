// Is an uploaded file a collection we can take? It must be a SQLite database
// whose schema is exactly what a real client writes at its version (no
// triggers, no views, every table and index as Anki makes them:
// storage/schema/collection-schema.ts), that passes `PRAGMA integrity_check` with our
// unicase collation, with exactly one `col` row of schema 11 or 14–18 (12 and
// 13 never shipped in a client). The schema is checked first, before any
// statement that could run something the file defines.
// An older schema is then upgraded in place to 18, as the reference's open
// routine does, and its schema checked again: the live collection is always schema 18.
// Anything else is refused before the live collection is touched.
import { closeSync, openSync, readSync } from 'node:fs';
import { openDatabase } from '../storage/sqlite.js';
import type Database from 'better-sqlite3';
import { upgradeToSchema18 } from '../storage/schema/upgrade.js';
import { SCHEMA_MAX_VERSION } from '../storage/schema/schema-version.js';
import { collectionSchemaProblem } from '../storage/schema/collection-schema.js';

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

export type UploadVerdict = { readonly ok: true; readonly schema: number } | { readonly ok: false; readonly reason: string };

export function acceptedSchema(ver: number): boolean {
  return ver === 11 || (ver >= 14 && ver <= 18);
}

function startsWithSqliteMagic(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(SQLITE_MAGIC.length);
    return readSync(fd, head, 0, head.length, 0) === head.length && head.equals(SQLITE_MAGIC);
  } finally {
    closeSync(fd);
  }
}

/** The checks alone, without changing the file. */
export function checkUploadedCollection(path: string): UploadVerdict {
  return withUpload(path, (db) => checkOpenUpload(db));
}

/** Opens the upload (if it starts as SQLite does) for `work`, and closes it. */
function withUpload(path: string, work: (db: Database.Database) => UploadVerdict): UploadVerdict {
  if (!startsWithSqliteMagic(path)) return { ok: false, reason: 'not a SQLite database' };
  let db;
  try {
    db = openDatabase(path, { fileMustExist: true });
  } catch (error) {
    return { ok: false, reason: `does not open: ${String(error)}` };
  }
  try {
    return work(db);
  } catch (error) {
    return { ok: false, reason: String(error) };
  } finally {
    db.close();
  }
}

function checkOpenUpload(db: Database.Database): UploadVerdict {
  const colTable = db.prepare("SELECT type FROM sqlite_schema WHERE name = 'col'").pluck().all();
  if (colTable.length !== 1 || colTable[0] !== 'table') return { ok: false, reason: 'no col table' };
  const col = db.prepare('SELECT ver FROM col').pluck().all();
  if (col.length !== 1) return { ok: false, reason: `col has ${col.length} rows` };
  const ver = col[0];
  if (typeof ver !== 'number' || !acceptedSchema(ver)) return { ok: false, reason: `schema ${String(ver)} is not 11 or 14..18` };
  const schemaProblem = collectionSchemaProblem(db, ver);
  if (schemaProblem !== null) return { ok: false, reason: `not an Anki collection: ${schemaProblem}` };
  const rows = db.prepare('PRAGMA integrity_check').pluck().all();
  if (rows.length !== 1 || rows[0] !== 'ok') return { ok: false, reason: `integrity_check: ${rows.slice(0, 3).join('; ')}` };
  return { ok: true, schema: ver };
}

/**
 * Checks the file and leaves it as a sound schema-18 collection, or says why
 * it cannot be one. The upgrade uses client semantics (objects it touches
 * become pending, usn -1), as the reference does when it opens an upload.
 * One pass on one connection: the checks, then the upgrade, then the schema
 * checked again at 18. integrity_check is not run a second time: the upgrade
 * is SQLite's own writes in one transaction on a file that just passed it.
 * The upgrade's commit is not fsynced (synchronous = OFF): the file is a
 * spool file, fsynced as a whole before it is installed
 * (storage/database-files.ts), and removed at start if the process stops
 * before that.
 */
export function prepareUploadedCollection(path: string): UploadVerdict {
  return withUpload(path, (db) => {
    const verdict = checkOpenUpload(db);
    if (!verdict.ok) return verdict;
    db.pragma('synchronous = OFF');
    if (verdict.schema !== SCHEMA_MAX_VERSION) {
      try {
        upgradeToSchema18(db, { server: false });
      } catch (error) {
        return { ok: false, reason: `upgrade from schema ${verdict.schema} failed: ${String(error)}` };
      }
      const ver = db.prepare('SELECT ver FROM col').pluck().get();
      const problem = ver === SCHEMA_MAX_VERSION ? collectionSchemaProblem(db, SCHEMA_MAX_VERSION) : `col.ver is ${String(ver)}`;
      if (problem !== null) return { ok: false, reason: `after the upgrade to schema 18: not an Anki collection: ${problem}` };
    }
    // Clients upload in journal_mode DELETE; the live collection is WAL (storage/collection-file.ts).
    // Switched here, unsynced like the upgrade, the first open after the install finds WAL already;
    // switched there, it was a durable write through a rollback journal (three fsyncs) in the
    // next request of the account. Where it cannot be done (no room for the WAL), that open still does it.
    try {
      db.pragma('journal_mode = WAL');
    } catch {
      // The upload is sound either way.
    }
    return { ok: true, schema: SCHEMA_MAX_VERSION };
  });
}
