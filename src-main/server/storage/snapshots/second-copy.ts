// SYNC_SNAPSHOT_DIR: a second copy of every snapshot, in another folder (another
// disk, a NAS share), below it in a folder per account. The folder itself is
// never created: a share that is not mounted must not fill the disk under its
// mount point. A missing or full folder is a warning, never a failed sync.
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { syncFileSync, syncFolderSync } from '../durable.js';
import type { SnapshotFiles } from './snapshot-folder.js';
import { snapshotFile } from './snapshot-names.js';

/** The second copy was not written; the message is a sentence for the owner. */
export class SecondCopyError extends Error {}

/** Copies the snapshot's files (temp name, fsync, rename, fsync the folder), 0600, into `<folder>/<username>/`. */
export function copyToSecondFolder(folder: string, username: string, files: SnapshotFiles): void {
  if (!existsSync(folder)) {
    throw new SecondCopyError(
      `The second copy of ${username}'s snapshot was not written: the folder ${folder} (SYNC_SNAPSHOT_DIR) is missing. Is the disk or share connected?`,
    );
  }
  const target = join(folder, username);
  try {
    mkdirSync(target, { recursive: true, mode: 0o700 });
    for (const path of files.media === null ? [files.collection] : [files.media, files.collection]) {
      const temp = join(target, `.tmp-${randomBytes(6).toString('hex')}`);
      try {
        copyFileSync(path, temp);
        syncFileSync(temp);
        renameSync(temp, join(target, basename(path)));
      } finally {
        rmSync(temp, { force: true });
      }
    }
    syncFolderSync(target);
  } catch (error) {
    const full = /ENOSPC|EDQUOT/.test(String((error as { code?: unknown }).code));
    throw new SecondCopyError(
      full
        ? `The second copy of ${username}'s snapshot was not written: the folder ${folder} (SYNC_SNAPSHOT_DIR) is full.`
        : `The second copy of ${username}'s snapshot was not written to ${folder} (SYNC_SNAPSHOT_DIR): ${(error as Error).message}.`,
      { cause: error },
    );
  }
}

/** Removes from the second folder the snapshots no longer kept (only files named as ours). */
export function pruneSecondFolder(folder: string, username: string, keep: ReadonlySet<string>): void {
  const target = join(folder, username);
  let names: string[];
  try {
    names = readdirSync(target);
  } catch {
    return;
  }
  for (const name of names) {
    const file = snapshotFile(name);
    if (name.startsWith('.tmp-') || (file !== null && !keep.has(file.id))) rmSync(join(target, name), { force: true });
  }
}
