// The usn threshold that marks a row as "changed since the other side last
// saw it". On a client the threshold is -1 and only rows with exactly -1 are
// pending; on the server it is the client's minUsn and every row at or above
// it is pending (docs/protocol/collection-sync.md §4.2).

/** The threshold a client uses for its own unsynced rows. */
export const CLIENT_PENDING_USN = -1;

/** SQL condition on a `usn` column, with one `?` for the threshold. */
export function pendingClause(pendingUsn: number, column = 'usn'): string {
  return pendingUsn === CLIENT_PENDING_USN ? `${column} = ?` : `${column} >= ?`;
}

export function isPending(usn: number, pendingUsn: number): boolean {
  return pendingUsn === CLIENT_PENDING_USN ? usn === CLIENT_PENDING_USN : usn >= pendingUsn;
}
