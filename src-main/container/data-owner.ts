// Who the server runs as in the container, and the ownership of the data volume.
// The official recipe's convention: PUID and PGID name the user and group the
// files on the volume belong to (a NAS user's, so they can be read and backed up
// from the NAS's own tools); without them, 1000:1000, the recipe's default.
// Started as root, the entrypoint gives the volume's files to that user, then
// drops to it; started by `--user`, it is already someone and changes nothing.
import { lstat, lchown, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** The recipe's default PUID and PGID. */
export const DEFAULT_ID = 1000;
const MAX_ID = 2 ** 31 - 1;

export interface RunAs {
  readonly uid: number;
  readonly gid: number;
}

/** A mistake in PUID or PGID; the message names the variable. */
export class RunAsError extends Error {}

function readId(env: NodeJS.ProcessEnv, variable: 'PUID' | 'PGID'): number {
  const text = env[variable];
  if (text === undefined || text === '') return DEFAULT_ID;
  const id = /^[0-9]{1,10}$/.test(text) ? Number(text) : NaN;
  if (id === 0) {
    throw new RunAsError(`${variable}=0 would run the server as root; give the id of the user that should own the files (such as 1000).`);
  }
  if (!(id >= 1 && id <= MAX_ID)) throw new RunAsError(`${variable} must be a number from 1 to ${MAX_ID}, not "${text}".`);
  return id;
}

/** PUID and PGID, each 1000 when unset. */
export function runAsFromEnv(env: NodeJS.ProcessEnv): RunAs {
  return { uid: readId(env, 'PUID'), gid: readId(env, 'PGID') };
}

/**
 * Gives `folder` and everything below it to `owner`, touching only entries that
 * belong to someone else (a restart walks the tree and changes nothing).
 * Symbolic links are changed themselves, never followed. Resolves with the
 * number of entries changed.
 */
export async function giveTo(folder: string, owner: RunAs): Promise<number> {
  let changed = 0;
  const visit = async (path: string): Promise<void> => {
    const stats = await lstat(path);
    if (stats.uid !== owner.uid || stats.gid !== owner.gid) {
      await lchown(path, owner.uid, owner.gid);
      changed++;
    }
    if (!stats.isDirectory()) return;
    for (const name of await readdir(path)) await visit(join(path, name));
  };
  await visit(folder);
  return changed;
}
