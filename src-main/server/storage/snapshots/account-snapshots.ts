// One account's snapshots (AccountSnapshots, snapshot-types.ts) over what the
// snapshots need of it (AccountAccess): through the running server, under the
// account's lock (users.ts), or on the files alone (offline-snapshots.ts).
import { existsSync } from 'node:fs';
import type { Logger } from '../../report/log.js';
import { mediaFilePath } from '../media-file-path.js';
import type { AccountAccess } from './account-access.js';
import { readMediaList } from './media-list.js';
import { trashBytes, trashPath } from './media-trash.js';
import { requireSnapshot, restoreSnapshot, unpackCollection, damagedSentence } from './restore-snapshot.js';
import { snapshotBytes, snapshotFiles } from './snapshot-folder.js';
import type { SnapshotKeeper } from './snapshot-keeper.js';
import { SnapshotError, type AccountSnapshots, type SnapshotEntry } from './snapshot-types.js';

export function accountSnapshots(keeper: SnapshotKeeper, access: AccountAccess, logger: Logger): AccountSnapshots {
  const { paths } = access;
  return {
    list: async (): Promise<SnapshotEntry[]> => (await snapshotFiles(paths)).map((files) => files.entry),
    take: () => keeper.take(access, 'manual'),
    restore: (id) => restoreSnapshot(keeper, access, id, logger),
    extractCollection: (id, target) =>
      keeper.inTurn(access.username, async () => {
        if (existsSync(target)) throw new Error(`${target} already exists`);
        await unpackCollection(await requireSnapshot(access, id), target);
      }),
    mediaFiles: (id) =>
      keeper.inTurn(access.username, async () => {
        const files = await requireSnapshot(access, id);
        // An old backup kept no media list: its media are the account's as they are now.
        const entries = files.media === null ? await access.withCollection((_db, media) => media.liveFiles()) : readListOrRefuse(files);
        const found: { name: string; path: string }[] = [];
        for (const entry of entries) {
          const trashed = trashPath(paths.mediaTrash, entry.sha1);
          if (existsSync(trashed)) {
            found.push({ name: entry.fname, path: trashed });
            continue;
          }
          const live = mediaFilePath(paths.mediaFolder, entry.fname);
          if (existsSync(live)) found.push({ name: entry.fname, path: live });
        }
        return found;
      }),
    spaceBytes: async () => (await snapshotBytes(paths)) + trashBytes(paths.mediaTrash),
  };
}

function readListOrRefuse(files: { media: string | null; entry: SnapshotEntry }): { fname: string; sha1: string }[] {
  try {
    return readMediaList(files.media!);
  } catch (error) {
    throw new SnapshotError('damaged', damagedSentence(files.entry), { cause: error });
  }
}
