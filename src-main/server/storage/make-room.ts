// Before a write, room for it: when the storage disk is nearly full, the oldest
// automatic backups give way first (every account keeps its newest), each one
// logged; a spooled upload that still cannot fit with a margin is refused at
// once with 507, before its bytes are received (docs/architecture.md).
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { InsufficientStorageError } from '../errors.js';
import type { Logger } from '../report/log.js';
import { isBackupName, newestFirst } from '../collection/replaced-collections.js';
import { formatBytes, type StorageSpace } from './storage-space.js';
import { SERVER_FOLDER } from './user-paths.js';

/** Room left beside an upload: SQLite's journal, media.db's rows, the answer's own bytes. */
export const UPLOAD_MARGIN_BYTES = 8 * 1024 * 1024;

interface Prunable {
  readonly account: string;
  readonly name: string;
  readonly path: string;
}

/** Every account's backups but its newest, oldest first across accounts (a backup's name is its time). */
async function prunableBackups(baseFolder: string): Promise<Prunable[]> {
  const prunable: Prunable[] = [];
  for (const account of await readdir(baseFolder).catch(() => [] as string[])) {
    if (account === SERVER_FOLDER) continue;
    const folder = join(baseFolder, account, 'backups');
    const names = newestFirst((await readdir(folder).catch(() => [] as string[])).filter(isBackupName));
    for (const name of names.slice(1)) prunable.push({ account, name, path: join(folder, name) });
  }
  return prunable.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * Makes room for a write of `bytes` (0 when its size is not known before it
 * arrives): backups give way while the disk is below its threshold plus
 * `bytes`; then, for a known size, 507 unless it fits with a margin.
 */
export async function makeRoom(space: StorageSpace, baseFolder: string, bytes: number, logger: Logger): Promise<void> {
  let view = space.view(true);
  const wanted = bytes + view.lowBytes;
  if (view.freeBytes < wanted) {
    for (const backup of await prunableBackups(baseFolder)) {
      await rm(backup.path, { force: true });
      logger.info('removed an old backup to make room on the storage disk', { uid: backup.account, file: backup.name });
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
