// A SQLite database is its file plus the side files SQLite keeps beside it
// (-wal, -shm, -journal). Removing one and installing one over another are done
// here only: a side file of the old database that meets the new one would be
// replayed into it (the WAL) or confuse its locking (the -shm).
import { existsSync, rmSync, statSync } from 'node:fs';
import { copyFile, rename, rm } from 'node:fs/promises';
import { syncFile, syncFolder } from './durable.js';
import { dirname } from 'node:path';
import { spoolPath } from './spool-files.js';
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

/** True when `path` has a WAL with frames in it, which the file alone does not hold. */
function hasWalFrames(path: string): boolean {
  try {
    return statSync(`${path}-wal`).size > 0;
  } catch {
    return false;
  }
}

/** Folds `path`'s WAL into it; true when the file alone is now the whole database. */
function foldWal(path: string, timeoutMs: number): boolean {
  if (!hasWalFrames(path)) return true;
  try {
    const db = openDatabase(path, { fileMustExist: true, timeout: timeoutMs });
    try {
      db.pragma('wal_checkpoint(TRUNCATE)');
    } finally {
      db.close();
    }
  } catch {
    // Unreadable, or locked: told apart below by what is left.
  }
  return !hasWalFrames(path);
}

/**
 * The old database, whole, for keepOld. A WAL left by a crash is folded into
 * it. If that cannot be done in place (another program holds a snapshot open,
 * so the checkpoint stops short), the file and its WAL are copied and folded
 * there, where nothing else can hold them; without that, the changes still in
 * the WAL would go when the side files are removed. An old database that cannot
 * be read at all is kept as it is.
 */
async function wholeOldDatabase(target: string): Promise<{ path: string; dispose: () => Promise<void> }> {
  const inPlace = { path: target, dispose: async () => undefined };
  if (foldWal(target, 1000)) return inPlace;
  const copy = spoolPath(dirname(target), 'backup');
  const dispose = (): Promise<void> => removeDatabaseFiles(copy);
  try {
    await copyFile(target, copy);
    await copyFile(`${target}-wal`, `${copy}-wal`);
    if (foldWal(copy, 0)) return { path: copy, dispose };
  } catch {
    // Falls through to keeping the file as it is.
  }
  await dispose();
  return inPlace;
}

/**
 * Puts `staged` (a complete database in the same folder, no handle open on it)
 * in place of `target`, so that whenever the process stops the folder holds the
 * old database or the new one, whole: fsync the new file, hand the old one to
 * `keepOld` (a backup) whole, its WAL folded in, while it is still there, remove
 * its side files, rename over it, fsync the folder.
 */
export async function installDatabaseFile(staged: string, target: string, keepOld: (old: string) => Promise<void>): Promise<void> {
  await syncFile(staged);
  if (existsSync(target)) {
    const old = await wholeOldDatabase(target);
    try {
      await keepOld(old.path);
    } finally {
      await old.dispose();
    }
  }
  await removeSideFiles(target);
  await rename(staged, target);
  await syncFolder(dirname(target));
}
