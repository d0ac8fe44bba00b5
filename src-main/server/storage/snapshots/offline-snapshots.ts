// An account's snapshots when no server runs (the headless command on the files
// alone). The account's media.db is opened exclusively, as a server holds it:
// if a server runs on the folder, this refuses instead of writing under it.
import { existsSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { MediaStore } from '../../media/media-store.js';
import { silentLogger, type Logger } from '../../report/log.js';
import { openCollection } from '../collection-file.js';
import { userPaths, usernameProblem, type UserPaths } from '../user-paths.js';
import type { AccountAccess } from './account-access.js';
import { accountSnapshots } from './account-snapshots.js';
import { SnapshotKeeper } from './snapshot-keeper.js';
import { SnapshotError, type AccountSnapshots, type SnapshotOptions } from './snapshot-types.js';

/** The account's snapshots, read and changed on disk directly: only while no server runs on `baseFolder`. */
export function offlineSnapshots(options: SnapshotOptions, username: string, logger: Logger = silentLogger): AccountSnapshots {
  const paths = usernameProblem(username) === null ? userPaths(options.baseFolder, username) : null;
  if (paths === null || !existsSync(paths.folder)) {
    const refuse = (): Promise<never> =>
      Promise.reject(
        new SnapshotError('no-such-account', `There is no account named ${JSON.stringify(username)} in ${options.baseFolder}.`),
      );
    return { list: refuse, take: refuse, restore: refuse, extractCollection: refuse, mediaFiles: refuse, spaceBytes: refuse };
  }
  const keeper = new SnapshotKeeper({ minutes: options.minutes, snapshotDir: options.snapshotDir ?? null, logger });
  const inner = accountSnapshots(keeper, offlineAccess(username, paths), logger);
  // Work a call started in the background (compressing the collection a restore replaced) ends before it answers.
  const settled =
    <A extends unknown[], T>(call: (...args: A) => Promise<T>) =>
    async (...args: A): Promise<T> => {
      try {
        return await call(...args);
      } finally {
        await keeper.settled();
      }
    };
  return {
    list: () => inner.list(),
    take: settled(() => inner.take()),
    restore: settled((id: string) => inner.restore(id)),
    extractCollection: (id, target) => inner.extractCollection(id, target),
    mediaFiles: (id) => inner.mediaFiles(id),
    spaceBytes: () => inner.spaceBytes(),
  };
}

function openMedia(paths: UserPaths): MediaStore {
  try {
    return MediaStore.open(paths);
  } catch (error) {
    if (/locked|busy/i.test(String(error))) {
      throw new Error(`${paths.mediaDb} is in use: is the sync server running on this folder? Then ask it instead.`, { cause: error });
    }
    throw error;
  }
}

function offlineAccess(username: string, paths: UserPaths): AccountAccess {
  return {
    username,
    paths,
    withCollection: async (work) => {
      const media = openMedia(paths);
      let db: Database.Database | null = null;
      try {
        db = openCollection(paths.collection);
        return work(db, media, false);
      } finally {
        db?.close();
        media.close();
      }
    },
    withCollectionClosed: async (work) => {
      let media: MediaStore | null = null;
      try {
        return await work(() => (media ??= openMedia(paths)));
      } finally {
        (media as MediaStore | null)?.close();
      }
    },
  };
}
