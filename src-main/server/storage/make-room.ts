// Before a write, room for it: when the storage disk is nearly full, the oldest
// snapshots give way first (every account keeps its newest 3, issue 24; old
// backups are snapshots too), each one logged; a spooled upload that still cannot fit with a margin is refused at
// once with 507, before its bytes are received (docs/architecture.md).
import { readdir } from 'node:fs/promises';
import { InsufficientStorageError } from '../errors.js';
import type { Logger } from '../report/log.js';
import { removeSnapshot, snapshotFiles, type SnapshotFiles } from './snapshots/snapshot-folder.js';
import { KEEP_AT_LEAST } from './snapshots/retention.js';
import { formatBytes, type StorageSpace } from './storage-space.js';
import { SERVER_FOLDER, userPaths, usernameProblem } from './user-paths.js';

/** Room left beside an upload: SQLite's journal, media.db's rows, the answer's own bytes. */
export const UPLOAD_MARGIN_BYTES = 8 * 1024 * 1024;

interface Prunable {
  readonly account: string;
  readonly files: SnapshotFiles;
}

/** Every account's snapshots but its newest 3, oldest first across accounts. */
async function prunableSnapshots(baseFolder: string): Promise<Prunable[]> {
  const prunable: Prunable[] = [];
  for (const account of await readdir(baseFolder).catch(() => [] as string[])) {
    if (account === SERVER_FOLDER || usernameProblem(account) !== null) continue;
    const all = await snapshotFiles(userPaths(baseFolder, account));
    for (const files of all.slice(KEEP_AT_LEAST)) prunable.push({ account, files });
  }
  return prunable.sort((a, b) => a.files.entry.takenAt - b.files.entry.takenAt);
}

/**
 * Makes room for a write of `bytes` (0 when its size is not known before it
 * arrives): snapshots give way while the disk is below its threshold plus
 * `bytes`; then, for a known size, 507 unless it fits with a margin.
 */
export async function makeRoom(space: StorageSpace, baseFolder: string, bytes: number, logger: Logger): Promise<void> {
  let view = space.view(true);
  const wanted = bytes + view.lowBytes;
  if (view.freeBytes < wanted) {
    for (const snapshot of await prunableSnapshots(baseFolder)) {
      await removeSnapshot(snapshot.files);
      logger.info('removed an old snapshot to make room on the storage disk', { uid: snapshot.account, snapshot: snapshot.files.entry.id });
      view = space.view(true);
      if (view.freeBytes >= wanted) break;
    }
  }
  if (bytes > 0 && view.freeBytes < bytes + UPLOAD_MARGIN_BYTES) {
    throw new InsufficientStorageError(
      `no room for an upload of ${formatBytes(bytes)}: ${formatBytes(view.freeBytes)} free on the storage disk`,
    );
  }
}

/** Room on the storage disk for the request pipeline: made before a write, and the disk's episodes of "full" told. */
export class DiskRoom {
  constructor(
    private readonly space: StorageSpace,
    private readonly baseFolder: string,
    private readonly logger: Logger,
  ) {}

  /** Room for a write of `bytes` (0: not known yet); 507 when a known size cannot fit. */
  make(bytes: number): Promise<void> {
    return makeRoom(this.space, this.baseFolder, bytes, this.logger);
  }

  /** A request was refused for lack of space (507). */
  refused(): void {
    this.space.noteOutOfSpace();
  }

  /** A request that writes went through. */
  wroteFine(): void {
    this.space.noteWriteSucceeded();
  }
}
