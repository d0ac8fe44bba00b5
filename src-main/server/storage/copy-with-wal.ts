// A copy of a database in WAL mode, made while another reader holds its WAL
// (a snapshot being compressed, a download being sent), so the WAL cannot be
// folded into the file itself: the file and its WAL are copied side by side,
// and the copy folds its own. Used by legacy downloads (schema/downgrade.ts)
// and by collection images (collection-image.ts).
import { constants, copyFileSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { removeDatabaseFilesSync } from './database-files.js';
import { checkpointWithoutWaiting, openDatabase } from './sqlite.js';

/** Folds the WAL into the file: true when the file alone now holds every commit. */
export function walFolded(db: Database.Database): boolean {
  if (String(db.pragma('journal_mode', { simple: true })) !== 'wal') return true;
  const result = checkpointWithoutWaiting(db);
  return result !== undefined && result.busy === 0 && result.log === result.checkpointed;
}

/**
 * The file and its WAL as they stand are the database, exactly as SQLite reads
 * them back after a crash (the frames of the last commit and before, by their
 * checksums). Nothing writes either while they are copied: the caller holds the
 * account's lock, and a reader never writes. The copy, opened on its own,
 * folds its WAL into itself. False (and nothing left at `destPath`) if any
 * step fails.
 */
export function copyWithWal(sourcePath: string, destPath: string): boolean {
  try {
    copyFileSync(sourcePath, destPath, constants.COPYFILE_EXCL | constants.COPYFILE_FICLONE);
    copyFileSync(`${sourcePath}-wal`, `${destPath}-wal`, constants.COPYFILE_EXCL | constants.COPYFILE_FICLONE);
    const copy = openDatabase(destPath, { fileMustExist: true });
    try {
      // A scratch file: the caller deletes it once used, so its checkpoint need not be durable.
      copy.pragma('synchronous = OFF');
      if (!walFolded(copy)) throw new Error('the copy kept its WAL');
    } finally {
      copy.close();
    }
    return true;
  } catch {
    removeDatabaseFilesSync(destPath);
    return false;
  }
}
