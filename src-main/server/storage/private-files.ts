// A family computer has other accounts on it: collections are private. Folders
// the server creates are 0700 and files 0600, so no other account can read a
// collection or its media. An existing folder's mode is the owner's choice: it
// is left alone, and the log says when others can read it. (Windows keeps
// files private through the user profile's ACLs instead.)
import { chmodSync, statSync } from 'node:fs';

export const PRIVATE_FOLDER_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Makes a file the server just created readable by its owner only. */
export function makePrivate(path: string): void {
  if (process.platform === 'win32') return;
  chmodSync(path, PRIVATE_FILE_MODE);
}

/** The mode, as octal text, when other accounts may read `folder`; null when they may not. */
export function openToOthers(folder: string): string | null {
  if (process.platform === 'win32') return null;
  const mode = statSync(folder).mode & 0o777;
  return (mode & 0o077) === 0 ? null : mode.toString(8).padStart(4, '0');
}
