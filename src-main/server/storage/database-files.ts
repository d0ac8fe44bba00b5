// A SQLite database is its file plus the side files SQLite keeps beside it
// (-wal, -shm, -journal). Removing one and installing one over another are done
// here only: a side file of the old database that meets the new one would be
// replayed into it (the WAL) or confuse its locking (the -shm).
import { existsSync, rmSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { openDatabase } from './sqlite.js';

export const SIDE_FILE_SUFFIXES = ['-wal', '-shm', '-journal'] as const;

/** A side file's name (`collection.anki2-wal`), never itself a database to list or back up. */
export function isSideFile(name: string): boolean {
  return SIDE_FILE_SUFFIXES.some((suffix) => name.endsWith(suffix));
}

export async function removeSideFiles(path: string): Promise<void> {
  for (const suffix of SIDE_FILE_SUFFIXES) await rm(path + suffix, { force: true });
}

/** The database and its side files, ignoring any that do not exist. */
export async function removeDatabaseFiles(path: string): Promise<void> {
  await rm(path, { force: true });
  await removeSideFiles(path);
}

export function removeDatabaseFilesSync(path: string): void {
  for (const suffix of ['', ...SIDE_FILE_SUFFIXES]) rmSync(path + suffix, { force: true });
}

async function fsyncPath(path: string, flags: 'r' | 'r+'): Promise<void> {
  const handle = await open(path, flags);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Folds a WAL (left by a crash, or by a handle just closed) back into its database, so the file alone is the whole of it. */
export function checkpointLeftoverWal(path: string): void {
  if (!existsSync(`${path}-wal`)) return;
  try {
    const db = openDatabase(path, { fileMustExist: true, timeout: 5000 });
    try {
      db.pragma('wal_checkpoint(TRUNCATE)');
    } finally {
      db.close();
    }
  } catch {
    // An unreadable old database is still kept as it is.
  }
}

/**
 * Puts `staged` (a complete database in the same folder, no handle open on it)
 * in place of `target`, so that whenever the process stops the folder holds the
 * old database or the new one, whole: fsync the new file, fold the old one's WAL
 * in and hand it to `keepOld` (a backup) while it is still there, remove its side
 * files, rename over it, fsync the folder.
 */
export async function installDatabaseFile(staged: string, target: string, keepOld: (old: string) => Promise<void>): Promise<void> {
  await fsyncPath(staged, 'r+');
  if (existsSync(target)) {
    checkpointLeftoverWal(target);
    await keepOld(target);
  }
  await removeSideFiles(target);
  await rename(staged, target);
  // Directory fsync makes the rename durable; some platforms (Windows) cannot open a directory, and the rename is still atomic.
  await fsyncPath(dirname(target), 'r').catch(() => undefined);
}
