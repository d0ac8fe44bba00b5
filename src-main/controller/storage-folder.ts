// Checks a folder before the server keeps learners' collections in it. Two
// refusals: Anki's own data folder (the desktop client and the server would then
// write the same files), and a folder we cannot write to.

import { constants, promises as fs } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { randomBytes } from 'node:crypto';
import { makeFolder, SERVER_FOLDER } from '../server/index.js';
import { AppError } from './errors.js';

/** Where the desktop client keeps its profiles on each platform. */
export function defaultAnkiDataFolders(platform: NodeJS.Platform = process.platform, env = process.env): string[] {
  const home = homedir();
  switch (platform) {
    case 'win32':
      return [join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'Anki2')];
    case 'darwin':
      return [join(home, 'Library', 'Application Support', 'Anki2')];
    default:
      return [join(env.XDG_DATA_HOME ?? join(home, '.local', 'share'), 'Anki2'), join(home, 'Anki'), join(home, 'Documents', 'Anki')];
  }
}

/** Files only Anki's profile folder holds: its profile database. */
const ANKI_MARKERS = ['prefs21.db', 'prefs.db'];

function isInside(child: string, parent: string): boolean {
  const c = resolve(child);
  const p = resolve(parent);
  const fold = process.platform === 'win32' || process.platform === 'darwin';
  const [cc, pp] = fold ? [c.toLowerCase(), p.toLowerCase()] : [c, p];
  return cc === pp || cc.startsWith(pp.endsWith(sep) ? pp : pp + sep);
}

async function exists(path: string): Promise<boolean> {
  try {
    await fs.access(path, constants.F_OK);
    return true;
  } catch {
    return false;
  }
}

async function looksLikeAnkiData(folder: string): Promise<boolean> {
  // The folder itself, or a profile folder inside Anki2 (its parent holds prefs21.db).
  for (let dir = resolve(folder), depth = 0; depth < 3; dir = dirname(dir), depth++) {
    for (const marker of ANKI_MARKERS) if (await exists(join(dir, marker))) return true;
    if (dirname(dir) === dir) break;
  }
  return false;
}

export const ANKI_FOLDER_MESSAGE = "This is Anki's own data folder. The server must keep its own copy: choose another folder.";

/**
 * A storage folder that devices have synced into must hold the server's own
 * folder (made at every start, and when a folder is chosen in Settings). If it
 * is missing, or an empty folder is left in its place (an unmounted drive's
 * mount point), the folder is on a drive that is not connected, or was moved.
 * Starting there would serve empty collections from another disk, and a device
 * would upload there. So the start is refused; choosing the folder in Settings
 * (chooseStorageFolder) marks it as meant.
 */
export async function refuseVanishedStorageFolder(folder: string, devicesHaveSynced: boolean): Promise<void> {
  if (!devicesHaveSynced || folder.trim() === '') return;
  const path = resolve(folder);
  if (await exists(join(path, SERVER_FOLDER))) return;
  const absent = (await exists(path)) ? "holds none of Anki Home Sync's files" : 'is not there';
  throw new AppError(
    'folder-missing',
    `The storage folder ${path} ${absent}. If it is on a drive, connect the drive, then start the server. ` +
      'To begin afresh, choose a storage folder in Settings.',
  );
}

/** A folder chosen in Settings: checked as checkStorageFolder does, and marked as the server's, so that a start there is meant. */
export async function chooseStorageFolder(folder: string, ankiDataFolders: readonly string[]): Promise<string> {
  const path = await checkStorageFolder(folder, ankiDataFolders);
  await makeFolder(join(path, SERVER_FOLDER));
  return path;
}

/** Resolves `folder`, creates it if missing, and proves we can write there. */
export async function checkStorageFolder(folder: string, ankiDataFolders: readonly string[]): Promise<string> {
  if (folder.trim() === '') throw new AppError('bad-folder', 'Please choose a folder.');
  const path = resolve(folder);
  if (ankiDataFolders.some((anki) => isInside(path, anki)) || (await looksLikeAnkiData(path))) {
    throw new AppError('anki-folder', ANKI_FOLDER_MESSAGE);
  }
  const unwritable = new AppError(
    'folder-not-writable',
    `Anki Home Sync can't save files in ${path}. Choose a folder you own, such as one in your Documents.`,
  );
  try {
    await makeFolder(path, 0o777);
    const probe = join(path, `.write-test-${randomBytes(6).toString('hex')}`);
    await fs.writeFile(probe, 'ok', { flag: 'wx' });
    await fs.unlink(probe);
  } catch (error) {
    throw new AppError(unwritable.code, unwritable.message, { cause: error });
  }
  return path;
}
