// Makes replacing a media file crash-safe. While an upload is applied, each
// file is moved into place before the database commit that names it, and the
// previous content is kept (hard-linked) in the upload's staging folder. If the
// process dies between the move and the commit, the database rolls back to the
// old row while the folder already holds the new file. So, before each move,
// one line is appended (and synced) to a journal in the staging folder: the
// name, where its previous content is kept, and the new content's sha1. At the
// next start, a journal whose rows were not committed is undone: the previous
// content goes back, or a file that did not exist before is removed. Only then
// is the staging folder deleted.
import { appendFileSync, closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { mediaFilePath } from '../../storage/media-file-path.js';

const JOURNAL = 'replace-journal.jsonl';

export interface JournalEntry {
  readonly fname: string;
  /** The file in the staging folder that holds the previous content, or null when there was none. */
  readonly previous: string | null;
  /** Lowercase hex sha1 of the new content. */
  readonly sha1: string;
}

/** Appends `entry` to the staging folder's journal and makes it durable, before the move it describes. */
export function journalReplace(stagingDir: string, entry: JournalEntry): void {
  const path = join(stagingDir, JOURNAL);
  appendFileSync(path, `${JSON.stringify(entry)}\n`, { mode: 0o600 });
  const fd = openSync(path, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Undoes the moves of an upload that never committed. `committedSha1(fname)`
 * is the sha1 the database holds for a live row, or null. Returns how many
 * files were put back.
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
