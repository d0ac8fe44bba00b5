// Start-up checks on the configured names: each becomes a folder below
// SYNC_BASE, so it must be a safe folder name, and two accounts must never
// share one (they would share a collection, and equal `name:pass` values
// would share a host key).

// TEMPORARY until storage/user-paths.ts lands: the safety rule lives there.
function unsafeUsernameReason(name: string): string | null {
  if (name === '' || name === '.' || name === '..') return 'is not a folder name';
  if (/[/\\\0]/.test(name)) return 'contains / or \\ or NUL';
  return null;
}

/** A message naming the first problem, or null when every name is usable. */
export function checkUsernames(names: readonly string[]): string | null {
  const seen = new Set<string>();
  for (const [index, name] of names.entries()) {
    const reason = unsafeUsernameReason(name);
    if (reason !== null) return `SYNC_USER${index + 1}: the username "${name}" ${reason}; it is used as a folder name below SYNC_BASE.`;
    // Case-insensitive file systems (macOS, Windows) would put Alice and alice in one folder.
    const key = name.toLowerCase();
    if (seen.has(key)) return `SYNC_USER${index + 1}: the username "${name}" is already used by another SYNC_USERn (names must differ, ignoring case).`;
    seen.add(key);
  }
  return null;
}
