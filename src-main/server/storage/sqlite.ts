// Every SQLite connection the server opens comes from here, so every one of
// them knows the `unicase` collation that schema-18 collections declare. Without
// it SQLite refuses to touch those tables ("no such collation sequence"), and a
// collation that orders differently from Anki's would corrupt their indexes.

import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';

/** What node-gyp names a `shared_library` target on each platform. */
function libraryFileName(): string {
  if (process.platform === 'win32') return 'unicase.dll';
  if (process.platform === 'darwin') return 'unicase.dylib';
  return 'unicase.so';
}

/**
 * Files packed into Electron's app.asar cannot be loaded by the OS; electron-builder
 * puts unpacked copies (asarUnpack) beside it in app.asar.unpacked.
 */
export function outsideAsar(path: string): string {
  return path.replace(/([\\/])app\.asar([\\/])/, '$1app.asar.unpacked$2');
}

/** Finds native/build/Release/<lib> in the nearest ancestor of this module that has it. */
export function findCollationLibrary(fromDir = dirname(fileURLToPath(import.meta.url))): string {
  const fileName = libraryFileName();
  const tried: string[] = [];
  let dir = fromDir;
  for (;;) {
    const candidate = outsideAsar(join(dir, 'native', 'build', 'Release', fileName));
    tried.push(candidate);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error(
    `The unicase collation library (${fileName}) is missing; build it with "npm run build:native". ` + `Looked in: ${tried.join(', ')}`,
  );
}

export interface OpenOptions extends Database.Options {
  /**
   * locking_mode = EXCLUSIVE from the first read: a WAL database then needs no
   * -shm file (SQLite keeps its index in memory), so it opens on a disk with no
   * free space, and no other connection can read it while this one is open.
   */
  readonly exclusive?: boolean;
}

let cachedLibrary: string | null = null;

function collationLibrary(): string {
  cachedLibrary ??= findCollationLibrary();
  return cachedLibrary;
}

/**
 * Opens a SQLite database with the `unicase` collation loaded, and with
 * `trusted_schema` off: a file's own schema (an index expression, a CHECK, a
 * trigger) may not call functions that have side effects. Our schemas call none.
 *
 * Every commit is on disk before it returns (`synchronous = FULL`), so no answer
 * that depends on it goes out before it is durable. SQLite's default is FULL, as
 * the reference leaves it (rslib/src/sync/media/database/server/mod.rs), but
 * better-sqlite3 is built with WAL's default lowered to NORMAL
 * (SQLITE_DEFAULT_WAL_SYNCHRONOUS=1), where a commit waits for the next checkpoint.
 */
export function openDatabase(path: string | Buffer, options?: OpenOptions): Database.Database {
  const library = collationLibrary();
  const { exclusive, ...databaseOptions } = options ?? {};
  // A Buffer is a serialized database, opened in memory (a legacy download made without disk space).
  const db = new Database(path, databaseOptions);
  try {
    db.pragma('trusted_schema = OFF');
    // SQLite derives the entry point from the file name: unicase.* -> sqlite3_unicase_init.
    db.loadExtension(library);
  } catch (error) {
    db.close();
    throw new Error(`Could not load the unicase collation from ${library}: ${String(error)}`, { cause: error });
  }
  try {
    // Before anything reads the file: in WAL mode, the index then lives in memory, not in a -shm file.
    if (exclusive === true) db.pragma('locking_mode = EXCLUSIVE');
    // Reads the file's header, so it fails like the first query would (SQLITE_BUSY when another server holds it).
    db.pragma('synchronous = FULL');
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

export interface CheckpointResult {
  readonly busy: number;
  readonly log: number;
  readonly checkpointed: number;
}

/**
 * `wal_checkpoint(TRUNCATE)` that does not wait for readers. A reader holding
 * the WAL is one of ours (a snapshot being compressed, a download being sent)
 * and may hold it for seconds, so waiting out the busy timeout (5 s) only
 * delays a caller that has a fallback anyway: a copy of the file and its WAL
 * (copy-with-wal.ts), or an image in memory. It stalled legacy downloads
 * made just after a sync for the whole 5 s. `busy` is 1 when a reader stopped the checkpoint.
 */
export function checkpointWithoutWaiting(db: Database.Database): CheckpointResult | undefined {
  const timeout = Number(db.pragma('busy_timeout', { simple: true }));
  db.pragma('busy_timeout = 0');
  try {
    return (db.pragma('wal_checkpoint(TRUNCATE)') as CheckpointResult[])[0];
  } finally {
    db.pragma(`busy_timeout = ${timeout}`);
  }
}
