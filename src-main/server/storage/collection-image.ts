// What a full download sends: the collection as one consistent image, made
// without writing a copy, so a download works on a full disk and costs no disk
// space or copying time. After a checkpoint has moved everything into the main
// file, a read-only connection opens a read transaction on it: with the WAL
// empty, that reader reads the file alone, and SQLite lets no checkpoint
// write to the file until the reader ends (a checkpoint needs the lock such a
// reader holds). So the file's bytes stay exactly as they are while they are
// sent, whatever the account's devices do meanwhile; later writes wait in the
// WAL. A descriptor opened now keeps those bytes even if a full upload renames
// another file into place.
//
// When another reader holds the WAL (a snapshot being compressed, a download
// still being sent to a slow phone), the checkpoint cannot finish. Then the
// image is a copy of the file and its WAL, folded on the copy
// (copy-with-wal.ts), when the caller gives it a place and the disk has room
// for it twice over. Only when there is no such room (or the checkpoint failed
// for want of room, or the handle is held exclusively) is the image SQLite's
// own serialization, in memory: the whole collection in RAM until it is sent.
import { closeSync, fstatSync, openSync, statSync, statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import type Database from 'better-sqlite3';
import { isOutOfSpace } from '../errors.js';
import { copyWithWal } from './copy-with-wal.js';
import { removeDatabaseFilesSync } from './database-files.js';
import { checkpointWithoutWaiting, openDatabase } from './sqlite.js';

export type CollectionImage =
  | { readonly kind: 'file'; readonly fd: number; readonly size: number; release(): void }
  | { readonly kind: 'memory'; readonly data: Buffer };

export interface ImageOptions {
  /** The handle was opened exclusively (no room on the disk), so no second connection can read the file. */
  readonly exclusive: boolean;
  /** Where a copy may be made while another reader holds the WAL (a spool path, storage/spool-files.ts). */
  readonly scratchPath?: () => string;
}

/** The collection open in `db` (at `path`) as it stands. */
export function collectionImage(db: Database.Database, path: string, options: ImageOptions): CollectionImage {
  if (options.exclusive) return memoryImage(db);
  const live = fileImage(db, path);
  if (live !== 'busy') return live ?? memoryImage(db);
  const copy = options.scratchPath === undefined ? null : copiedImage(path, options.scratchPath());
  return copy ?? memoryImage(db);
}

function memoryImage(db: Database.Database): CollectionImage {
  return { kind: 'memory', data: db.serialize() };
}

/** The bytes of the file at `path`; 0 when there is none. */
function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** An image read from `fd`; `release` closes it, then frees what else the image held. */
function descriptorImage(fd: number, releaseRest: () => void): CollectionImage {
  return {
    kind: 'file',
    fd,
    size: fstatSync(fd).size,
    release: () => {
      closeSync(fd);
      releaseRest();
    },
  };
}

/** The live file as the image; 'busy' when another reader keeps the WAL from being folded; null when the checkpoint had no room. */
function fileImage(db: Database.Database, path: string): CollectionImage | 'busy' | null {
  try {
    const result = checkpointWithoutWaiting(db);
    if (result === undefined) return null;
    if (result.busy !== 0 || sizeOf(`${path}-wal`) !== 0) return 'busy';
  } catch (error) {
    if (isOutOfSpace(error)) return null;
    throw error;
  }
  const reader = openDatabase(path, { readonly: true, fileMustExist: true });
  try {
    reader.exec('BEGIN');
    // The read starts here, on the file alone: the caller holds the account's lock, so nothing wrote since the checkpoint.
    reader.prepare('SELECT count(*) FROM sqlite_master').get();
    return descriptorImage(openSync(path, 'r'), () => reader.close());
  } catch (error) {
    reader.close();
    if (isOutOfSpace(error)) return null;
    throw error;
  }
}

/**
 * The file and its WAL copied to `scratch` and folded there; the copy goes when
 * the image is released. Null, with nothing left behind, when the disk lacks
 * room for the copy twice over (a copy that filled the disk would make the
 * other accounts' syncs fail until the download ended) or the copy fails.
 */
function copiedImage(path: string, scratch: string): CollectionImage | null {
  if (!roomFor(dirname(scratch), sizeOf(path) + sizeOf(`${path}-wal`))) return null;
  if (!copyWithWal(path, scratch)) return null;
  try {
    return descriptorImage(openSync(scratch, 'r'), () => removeDatabaseFilesSync(scratch));
  } catch {
    removeDatabaseFilesSync(scratch);
    return null;
  }
}

function roomFor(folder: string, bytes: number): boolean {
  try {
    const fs = statfsSync(folder);
    return fs.bavail * fs.bsize >= 2 * bytes;
  } catch {
    return false;
  }
}
