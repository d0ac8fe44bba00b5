// Start-up checks on the configured names: each becomes a folder below
// SYNC_BASE, so it must be a safe folder name, and two accounts must never
// share one (they would share a collection, and equal `name:pass` values
// would share a host key).

import { userFolderKey, usernameProblem } from '../storage/user-paths.js';

/** Where the n-th name came from, for the message: `SYNC_USER<n>` unless told otherwise. */
export type NameSource = (index: number) => string;

const fromEnv: NameSource = (index) => `SYNC_USER${index + 1}`;

/** A message naming the first problem, or null when every name is usable. */
export function checkUsernames(names: readonly string[], source: NameSource = fromEnv): string | null {
  const seen = new Map<string, number>();
  for (const [index, name] of names.entries()) {
    const problem = usernameProblem(name);
    if (problem !== null)
      return `${source(index)}: the username ${JSON.stringify(name)} cannot be a folder name below SYNC_BASE: ${problem}.`;
    // Case-insensitive, normalising file systems (macOS, Windows) would put Alice and alice in one folder.
    const key = userFolderKey(name);
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      return `${source(index)}: the username ${JSON.stringify(name)} is already used by ${source(earlier)} (names must differ, ignoring case).`;
    }
    seen.set(key, index);
  }
  return null;
}
