// Putting a validated upload in place of the live collection so that, whenever
// the process stops, the folder holds either the old collection or the new one,
// complete, and never a WAL that belongs to the other (storage/database-files.ts).
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { UserContext } from '../protocol.js';
import { installDatabaseFile } from '../storage/database-files.js';
import { backUpCollection, pruneBackups } from './replaced-collections.js';

/** Replaces the user's collection with `uploaded` (a file in the same folder), keeping the old one in backups/. */
export async function installCollection(user: UserContext, uploaded: string): Promise<void> {
  const collection = user.paths.collection;
  user.closeCollection();
  await installDatabaseFile(uploaded, collection, async (old) => {
    if ((await stat(old)).size > 0) await backUpCollection(old, user.paths.backups);
  });
  if (existsSync(user.paths.backups)) await pruneBackups(user.paths.backups);
}
