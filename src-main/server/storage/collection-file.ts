// Opening a user's collection.anki2, and creating the brand-new empty
// collection the first time a user syncs (docs/protocol/collection-sync.md §5.3, §6.2).
//
// Locking: the reference opens collections with locking_mode=EXCLUSIVE, which
// makes every other connection to the file fail with "database is locked" for
// as long as the handle stays open, and the server keeps one open per user for
// its whole life. We use NORMAL locking with WAL instead, so that a second,
// read-only connection (a full download or backup taking a snapshot with the
// backup API, the app reading counts for its window) reads a consistent
// snapshot while the user's handle stays open, without waiting or failing.
// Writes still come only from the user's one handle, under the dispatcher's
// per-user lock. What EXCLUSIVE also gave, refusing a second server process on
// the same data folder, belongs to a lock on SYNC_BASE taken at start-up.

import { removeDatabaseFilesSync } from './database-files.js';
import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { makeFolderSync, syncFileSync, syncFolderSync } from './durable.js';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import type Database from 'better-sqlite3';
import { ServerFaultError } from '../errors.js';
import { openDatabase, type OpenOptions } from './sqlite.js';
import { buildEmptyCollection } from './new-collection/build.js';
import { upgradeToSchema18 } from './schema/upgrade.js';
import { checkSchemaVersion, NotACollectionError, readSchemaVersion, UnsupportedSchemaError } from './schema/schema-version.js';
import { makePrivate } from './private-files.js';

/** The collection file cannot be used: not SQLite, not a collection, or a schema we cannot read. */
export class CollectionFileError extends ServerFaultError {}

/**
 * SQLite's page cache for an open collection, in KiB: an upper bound, filled
 * only as pages are read, and freed when an idle account's files close.
 */
const COLLECTION_CACHE_KIB = 40_960;

/** Settings of the connection only: they change nothing in the file. */
function applyConnectionPragmas(db: Database.Database): void {
  // A writer in another connection may hold the lock for a moment (a checkpoint); wait rather than fail.
  db.pragma('busy_timeout = 5000');
  db.pragma('locking_mode = NORMAL');
  db.pragma(`cache_size = -${COLLECTION_CACHE_KIB}`);
  // Every commit is on disk before the client is told it succeeded: openDatabase sets synchronous = FULL.
}

/**
 * Settings stored in the file, so applied only once it is known to be a
 * collection we may write: a file we refuse must stay byte for byte as it was.
 */
function applyFilePragmas(db: Database.Database): void {
  // Only takes effect on a file with no tables yet; Anki's files all use 4096.
  db.pragma('page_size = 4096');
  // As a client leaves its files (header bytes 18/19 = 2).
  db.pragma('journal_mode = WAL');
}

/** `col.ver` if it is one we can open, or a CollectionFileError saying why not. */
function readableSchemaVersion(db: Database.Database, path: string): number {
  try {
    const ver = readSchemaVersion(db);
    checkSchemaVersion(ver);
    return ver;
  } catch (error) {
    if (error instanceof NotACollectionError) {
      throw new CollectionFileError(`${path} is not an Anki collection: ${error.message}`, { cause: error });
    }
    if (error instanceof UnsupportedSchemaError) throw new CollectionFileError(`${path}: ${error.message}`, { cause: error });
    throw new CollectionFileError(`${path} cannot be read as an SQLite database: ${String(error)}`, { cause: error });
  }
}

const CREATING_MARK = '.creating-';

/** Half-built collections left by a crash during creation: never a user's data. */
function removeAbandonedBuilds(target: string): void {
  const prefix = basename(target) + CREATING_MARK;
  for (const name of readdirSync(dirname(target))) {
    if (name.startsWith(prefix)) rmSync(join(dirname(target), name), { force: true });
  }
}

/**
 * Builds a new empty collection beside `target` and moves it into place in one
 * rename, so a crash part-way leaves no collection rather than a broken one.
 */
export function createEmptyCollectionFile(target: string, nowMs = Date.now()): void {
  makeFolderSync(dirname(target));
  removeAbandonedBuilds(target);
  const temp = `${target}${CREATING_MARK}${randomBytes(6).toString('hex')}`;
  try {
    const db = openDatabase(temp);
    try {
      applyConnectionPragmas(db);
      applyFilePragmas(db);
      buildEmptyCollection(db, nowMs);
    } finally {
      // Closing the last connection checkpoints the WAL into the file and deletes it.
      db.close();
    }
    syncFileSync(temp);
    renameSync(temp, target);
    syncFolderSync(dirname(target));
  } catch (error) {
    removeDatabaseFilesSync(temp);
    throw error;
  }
}

/**
 * Opens the collection on a disk with no room for WAL's shared-memory file:
 * exclusively, so SQLite keeps that index in memory. Reads work as usual; a
 * write fails with SQLITE_FULL (507) until space is freed; no second connection
 * can read the file while it is open. Never creates a collection.
 */
export function openCollectionWithoutSpace(path: string): Database.Database {
  const db = openReadable(path, { fileMustExist: true, exclusive: true });
  try {
    db.pragma(`cache_size = -${COLLECTION_CACHE_KIB}`);
    const ver = readableSchemaVersion(db, path);
    if (ver !== 18) upgradeToSchema18(db, { server: true });
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/** openDatabase, its failure (a file that is not SQLite, a locked one, no room for the -shm) said of the collection, the cause kept. */
function openReadable(path: string, options?: OpenOptions): Database.Database {
  try {
    return openDatabase(path, options);
  } catch (error) {
    throw new CollectionFileError(`${path} cannot be read as an SQLite database: ${String(error)}`, { cause: error });
  }
}

function isMissingOrEmpty(path: string): boolean {
  if (!existsSync(path)) return true;
  // SQLite reads a zero-byte file as an empty database: it holds nothing to lose.
  return statSync(path).size === 0 && !existsSync(`${path}-wal`);
}

/**
 * Opens the collection at `path`, creating a brand-new empty one when there is
 * none. A file of an older schema (a legacy client's download leaves schema 11
 * behind, as the official server does) is upgraded to 18. An existing file that
 * is not a readable collection is never changed: the error says why.
 */
export function openCollection(path: string): Database.Database {
  if (isMissingOrEmpty(path)) {
    createEmptyCollectionFile(path);
    makePrivate(path);
  }
  const db = openReadable(path);
  try {
    try {
      applyConnectionPragmas(db);
    } catch (error) {
      throw new CollectionFileError(`${path} cannot be read as an SQLite database: ${String(error)}`, { cause: error });
    }
    const ver = readableSchemaVersion(db, path);
    applyFilePragmas(db);
    // true: objects the upgrade renames get the server's usn, as on the reference server.
    if (ver !== 18) upgradeToSchema18(db, { server: true });
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
