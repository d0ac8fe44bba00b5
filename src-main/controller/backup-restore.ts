// The previous collections the server keeps in SYNC_BASE/<user>/backups/ (the
// newest few, made before a full upload replaces a collection), listed for the
// window and restored on request. A restore is itself undoable: the collection it
// replaces is backed up first, exactly as a full upload's would be.

import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { basename, join } from 'node:path';
import {
  backUpCollection,
  installDatabaseFile,
  isSideFile,
  markRestored,
  openDatabase,
  pruneBackups,
  type UserPaths,
} from '../server/index.js';
import type { BackupEntry } from '../shared/ipc.js';
import { AppError } from './errors.js';

export async function listBackups(paths: Pick<UserPaths, 'backups'>): Promise<BackupEntry[]> {
  let names: string[];
  try {
    names = await fs.readdir(paths.backups);
  } catch {
    return [];
  }
  const entries: BackupEntry[] = [];
  for (const name of names) {
    if (name.startsWith('.') || isSideFile(name)) continue;
    try {
      const st = await fs.stat(join(paths.backups, name));
      if (st.isFile()) entries.push({ id: name, createdAt: st.mtimeMs, bytes: st.size });
    } catch {
      // Pruned while we looked.
    }
  }
  return entries.sort((a, b) => b.createdAt - a.createdAt);
}

/** Proves the staged copy sound and gives it a new schema time; refuses anything else. */
function prepareRestoredCopy(staged: string, now: number): void {
  const damaged = 'That backup is damaged and was not restored. Your current collection is unchanged.';
  let db;
  try {
    db = openDatabase(staged, { fileMustExist: true });
  } catch (error) {
    throw new AppError('bad-backup', damaged, { cause: error });
  }
  try {
    if (db.pragma('integrity_check', { simple: true }) !== 'ok') throw new AppError('bad-backup', damaged);
    db.prepare('UPDATE col SET scm = ?, mod = ?').run(now, now);
    db.pragma('journal_mode = DELETE');
  } catch (error) {
    throw error instanceof AppError ? error : new AppError('bad-backup', damaged, { cause: error });
  } finally {
    db.close();
  }
}

/**
 * Installs backup `id` as the user's collection. The caller makes sure the
 * server holds no handle on it. The restored copy gets a new schema time, so
 * every device is asked for a full sync instead of merging against a past it
 * never saw.
 */
export async function restoreBackupFile(
  paths: Pick<UserPaths, 'folder' | 'collection' | 'backups'>,
  id: string,
  now = Date.now(),
): Promise<void> {
  const backups = await listBackups(paths);
  if (basename(id) !== id || !backups.some((b) => b.id === id)) {
    throw new AppError('no-such-backup', 'That backup no longer exists. Reopen the list and choose another one.');
  }
  const staged = join(paths.folder, `.restore-${randomBytes(6).toString('hex')}.anki2`);
  try {
    await fs.copyFile(join(paths.backups, id), staged);
    prepareRestoredCopy(staged, now);
    // Kept the way the server keeps a collection a full upload replaces, and pruned with those.
    await installDatabaseFile(staged, paths.collection, async (old) => {
      await backUpCollection(old, paths.backups, new Date(now));
    });
    // Every device that syncs is told, once, to choose Download (meta's msg).
    markRestored(paths.folder, now);
    await pruneBackups(paths.backups);
  } finally {
    await fs.rm(staged, { force: true });
  }
}
