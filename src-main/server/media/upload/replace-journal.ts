// Makes replacing and deleting media files crash-safe, power cuts included.
// While an upload is applied, each file is moved into place before the database
// commit that names it, and the previous content is kept (hard-linked) in the
// upload's staging folder; deleted files are unlinked after the commit. If the
// process or the power dies between the moves and the commit, the database
// rolls back to the old rows while the folder already holds new files; between
// the commit and the unlinks, a deleted file is still there. So, before the
// first move, the whole plan is written to a journal in the staging folder and
// made durable, with the names that lead to it (the journal in the staging
// folder, the staging folder in media/): for each add, the name, where its
// previous content is kept, and the new content's sha1; for each delete, the
// name. At the next start, a journal is finished or undone by what the database
// committed: an add not committed gets its previous content back (or is removed
// if there was none); a delete committed has its file removed. Only then is the
// staging folder deleted.
import { existsSync, readFileSync, renameSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { mediaFilePath } from '../../storage/media-file-path.js';
import { syncFolderSync, writeFileDurablySync } from '../../storage/durable.js';

const JOURNAL = 'replace-journal.jsonl';

export type JournalEntry =
  | {
      readonly fname: string;
      /** The file in the staging folder that holds the previous content, or null when there was none. */
      readonly previous: string | null;
      /** Lowercase hex sha1 of the new content. */
      readonly sha1: string;
    }
  | {
      readonly fname: string;
      /** The file is unlinked once its tombstone is committed. */
      readonly delete: true;
    };

/**
 * Writes the plan of an upload to the staging folder's journal and makes it
 * durable, with its name and the staging folder's, before the first move.
 */
export function writeJournal(stagingDir: string, mediaFolder: string, entries: readonly JournalEntry[]): void {
  writeFileDurablySync(join(stagingDir, JOURNAL), entries.map((entry) => `${JSON.stringify(entry)}\n`).join(''));
  // writeFileDurablySync synced the staging folder; media/ holds the staging folder's own name.
  syncFolderSync(mediaFolder);
}

/**
 * Undoes the moves of an upload that never committed, and finishes the
 * deletions of one that did. `committedSha1(fname)` is the sha1 the database
 * holds for a live row, or null. Returns how many files were put back or removed.
 */
export function recoverStaging(stagingDir: string, mediaFolder: string, committedSha1: (fname: string) => string | null): number {
  const path = join(stagingDir, JOURNAL);
  if (!existsSync(path)) return 0;
  const entries = readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .flatMap((line): JournalEntry[] => {
      try {
        return [JSON.parse(line) as JournalEntry];
      } catch {
        // A line cut off by the crash: its move never happened.
        return [];
      }
    });
  let restored = 0;
  // Newest first, so a name replaced twice in one upload ends at its oldest content.
  for (const entry of entries.reverse()) {
    if ('delete' in entry) {
      const target = mediaFilePath(mediaFolder, entry.fname);
      if (committedSha1(entry.fname) === null && existsSync(target)) {
        unlinkSync(target);
        restored++;
      }
      continue;
    }
    if (committedSha1(entry.fname) === entry.sha1) continue;
    const target = mediaFilePath(mediaFolder, entry.fname);
    const previous = entry.previous === null ? null : join(stagingDir, entry.previous);
    if (previous !== null && existsSync(previous)) {
      renameSync(previous, target);
      restored++;
    } else if (entry.previous === null && existsSync(target)) {
      unlinkSync(target);
      restored++;
    }
  }
  return restored;
}
