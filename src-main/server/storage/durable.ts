// What makes a write survive a power cut, in one place. A write is on disk
// only once its file is fsynced, and a new name (a created file or folder, a
// rename, an unlink) only once the folder holding it is fsynced: POSIX promises
// nothing more, and XFS, btrfs and the file systems of NAS boxes keep to that.
// Every folder the server or the app creates goes through makeFolder, and every
// fsync through these functions (docs/architecture.md, "What is on disk when we answer").
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { PRIVATE_FILE_MODE, PRIVATE_FOLDER_MODE } from './private-files.js';

/** Windows cannot open a folder to fsync it; NTFS journals names itself. */
const FOLDERS_SYNC = process.platform !== 'win32';

/** Flushes a file's bytes (and size) to disk. */
export function syncFileSync(path: string): void {
  const fd = openSync(path, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export async function syncFile(path: string): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Makes the names in `folder` (files created, renamed or removed there) durable. */
export function syncFolderSync(folder: string): void {
  if (!FOLDERS_SYNC) return;
  const fd = openSync(folder, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export async function syncFolder(folder: string): Promise<void> {
  if (!FOLDERS_SYNC) return;
  const handle = await open(folder, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** The folders from `path` up to `first` (the topmost one mkdir created), deepest first. */
function createdFolders(path: string, first: string | undefined): string[] {
  if (first === undefined) return [];
  const created: string[] = [];
  for (let folder = path; ; folder = dirname(folder)) {
    created.push(folder);
    if (folder === first || dirname(folder) === folder) return created;
  }
}

/**
 * Creates `path` and any missing parents, private by default, and makes each
 * new folder's name durable in its parent. A folder that already exists is
 * left as it is.
 */
export function makeFolderSync(path: string, mode = PRIVATE_FOLDER_MODE): void {
  const first = mkdirSync(path, { recursive: true, mode });
  for (const folder of createdFolders(path, first)) syncFolderSync(dirname(folder));
}

export async function makeFolder(path: string, mode = PRIVATE_FOLDER_MODE): Promise<void> {
  const first = await mkdir(path, { recursive: true, mode });
  for (const folder of createdFolders(path, first)) await syncFolder(dirname(folder));
}

/**
 * Replaces `path` with `data`, whole or not at all, and durably: a temp file
 * beside it, every byte written (a short write on a full disk is an error,
 * never a shorter file), fsynced, renamed over `path`, and the folder fsynced.
 */
export function writeFileDurablySync(path: string, data: string | Uint8Array, mode = PRIVATE_FILE_MODE): void {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(temp, 'wx', mode);
  try {
    try {
      let offset = 0;
      while (offset < bytes.length) {
        const written = writeSync(fd, bytes, offset, bytes.length - offset);
        if (written === 0) throw Object.assign(new Error(`no space to write ${path}`), { code: 'ENOSPC' });
        offset += written;
      }
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
  syncFolderSync(dirname(path));
}
