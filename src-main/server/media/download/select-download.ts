// Which files a downloadFiles request gets: a non-empty prefix of the request, in
// order, ending with the file that takes the total past 2.5 MiB. Clients drop as
// many names as members they receive and ask again for the rest, so an empty or
// reordered answer would make them loop or file content under the wrong name.
import { BadRequestError, ConflictError } from '../../errors.js';
import type { MediaDatabase, MediaEntry } from '../database/media-database.js';
import { MAX_MEDIA_FILES_IN_ZIP, MEDIA_SYNC_TARGET_ZIP_BYTES } from '../limits.js';

export function selectDownloadEntries(db: MediaDatabase, files: readonly string[]): MediaEntry[] {
  if (files.length > MAX_MEDIA_FILES_IN_ZIP) throw new BadRequestError('too many files requested');
  const selected: MediaEntry[] = [];
  let total = 0;
  for (const fname of files) {
    const entry = db.liveEntry(fname);
    // The protocol has no way to say "skip this one", so the whole request fails.
    if (entry === undefined) throw new ConflictError(`missing/empty file entry: ${fname}`);
    selected.push(entry);
    total += entry.size;
    if (total > MEDIA_SYNC_TARGET_ZIP_BYTES) break;
  }
  return selected;
}
