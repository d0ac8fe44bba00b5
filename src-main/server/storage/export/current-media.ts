// The account's live media, for an export: the files media.db knows as present
// (size > 0; a deleted file keeps its row with size 0). While a server runs it
// holds media.db exclusively (media/database/media-database.ts), so no second
// connection can read it; the media folder's own files are the answer then,
// which are the same files once a media sync has finished (a sync in progress
// stages its files in a folder of its own, left out here). Every path is built
// by mediaFilePath, so a name read from either place cannot point outside the
// media folder.
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { mediaFilePath, unsafeMediaFilenameReason } from '../media-file-path.js';
import { openDatabase } from '../sqlite.js';
import type { UserPaths } from '../user-paths.js';

/** The probe folderIgnoresCase leaves for a moment in the media folder (storage/media-file-path.ts). */
const CASE_PROBE_PREFIX = '.case-probe-';

export async function currentMediaFiles(paths: UserPaths): Promise<{ name: string; path: string }[]> {
  if (!existsSync(paths.mediaFolder)) return [];
  const names = namesInMediaDb(paths.mediaDb) ?? (await namesInFolder(paths.mediaFolder));
  return names
    .filter((name) => unsafeMediaFilenameReason(name) === null)
    .sort()
    .map((name) => ({ name, path: mediaFilePath(paths.mediaFolder, name) }));
}

/** The live names media.db lists, or null when it cannot be read here (absent, held by a server, an older layout). */
function namesInMediaDb(path: string): string[] | null {
  if (!existsSync(path)) return null;
  let db;
  try {
    db = openDatabase(path, { readonly: true, fileMustExist: true, timeout: 0 });
  } catch (error) {
    if (isSqliteError(error)) return null;
    throw error;
  }
  try {
    // Version 4 is the layout with `size` (media/database/schema.ts); version 3 files are upgraded when a server opens them.
    if (db.pragma('user_version', { simple: true }) !== 4) return null;
    return (db.prepare('SELECT fname FROM media WHERE size > 0').all() as { fname: string }[]).map((row) => row.fname);
  } catch (error) {
    if (isSqliteError(error)) return null;
    throw error;
  } finally {
    db.close();
  }
}

async function namesInFolder(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true });
  return entries.filter((entry) => entry.isFile() && !entry.name.startsWith(CASE_PROBE_PREFIX)).map((entry) => entry.name);
}

function isSqliteError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('SQLITE_');
}
