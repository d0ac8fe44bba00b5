// Putting a validated upload in place of the live collection so that, whenever
// the process stops, the folder holds either the old collection or the new one,
// complete, and never a WAL that belongs to the other.
import { existsSync } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { UserContext } from '../protocol.js';
import { openDatabase } from '../storage/sqlite.js';
import { backUpCollection, pruneBackups } from './replaced-collections.js';

async function fsyncPath(path: string, flags: 'r' | 'r+'): Promise<void> {
  const handle = await open(path, flags);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Directory fsync makes the rename durable; some platforms cannot open a directory, which is fine. */
async function fsyncFolder(folder: string): Promise<void> {
  await fsyncPath(folder, 'r').catch(() => undefined);
}

/** Folds a WAL left by a crash back into its database before the file is copied or replaced. */
function checkpointLeftoverWal(collection: string): void {
  const wal = `${collection}-wal`;
  if (!existsSync(wal)) return;
  try {
    const db = openDatabase(collection, { fileMustExist: true });
    try {
      db.pragma('wal_checkpoint(TRUNCATE)');
    } finally {
      db.close();
    }
  } catch {
    // An unreadable old collection is still backed up as it is.
  }
}

/**
 * Replaces the user's collection with `uploaded` (a file in the same folder):
 * fsync the upload, close the live handle, keep the old file in backups/,
 * remove its -wal/-shm, rename the upload over it, fsync the folder.
 */
export async function installCollection(user: UserContext, uploaded: string): Promise<void> {
  const collection = user.paths.collection;
  await fsyncPath(uploaded, 'r+');
  user.closeCollection();
  if (existsSync(collection)) {
    checkpointLeftoverWal(collection);
    if ((await stat(collection)).size > 0) await backUpCollection(collection, user.paths.backups);
  }
  // Side files of the old database must not meet the new one: SQLite would replay them into it.
  await rm(`${collection}-wal`, { force: true });
  await rm(`${collection}-shm`, { force: true });
  await rm(`${collection}-journal`, { force: true });
  await rename(uploaded, collection);
  await fsyncFolder(dirname(collection));
  if (existsSync(user.paths.backups)) await pruneBackups(user.paths.backups);
}
