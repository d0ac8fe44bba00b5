// The account's snapshots as the window's backup list shows them, and a restore
// of one (issue 24: the server keeps snapshots, storage/snapshots/; old
// backups/ files are among them). The window's own snapshot view is being
// built in its place; until then the backup list is the snapshot list.
import { offlineSnapshots, SnapshotError, type AccountSnapshots } from '../server/index.js';
import type { BackupEntry } from '../shared/ipc.js';
import { AppError } from './errors.js';

/** The account's snapshots, newest first, as backup entries; none when the account has no folder yet. */
export async function listBackups(baseFolder: string, username: string): Promise<BackupEntry[]> {
  try {
    const entries = await offlineSnapshots({ baseFolder }, username).list();
    return entries.map((entry) => ({ id: entry.id, createdAt: entry.takenAt, bytes: entry.bytes }));
  } catch {
    return [];
  }
}

/**
 * Restores snapshot `id` (an old backup's file name is taken too) through
 * `snapshots`: the running server's, under the account's lock, or the files'.
 * Its errors become the window's.
 */
export async function restoreSnapshotFor(snapshots: AccountSnapshots, id: string): Promise<void> {
  try {
    await snapshots.restore(id.endsWith('.anki2') ? id.slice(0, -'.anki2'.length) : id);
  } catch (error) {
    if (error instanceof SnapshotError) {
      throw new AppError(
        error.reason === 'damaged' ? 'bad-backup' : error.reason === 'no-such-snapshot' ? 'no-such-backup' : error.reason,
        error.message,
        {
          cause: error,
        },
      );
    }
    throw error;
  }
}
