// An account's snapshots as files: listed from their names and sizes (no file
// is opened), found by id, removed. Old backups in backups/ (before issue 24)
// are listed as 'old-backup' and can be restored like any other.
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { COMPRESSED_SUFFIX, MEDIA_SUFFIX, oldBackupId, parseId, RAW_SUFFIX, snapshotFile, TEMP_PREFIX } from './snapshot-names.js';
import type { SnapshotEntry } from './snapshot-types.js';

/** The folders of one account that snapshots live in. */
export interface SnapshotFolders {
  /** SYNC_BASE/<user>/snapshots. */
  readonly snapshots: string;
  /** SYNC_BASE/<user>/backups: old backups, read and removed, never written. */
  readonly backups: string;
}

/** Where one snapshot's collection is, and in which form. */
export interface SnapshotFiles {
  readonly entry: SnapshotEntry;
  /** The collection: zstd, or a plain SQLite file (an old backup, or a kept collection not compressed yet). */
  readonly collection: string;
  readonly compressed: boolean;
  /** Its media list, or null (an old backup has none). */
  readonly media: string | null;
}

async function names(folder: string): Promise<string[]> {
  try {
    return await readdir(folder);
  } catch {
    return [];
  }
}

async function sizeOf(path: string): Promise<number | null> {
  try {
    return (await stat(path)).size;
  } catch {
    return null;
  }
}

/** Every snapshot of the account, newest first. */
export async function snapshotFiles(folders: SnapshotFolders): Promise<SnapshotFiles[]> {
  return describeSnapshots(folders, await names(folders.snapshots), await names(folders.backups));
}

/**
 * The snapshots named in `listed` (snapshots/) and `listedBackups` (backups/),
 * with their files' sizes as they are now. A kept collection may finish its
 * compression between the listing and the reading of its size: its raw form
 * is gone, and its compressed form, not in the listing, is the snapshot.
 */
export async function describeSnapshots(
  folders: SnapshotFolders,
  listed: readonly string[],
  listedBackups: readonly string[],
): Promise<SnapshotFiles[]> {
  const found = new Map<string, { compressed?: string; raw?: string; media?: string }>();
  for (const name of listed) {
    const file = snapshotFile(name);
    if (file === null) continue;
    const parts = found.get(file.id) ?? {};
    parts[file.part] = join(folders.snapshots, name);
    found.set(file.id, parts);
  }
  const files: SnapshotFiles[] = [];
  for (const [id, parts] of found) {
    // A compressed collection wins over its raw form (a compression that finished before the raw file went).
    let collection = parts.compressed ?? parts.raw;
    if (collection === undefined) continue;
    let bytes = await sizeOf(collection);
    if (bytes === null && parts.compressed === undefined) {
      // Compressed since the listing: the raw form went once the compressed one was in place.
      parts.compressed = join(folders.snapshots, id + COMPRESSED_SUFFIX);
      collection = parts.compressed;
      bytes = await sizeOf(collection);
    }
    if (bytes === null) continue;
    const parsed = parseId(id)!;
    const mediaBytes = parts.media === undefined ? 0 : ((await sizeOf(parts.media)) ?? 0);
    files.push({
      entry: entryOf(id, parsed, bytes + mediaBytes),
      collection,
      compressed: parts.compressed !== undefined,
      media: parts.media ?? null,
    });
  }
  for (const name of listedBackups) {
    const id = oldBackupId(name);
    if (id === null) continue;
    const path = join(folders.backups, name);
    const bytes = await sizeOf(path);
    if (bytes === null) continue;
    files.push({ entry: entryOf(id, parseId(id)!, bytes), collection: path, compressed: false, media: null });
  }
  return files.sort((a, b) => b.entry.takenAt - a.entry.takenAt || (a.entry.id < b.entry.id ? 1 : -1));
}

function entryOf(id: string, parsed: NonNullable<ReturnType<typeof parseId>>, bytes: number): SnapshotEntry {
  return {
    id,
    takenAt: parsed.takenAt,
    kind: parsed.kind,
    bytes,
    notes: parsed.counts?.notes ?? null,
    cards: parsed.counts?.cards ?? null,
    revlog: parsed.counts?.revlog ?? null,
  };
}

/** The snapshot `id`, or null. Ids are matched exactly against what is on disk: no path is built from the id alone. */
export async function findSnapshot(folders: SnapshotFolders, id: string): Promise<SnapshotFiles | null> {
  if (parseId(id) === null) return null;
  return (await snapshotFiles(folders)).find((files) => files.entry.id === id) ?? null;
}

/** Removes a snapshot's files (its media list last, so a collection is never left without one). */
export async function removeSnapshot(files: SnapshotFiles): Promise<void> {
  await rm(files.collection, { force: true });
  if (files.compressed) await rm(files.collection.slice(0, -COMPRESSED_SUFFIX.length) + RAW_SUFFIX, { force: true });
  if (files.media !== null) await rm(files.media, { force: true });
}

/**
 * Files a crash left: temporary files, media lists without a collection, raw
 * collections whose compressed form is complete. Removed when snapshots are
 * pruned; never one a snapshot being written uses (callers hold the account's
 * snapshot turn).
 */
export async function removeLeftovers(folders: SnapshotFolders): Promise<void> {
  const all = await names(folders.snapshots);
  const present = new Set(all);
  for (const name of all) {
    const path = join(folders.snapshots, name);
    if (name.startsWith(TEMP_PREFIX) || (name.startsWith('.') && name.endsWith('.tmp'))) {
      await rm(path, { force: true });
      continue;
    }
    const file = snapshotFile(name);
    if (file === null) continue;
    if (file.part === 'media' && !present.has(file.id + COMPRESSED_SUFFIX) && !present.has(file.id + RAW_SUFFIX)) {
      await rm(path, { force: true });
    }
    if (file.part === 'raw' && present.has(file.id + COMPRESSED_SUFFIX)) await rm(path, { force: true });
  }
}

/** Bytes of every file in the account's snapshots/ and old backups/. */
export async function snapshotBytes(folders: SnapshotFolders): Promise<number> {
  let total = 0;
  for (const folder of [folders.snapshots, folders.backups]) {
    for (const name of await names(folder)) total += (await sizeOf(join(folder, name))) ?? 0;
  }
  return total;
}

export { MEDIA_SUFFIX };
