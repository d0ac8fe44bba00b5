// What a full download sends: the collection as one consistent image, made
// without writing a copy, so a download works on a full disk and costs no disk
// space or copying time. After a checkpoint has moved everything into the main
// file, a read-only connection opens a read transaction on it: with the WAL
// empty, that reader reads the file alone, and SQLite lets no checkpoint
// write to the file until the reader ends (a checkpoint needs the lock such a
// reader holds). So the file's bytes stay exactly as they are while they are
// sent, whatever the account's devices do meanwhile; later writes wait in the
// WAL. A descriptor opened now keeps those bytes even if a full upload renames
// another file into place. When the checkpoint cannot finish (no room to grow
// the file, another reader holding it) or the handle is held exclusively, the
// image is SQLite's own serialization, in memory.
import { closeSync, fstatSync, openSync, statSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { isOutOfSpace } from '../errors.js';
import { checkpointWithoutWaiting, openDatabase } from './sqlite.js';

export type CollectionImage =
  | { readonly kind: 'file'; readonly fd: number; readonly size: number; release(): void }
  | { readonly kind: 'memory'; readonly data: Buffer };

/**
 * The collection open in `db` (at `path`) as it stands. `exclusive`: the handle
 * was opened exclusively (no room on the disk), so no second connection can
 * read the file.
 */
export function collectionImage(db: Database.Database, path: string, options: { exclusive: boolean }): CollectionImage {
  const image = options.exclusive ? null : fileImage(db, path);
  return image ?? { kind: 'memory', data: db.serialize() };
}

function walFrames(path: string): number {
  try {
    return statSync(`${path}-wal`).size;
  } catch {
    return 0;
  }
}

function fileImage(db: Database.Database, path: string): CollectionImage | null {
  try {
    const result = checkpointWithoutWaiting(db);
    if (result === undefined || result.busy !== 0 || walFrames(path) !== 0) return null;
  } catch (error) {
    if (isOutOfSpace(error)) return null;
    throw error;
  }
  const reader = openDatabase(path, { readonly: true, fileMustExist: true });
  try {
    reader.exec('BEGIN');
    // The read starts here, on the file alone: the caller holds the account's lock, so nothing wrote since the checkpoint.
    reader.prepare('SELECT count(*) FROM sqlite_master').get();
    const fd = openSync(path, 'r');
    return {
      kind: 'file',
      fd,
      size: fstatSync(fd).size,
      release: () => {
        closeSync(fd);
        reader.close();
      },
    };
  } catch (error) {
    reader.close();
    if (isOutOfSpace(error)) return null;
    throw error;
  }
}
