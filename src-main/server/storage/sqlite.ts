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
export function openDatabase(path: string, options?: Database.Options): Database.Database {
  const library = collationLibrary();
  const db = new Database(path, options);
  try {
    db.pragma('trusted_schema = OFF');
    // SQLite derives the entry point from the file name: unicase.* -> sqlite3_unicase_init.
    db.loadExtension(library);
  } catch (error) {
    db.close();
    throw new Error(`Could not load the unicase collation from ${library}: ${String(error)}`, { cause: error });
  }
  try {
    // Reads the file's header, so it fails like the first query would (SQLITE_BUSY when another server holds it).
    db.pragma('synchronous = FULL');
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}
