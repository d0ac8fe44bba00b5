// The media a snapshot's collection had: each live file's name and sha1, as
// media.db knew them when the snapshot was taken, kept beside the collection
// (`<id>.media.zst`, zstd JSON). Restoring a snapshot puts these files back,
// from media/ or the media trash (media-trash.ts), which keeps by sha1 every
// file a sync deleted or replaced.
import { readFileSync } from 'node:fs';
import { compress, decompress } from 'zstd-napi';
import { writeFileDurablySync } from '../durable.js';

export interface MediaListEntry {
  readonly fname: string;
  /** Lowercase hex. */
  readonly sha1: string;
}

/** Writes the list at `path`, durably (temp name, fsync, rename, fsync the folder), 0600. */
export function writeMediaList(path: string, entries: readonly MediaListEntry[]): void {
  const json = JSON.stringify(entries.map((entry) => [entry.fname, entry.sha1]));
  writeFileDurablySync(path, compress(Buffer.from(json, 'utf8')));
}

/** The list at `path`; throws when it is damaged. */
export function readMediaList(path: string): MediaListEntry[] {
  const rows = JSON.parse(decompress(readFileSync(path)).toString('utf8')) as unknown;
  if (!Array.isArray(rows)) throw new Error('a media list is an array');
  return rows.map((row) => {
    if (!Array.isArray(row) || typeof row[0] !== 'string' || typeof row[1] !== 'string' || !/^[0-9a-f]{40}$/.test(row[1])) {
      throw new Error('a media list entry is [name, sha1]');
    }
    return { fname: row[0], sha1: row[1] };
  });
}
