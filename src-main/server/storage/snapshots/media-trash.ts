// The account's media trash (SYNC_BASE/<user>/media-trash/): every media file a
// sync deletes or replaces is hard-linked here first, named by its sha1 as
// media.db knows it, so a snapshot's media can come back with its collection
// (issue 24). A file stays 30 days at most, and less when no snapshot kept
// still lists it.
import { linkSync, copyFileSync, readdirSync, rmSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { makeFolderSync, syncFolderSync } from '../durable.js';

export const TRASH_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;
const SHA1_NAME = /^[0-9a-f]{40}$/;

/** Where a trashed file of `sha1` is. */
export function trashPath(trashFolder: string, sha1: string): string {
  if (!SHA1_NAME.test(sha1)) throw new Error('a trash name is a sha1');
  return join(trashFolder, sha1);
}

/**
 * Keeps the file at `path` (whose content has `sha1`) in the trash, before it
 * is deleted or replaced. A link costs no space while the original lives; a
 * copy is the fallback where links fail. Returns false when it could not be
 * kept (the sync goes on: losing an undo is better than losing the sync).
 */
export function keepInTrash(trashFolder: string, path: string, sha1: string): boolean {
  try {
    makeFolderSync(trashFolder);
    const target = trashPath(trashFolder, sha1);
    if (existsSync(target)) return true;
    try {
      linkSync(path, target);
    } catch {
      copyFileSync(path, target);
    }
    return true;
  } catch {
    return false;
  }
}

/** The trash's names are durable before the files they keep are unlinked. */
export function syncTrash(trashFolder: string): void {
  try {
    syncFolderSync(trashFolder);
  } catch {
    // No trash yet, or it cannot be synced: the sync goes on.
  }
}

/**
 * Removes trashed files older than 30 days, and those no kept snapshot lists.
 * Age is the file's ctime: linking it into the trash sets it.
 */
export function pruneTrash(trashFolder: string, needed: ReadonlySet<string>, now: number): void {
  let names: string[];
  try {
    names = readdirSync(trashFolder);
  } catch {
    return;
  }
  for (const name of names) {
    if (!SHA1_NAME.test(name)) continue;
    const path = join(trashFolder, name);
    try {
      const old = now - statSync(path).ctimeMs > TRASH_DAYS * DAY_MS;
      if (old || !needed.has(name)) rmSync(path, { force: true });
    } catch {
      // Gone meanwhile.
    }
  }
}

/** Bytes the trash takes (files linked from media/ count too: they are what the trash keeps). */
export function trashBytes(trashFolder: string): number {
  let total = 0;
  try {
    for (const name of readdirSync(trashFolder)) {
      try {
        total += statSync(join(trashFolder, name)).size;
      } catch {
        // Gone meanwhile.
      }
    }
  } catch {
    // No trash.
  }
  return total;
}
