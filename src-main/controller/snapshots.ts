// An account's snapshots for the window (issue 24): listed with their counts and
// the space they take, and "Download my collection" as a collection package,
// of the collection now or of any snapshot. Taking and restoring are the
// server's (AccountSnapshots): through the running server under the account's
// lock, or on the files while it is stopped; this module only turns their
// answers and their errors into what the window shows.

import { stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import {
  currentMediaFiles,
  exportCollectionPackage,
  ExportError,
  exportUnpackedCollection,
  SnapshotError,
  type AccountSnapshots,
  type SnapshotEntry,
  type UserPaths,
} from '../server/index.js';
import type { ExportView, SnapshotView } from '../shared/ipc.js';
import { SNAPSHOT_KIND_WORDS } from '../shared/snapshot-words.js';
import { AppError } from './errors.js';

export interface SnapshotFigures {
  readonly snapshots: readonly SnapshotView[];
  readonly snapshotBytes: number;
}

const NONE: SnapshotFigures = { snapshots: [], snapshotBytes: 0 };

function view(entry: SnapshotEntry): SnapshotView {
  return {
    id: entry.id,
    takenAt: entry.takenAt,
    kind: entry.kind,
    kindInWords: SNAPSHOT_KIND_WORDS[entry.kind],
    bytes: entry.bytes,
    notes: entry.notes,
    cards: entry.cards,
    revlog: entry.revlog,
  };
}

/** The account's snapshots, newest first, and their space; none when they cannot be read (an account with no folder yet). */
export async function snapshotFigures(
  snapshots: AccountSnapshots,
  log?: (message: string, error?: unknown) => void,
): Promise<SnapshotFigures> {
  try {
    const entries = await snapshots.list();
    return { snapshots: entries.map(view).sort((a, b) => b.takenAt - a.takenAt), snapshotBytes: await snapshots.spaceBytes() };
  } catch (error) {
    // An account with no folder yet, or a storage drive unplugged (the window's alerts say so): nothing to log.
    const expected = error instanceof SnapshotError && (error.reason === 'no-such-account' || error.reason === 'storage-missing');
    if (!expected) log?.('listing snapshots failed', error);
    return NONE;
  }
}

/** A snapshot's or an export's refusal, as the window says it: the server's sentence, kept as it is. */
export function snapshotAppError(error: unknown): unknown {
  if (error instanceof SnapshotError) return new AppError(error.reason, error.message, { cause: error });
  if (error instanceof ExportError) return new AppError('export-failed', error.message, { cause: error });
  return error;
}

/** Runs `work`, its SnapshotError or ExportError turned into the AppError the window shows. */
export async function asAppErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw snapshotAppError(error);
  }
}

/**
 * The folder for the snapshots' second copy, or why it will not do: it must be a
 * folder, and outside the storage folder (a copy on the same disk and folder
 * guards against nothing).
 */
export async function checkSnapshotFolder(folder: string, storageFolder: string): Promise<string> {
  if (typeof folder !== 'string' || folder.trim() === '') throw new AppError('bad-request', 'Choose a folder.');
  const path = resolve(folder);
  const inside = relative(resolve(storageFolder), path);
  if (inside === '' || (!inside.startsWith('..') && !isAbsolute(inside))) {
    throw new AppError(
      'snapshot-folder-inside',
      'This folder is inside the storage folder, so a second copy there would be lost with the first. Choose a folder on another disk or a NAS share.',
    );
  }
  const found = await stat(path).catch(() => null);
  if (found === null || !found.isDirectory()) {
    throw new AppError('snapshot-folder-missing', 'That folder cannot be found. Connect its disk or share, then choose it again.');
  }
  return path;
}

/** The file name the save dialog offers: "alice 2026-12-07.colpkg". */
export function suggestedPackageName(username: string, at: number): string {
  const d = new Date(at);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${username} ${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}.colpkg`;
}

/**
 * Writes the account's collection as it is now (`snapshotId` null) or a snapshot's, with its media,
 * to `outFile` as a collection package. A snapshot's collection is first written to a private
 * temporary folder (the server's extractCollection), removed afterwards.
 */
export async function exportPackage(
  snapshots: AccountSnapshots,
  paths: UserPaths,
  snapshotId: string | null,
  outFile: string,
  legacy: boolean,
): Promise<ExportView> {
  return asAppErrors(async () => {
    if (snapshotId === null) {
      const written = await exportCollectionPackage({ collection: paths.collection, media: await currentMediaFiles(paths) }, outFile, {
        legacy,
      });
      return { file: outFile, ...written };
    }
    const written = await exportUnpackedCollection(
      async (collection) => {
        await snapshots.extractCollection(snapshotId, collection);
        return snapshots.mediaFiles(snapshotId);
      },
      outFile,
      { legacy },
    );
    return { file: outFile, ...written };
  });
}
