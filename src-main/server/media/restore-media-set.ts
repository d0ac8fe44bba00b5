// A snapshot's media put back (issue 24): media.db and media/ made to hold
// exactly the files the snapshot lists. Every difference is a change with a
// new usn, as if a device had uploaded it, so each device's next media sync
// fetches the restored files and deletes the others: giving media.db its old
// usns back would leave devices, whose last usn is newer, seeing nothing.
// Files the restore deletes or replaces go to the media trash first, so the
// restore itself can be undone. Files go into place before the commit that
// names them, deletions after it (as an upload's, apply-upload.ts).
import { existsSync, linkSync, copyFileSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { MediaDatabase } from './database/media-database.js';
import { registerUploadedChange } from './database/usn-rules.js';
import { mediaFilePath } from '../storage/media-file-path.js';
import { syncFolderSync } from '../storage/durable.js';
import { keepInTrash, syncTrash, trashPath } from '../storage/snapshots/media-trash.js';
import type { MediaListEntry } from '../storage/snapshots/media-list.js';

export interface MediaSetRestored {
  readonly restored: number;
  readonly removed: number;
  /** Files the snapshot lists that neither the trash nor media/ still holds. */
  readonly missing: readonly string[];
}

export function restoreMediaSet(
  db: MediaDatabase,
  folders: { mediaFolder: string; mediaTrash: string },
  wanted: readonly MediaListEntry[],
  nowSeconds: number,
): MediaSetRestored {
  const live = new Map(db.liveFiles().map((entry) => [entry.fname, entry.sha1]));
  const wantedByName = new Map(wanted.map((entry) => [entry.fname, entry.sha1]));
  const removals = [...live.keys()].filter((fname) => !wantedByName.has(fname));
  const additions = wanted.filter((entry) => live.get(entry.fname) !== entry.sha1);
  const liveBySha1 = new Map([...live].map(([fname, sha1]) => [sha1, fname]));
  // What goes or is replaced is kept first, durably.
  for (const fname of [...removals, ...additions.map((entry) => entry.fname)]) {
    const sha1 = live.get(fname);
    const path = mediaFilePath(folders.mediaFolder, fname);
    if (sha1 !== undefined && existsSync(path)) keepInTrash(folders.mediaTrash, path, sha1);
  }
  syncTrash(folders.mediaTrash);
  const missing: string[] = [];
  const placed: { target: string; sha1: string | undefined }[] = [];
  let restored = 0;
  try {
    db.transact((meta) => {
      for (const entry of additions) {
        const source = sourceOf(folders, entry, liveBySha1);
        if (source === null) {
          missing.push(entry.fname);
          continue;
        }
        const target = mediaFilePath(folders.mediaFolder, entry.fname);
        const temp = join(folders.mediaFolder, `.restore-${randomBytes(6).toString('hex')}`);
        try {
          linkSync(source, temp);
        } catch {
          copyFileSync(source, temp);
        }
        renameSync(temp, target);
        placed.push({ target, sha1: live.get(entry.fname) });
        registerUploadedChange(
          db,
          meta,
          { kind: 'add', fname: entry.fname, sha1: Buffer.from(entry.sha1, 'hex'), size: statSync(target).size },
          nowSeconds,
        );
        restored++;
      }
      for (const fname of removals) registerUploadedChange(db, meta, { kind: 'delete', fname }, nowSeconds);
      if (placed.length > 0) syncFolderSync(folders.mediaFolder);
    });
  } catch (error) {
    // The rows rolled back: each replaced file gets its old content back from the trash.
    for (const { target, sha1 } of placed.reverse()) {
      try {
        if (sha1 === undefined) unlinkSync(target);
        else copyFileSync(trashPath(folders.mediaTrash, sha1), target);
      } catch {
        // Best effort, as an upload's undo.
      }
    }
    throw error;
  }
  for (const fname of removals) {
    try {
      unlinkSync(mediaFilePath(folders.mediaFolder, fname));
    } catch {
      // Already gone.
    }
  }
  if (removals.length > 0) syncFolderSync(folders.mediaFolder);
  return { restored, removed: removals.length, missing };
}

/** Where the content of `entry` is now: the trash, or a live file of the same content. */
function sourceOf(
  folders: { mediaFolder: string; mediaTrash: string },
  entry: MediaListEntry,
  liveBySha1: ReadonlyMap<string, string>,
): string | null {
  const trashed = trashPath(folders.mediaTrash, entry.sha1);
  if (existsSync(trashed)) return trashed;
  const fname = liveBySha1.get(entry.sha1);
  if (fname === undefined) return null;
  const path = mediaFilePath(folders.mediaFolder, fname);
  return existsSync(path) ? path : null;
}
