// Applies a staged upload: one exclusive transaction over the rows, with the files
// moved into place before the commit and removed after it. So the database never
// names a live file that is not on disk, and a failure before the commit puts
// every file back as it was. The moves are planned first and the plan made
// durable once per upload; a crash or power cut is then undone or finished at
// the next start from the staging folder's journal (replace-journal.ts).
import { existsSync, linkSync, copyFileSync, renameSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { BadRequestError, ServerFaultError, SyncError } from '../../errors.js';
import { mediaFilePath } from '../../storage/media-file-path.js';
import type { MediaDatabase } from '../database/media-database.js';
import { registerUploadedChange, type ChangeOutcome } from '../database/usn-rules.js';
import type { StagedUpload } from './read-upload-zip.js';
import { writeJournal, type JournalEntry } from './replace-journal.js';
import { syncFolderSync } from '../../storage/durable.js';

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
  /**
   * Keeps a file this upload deletes or replaces, by the sha1 media.db had for
   * it, before it goes (the media trash, storage/snapshots/media-trash.ts);
   * then `trashed()` once, before the first unlink. Absent: nothing is kept.
   */
  readonly trash?: { keep(path: string, sha1: string): void; trashed(): void };
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
  const unlinkAfterCommit = new Map<string, { fname: string; path: string }>();
  const diskKey = (path: string) => (options.folderIgnoresCase ? path.toLowerCase() : path);
  const outcomes: ChangeOutcome[] = [];
  /** What the upload deletes or replaces: kept in the trash once the change is committed. */
  const toTrash: { path: string; sha1: string }[] = [];
  let currentUsn: number;
  try {
    currentUsn = db.transact((meta) => {
      // First the plan: rows, copies of what will be replaced, and the moves to make.
      const moves: { from: string; to: string; copy: string | null }[] = [];
      const journal: JournalEntry[] = [];
      for (const change of upload.changes) {
        if (change.kind === 'add' && options.folderIgnoresCase) refuseCaseCollision(db, change.fname);
        const before = options.trash === undefined ? undefined : db.liveEntry(change.fname);
        const outcome = registerUploadedChange(db, meta, change, nowSeconds);
        outcomes.push(outcome);
        const target = mediaFilePath(mediaFolder, change.fname);
        if (change.kind === 'delete') {
          if (outcome === 'removed') unlinkAfterCommit.set(diskKey(target), { fname: change.fname, path: target });
          if (outcome === 'removed' && before !== undefined) toTrash.push({ path: target, sha1: before.csum.toString('hex') });
          continue;
        }
        // An identical upload changes no row, but it repairs a live row whose file went missing.
        if (outcome === 'identical' && existsSync(target)) continue;
        unlinkAfterCommit.delete(diskKey(target));
        const copyName = `previous-${outcomes.length}`;
        const copy = keepCopyOf(target, join(upload.stagingDir, copyName));
        if (copy !== null) replacedCopies.push(copy);
        if (copy !== null && outcome === 'replaced' && before !== undefined)
          toTrash.push({ path: copy, sha1: before.csum.toString('hex') });
        journal.push({ fname: change.fname, previous: copy === null ? null : copyName, sha1: change.sha1.toString('hex') });
        moves.push({ from: change.tempPath, to: target, copy });
      }
      for (const { fname } of unlinkAfterCommit.values()) journal.push({ fname, delete: true });
      if (journal.length === 0) return;
      // Then the plan on disk, durable before anything moves (replace-journal.ts).
      writeJournal(upload.stagingDir, mediaFolder, journal);
      for (const { from, to, copy } of moves) {
        renameSync(from, to);
        undo.push(() => (copy !== null ? renameSync(copy, to) : unlinkSync(to)));
      }
      // The moves are durable before the commit that names them.
      if (moves.length > 0) syncFolderSync(mediaFolder);
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
  if (options.trash !== undefined && toTrash.length > 0) {
    for (const { path, sha1 } of toTrash) options.trash.keep(path, sha1);
    options.trash.trashed();
  }
  const unlinked = [...unlinkAfterCommit.values()].filter(({ path }) => removeIfPresent(path));
  // The deletions are on disk before the answer (and before the journal that would finish them goes).
  if (unlinked.length > 0) syncFolderQuietly(mediaFolder);
  for (const path of replacedCopies) removeIfPresent(path);
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

/** A failure here leaves the journal to finish the deletions at the next start; the committed change stands. */
function syncFolderQuietly(folder: string): void {
  try {
    syncFolderSync(folder);
  } catch {
    // As above.
  }
}

/** True when the file was there and is now gone. */
function removeIfPresent(path: string): boolean {
  try {
    unlinkSync(path);
    return true;
  } catch {
    // Missing is fine (an interrupted earlier deletion). Any other failure leaves
    // a file no row refers to, which is never served and is overwritten by the
    // next upload of that name; the committed change stands.
    return false;
  }
}
