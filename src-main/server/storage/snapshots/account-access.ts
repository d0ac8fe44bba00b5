// What the snapshots need of an account, whether a server runs (through its
// User, under the account's lock: users.ts) or not (the files opened directly:
// offline-snapshots.ts).
import type Database from 'better-sqlite3';
import type { MediaStore } from '../../media/media-store.js';
import type { UserPaths } from '../user-paths.js';
import type { Counts } from './snapshot-names.js';

export interface AccountAccess {
  readonly username: string;
  readonly paths: UserPaths;
  /**
   * `work` under the account's lock, with its collection handle and media
   * store; the handle is null when it cannot be read as committed now (a
   * normal sync is open: its transaction lives in that handle).
   */
  withCollection<T>(work: (db: Database.Database | null, media: MediaStore, heldExclusively: boolean) => T): Promise<T>;
  /** `work` under the account's lock with its collection closed (checkpointed); the media store opens on demand. */
  withCollectionClosed<T>(work: (media: () => MediaStore) => Promise<T>): Promise<T>;
}

/** Notes, cards and reviews, as the collection open in `db` holds them. */
export function countsOf(db: Database.Database): Counts {
  return db
    .prepare('SELECT (SELECT count() FROM notes) AS notes, (SELECT count() FROM cards) AS cards, (SELECT count() FROM revlog) AS revlog')
    .get() as Counts;
}
