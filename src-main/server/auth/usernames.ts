// Start-up checks on the configured names: each becomes a folder below
// SYNC_BASE, so it must be a safe folder name, and two accounts must never
// share one (they would share a collection, and equal `name:pass` values
// would share a host key).

import { userFolderKey, usernameProblem } from '../storage/user-paths.js';

/** A message naming the first problem, or null when every name is usable. */
export function checkUsernames(names: readonly string[]): string | null {
  const seen = new Set<string>();
  for (const [index, name] of names.entries()) {
    const problem = usernameProblem(name);
    if (problem !== null)
      return `SYNC_USER${index + 1}: the username ${JSON.stringify(name)} cannot be a folder name below SYNC_BASE: ${problem}.`;
    // Case-insensitive, normalising file systems (macOS, Windows) would put Alice and alice in one folder.
    const key = userFolderKey(name);
    if (seen.has(key)) {
      return `SYNC_USER${index + 1}: the username ${JSON.stringify(name)} is already used by an earlier SYNC_USERn (names must differ, ignoring case).`;
    }
    seen.add(key);
  }
  return null;
}
