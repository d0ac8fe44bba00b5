// Applies a staged upload: one exclusive transaction over the rows, with the files
// moved into place before the commit and removed after it. So the database never
// names a live file that is not on disk, and a failure before the commit puts
// every file back as it was. A crash before the commit is undone at the next
// start from the staging folder's journal (replace-journal.ts).
import { closeSync, existsSync, fsyncSync, linkSync, copyFileSync, openSync, renameSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { BadRequestError, ServerFaultError, SyncError } from '../../errors.js';
import { mediaFilePath } from '../../storage/media-file-path.js';
import type { MediaDatabase } from '../database/media-database.js';
import { registerUploadedChange, type ChangeOutcome } from '../database/usn-rules.js';
import type { StagedUpload } from './read-upload-zip.js';
import { journalReplace } from './replace-journal.js';

export interface UploadResult {
  /** `_meta` entries handled, no-ops included: always all of them. */
  readonly processed: number;
  /** `last_usn` after the commit. */
  readonly currentUsn: number;
  readonly outcomes: readonly ChangeOutcome[];
}

export interface ApplyOptions {
  /**
   * The media folder ignores case, so two live names differing only by case
   * would share one file: a delete of one would leave the other's row pointing at
   * nothing. An add that would do that is refused.
   */
  readonly folderIgnoresCase: boolean;
}

export function applyStagedUpload(
  db: MediaDatabase,
  mediaFolder: string,
  upload: StagedUpload,
  nowSeconds: number,
  options: ApplyOptions = { folderIgnoresCase: false },
): UploadResult {
  const undo: (() => void)[] = [];
  const replacedCopies: string[] = [];
  // Deleted files are unlinked only once the tombstones are committed; a later
  // entry of the same upload that adds the name again cancels the unlink. On a
  // disk that ignores case, `Photo.JPG` deleted and `photo.jpg` added are one file.
  const unlinkAfterCommit = new Map<string, string>();
  const diskKey = (path: string) => (options.folderIgnoresCase ? path.toLowerCase() : path);
  const outcomes: ChangeOutcome[] = [];
  let currentUsn: number;
  try {
    currentUsn = db.transact((meta) => {
      for (const change of upload.changes) {
        if (change.kind === 'add' && options.folderIgnoresCase) refuseCaseCollision(db, change.fname);
        const outcome = registerUploadedChange(db, meta, change, nowSeconds);
        outcomes.push(outcome);
        const target = mediaFilePath(mediaFolder, change.fname);
        if (change.kind === 'delete') {
          if (outcome === 'removed') unlinkAfterCommit.set(diskKey(target), target);
          continue;
        }
        // An identical upload changes no row, but it repairs a live row whose file went missing.
        if (outcome === 'identical' && existsSync(target)) continue;
        unlinkAfterCommit.delete(diskKey(target));
        const copyName = `previous-${outcomes.length}`;
        const copy = keepCopyOf(target, join(upload.stagingDir, copyName));
        if (copy !== null) replacedCopies.push(copy);
        journalReplace(upload.stagingDir, {
          fname: change.fname,
          previous: copy === null ? null : copyName,
          sha1: change.sha1.toString('hex'),
        });
        renameSync(change.tempPath, target);
        undo.push(() => (copy !== null ? renameSync(copy, target) : unlinkSync(target)));
      }
      syncDirectory(mediaFolder);
    });
  } catch (error) {
    for (const step of undo.reverse()) {
      try {
        step();
      } catch {
        // Best effort: the rows are rolled back, and a later upload rewrites the file.
      }
    }
    if (error instanceof SyncError) throw error;
    throw new ServerFaultError(`handle uploaded change: ${(error as Error).message}`, { cause: error });
  }
  for (const path of [...unlinkAfterCommit.values(), ...replacedCopies]) removeIfPresent(path);
  return { processed: outcomes.length, currentUsn, outcomes };
}

function refuseCaseCollision(db: MediaDatabase, fname: string): void {
  const other = db.liveCaseVariant(fname);
  if (other !== undefined) {
    throw new BadRequestError(
      `unzip files: ${JSON.stringify(fname)} and ${JSON.stringify(other)} would be one file on this server's disk, which ignores letter case`,
    );
  }
}

/**
 * Keeps the current content of `target` at `copyPath` so a failed transaction can
 * restore it. A hard link leaves `target` in place the whole time; a copy is
 * the fallback on file systems without links.
 */
function keepCopyOf(target: string, copyPath: string): string | null {
  if (!existsSync(target)) return null;
  try {
    linkSync(target, copyPath);
  } catch {
    copyFileSync(target, copyPath);
  }
  return copyPath;
}

/** Makes the renames durable before the commit that refers to them. Windows cannot open a directory; NTFS journals renames. */
function syncDirectory(folder: string): void {
  if (process.platform === 'win32') return;
  const fd = openSync(folder, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function removeIfPresent(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Missing is fine (an interrupted earlier deletion). Any other failure leaves
    // a file no row refers to, which is never served and is overwritten by the
    // next upload of that name; the committed change stands.
  }
}
