// A snapshot put back (issue 24). The snapshot is unpacked beside the
// collection and checked whole first (in the worker: integrity_check and the
// schema, as an upload is checked); a damaged one is refused and nothing
// changes. Then, under the account's lock with its files closed: the
// collection it replaces is kept as a 'before-restore' snapshot (so a restore
// can be undone), the unpacked copy, given a new schema time so that every
// device must choose a full sync, is installed as a full upload's would be
// (database-files.ts), the snapshot's media are put back with new usns
// (media/restore-media-set.ts), and the account is marked restored, so each
// device is told in Anki to choose Download (reach/learner-events.ts).
import { copyFile, rm } from 'node:fs/promises';
import { existsSync, statSync } from 'node:fs';
import { installDatabaseFile, removeDatabaseFiles } from '../database-files.js';
import { openDatabase } from '../sqlite.js';
import { spoolPath } from '../spool-files.js';
import { syncFile } from '../durable.js';
import { markRestored } from '../../reach/learner-events.js';
import type { Logger } from '../../report/log.js';
import type { AccountAccess } from './account-access.js';
import { readMediaList, type MediaListEntry } from './media-list.js';
import { findSnapshot, type SnapshotFiles } from './snapshot-folder.js';
import type { SnapshotKeeper } from './snapshot-keeper.js';
import { SnapshotError, type SnapshotEntry } from './snapshot-types.js';
import { runInWorker, WorkerJobError } from './worker-jobs.js';

export function damagedSentence(entry: { takenAt: number }): string {
  return `The snapshot from ${new Date(entry.takenAt).toISOString().slice(0, 16).replace('T', ' ')} UTC is damaged and was not restored. Your collection is unchanged; choose another snapshot.`;
}

export const NO_SUCH_SNAPSHOT = 'That snapshot no longer exists. Reopen the list and choose another one.';

/** The snapshot `id` of the account, or SnapshotError('no-such-snapshot'). */
export async function requireSnapshot(access: Pick<AccountAccess, 'paths'>, id: string): Promise<SnapshotFiles> {
  const files = await findSnapshot(access.paths, id);
  if (files === null) throw new SnapshotError('no-such-snapshot', NO_SUCH_SNAPSHOT);
  return files;
}

/** Unpacks the snapshot's collection as a plain SQLite file at `target` (which must not exist), fsynced. */
export async function unpackCollection(files: SnapshotFiles, target: string): Promise<void> {
  try {
    if (files.compressed) await runInWorker({ kind: 'decompress', source: files.collection, target });
    else {
      await copyFile(files.collection, target);
      await syncFile(target);
    }
  } catch (error) {
    await removeDatabaseFiles(target);
    if (error instanceof WorkerJobError && !/EEXIST|ENOSPC|EACCES/.test(error.message)) {
      throw new SnapshotError('damaged', damagedSentence(files.entry), { cause: error });
    }
    throw error;
  }
}

export async function restoreSnapshot(
  keeper: SnapshotKeeper,
  access: AccountAccess,
  id: string,
  logger: Logger,
  now = Date.now(),
): Promise<SnapshotEntry> {
  return keeper.inTurn(access.username, async () => {
    const files = await requireSnapshot(access, id);
    const staged = spoolPath(access.paths.folder, 'restore');
    try {
      await unpackCollection(files, staged);
      try {
        await runInWorker({ kind: 'check', path: staged });
      } catch (error) {
        throw new SnapshotError('damaged', damagedSentence(files.entry), { cause: error });
      }
      let media: MediaListEntry[] | null = null;
      if (files.media !== null) {
        try {
          media = readMediaList(files.media);
        } catch (error) {
          throw new SnapshotError('damaged', damagedSentence(files.entry), { cause: error });
        }
      }
      giveNewSchemaTime(staged, now);
      const replaced = await access.withCollectionClosed(async (mediaStore) => {
        // Set inside the install below (TypeScript cannot see a callback assign it).
        let kept = null as SnapshotEntry | null;
        await installDatabaseFile(staged, access.paths.collection, async (old) => {
          if (statSync(old).size > 0) {
            kept = await keeper.keepReplaced(access.paths, access.username, old, 'before-restore', mediaStore().liveFiles());
          }
        });
        if (media !== null) {
          const outcome = mediaStore().restoreMediaSet(media);
          if (outcome.missing.length > 0) {
            logger.warn('restored snapshot: some media files were no longer kept', {
              uid: access.username,
              missing: outcome.missing.length,
            });
          }
        }
        // Every device that syncs is told, once, to choose Download (meta's msg).
        markRestored(access.paths.folder, now);
        return kept;
      });
      logger.info('snapshot restored', { uid: access.username, id });
      // An account that had no collection yet has nothing to undo: the restored snapshot stands for itself.
      return replaced ?? files.entry;
    } finally {
      if (existsSync(staged)) await removeDatabaseFiles(staged);
      await rm(staged, { force: true });
    }
  });
}

/**
 * A new schema time (and modification time), committed: devices must then
 * choose a full sync instead of merging against a past they never saw. The
 * file is left in DELETE journal mode, with no side file, ready to be renamed.
 */
function giveNewSchemaTime(path: string, now: number): void {
  const db = openDatabase(path, { fileMustExist: true });
  try {
    db.prepare('UPDATE col SET scm = ?, mod = ?').run(now, now);
    db.pragma('journal_mode = DELETE');
  } finally {
    db.close();
  }
}
