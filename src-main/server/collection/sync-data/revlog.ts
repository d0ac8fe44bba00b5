// Review log rows: never updated once written, so merging is insert-if-absent.
import type Database from 'better-sqlite3';
import { statement } from './statements.js';
import type { RevlogTuple } from './wire.js';

const SELECT =
  'SELECT id, cid, usn, ease, cast(ivl AS integer), cast(lastIvl AS integer), factor, time, type FROM revlog WHERE id = ?';

export function loadRevlog(db: Database.Database, id: number): RevlogTuple {
  const row = statement(db, SELECT).raw().get(id) as RevlogTuple | undefined;
  if (!row) throw new Error(`revlog ${id} vanished during sync`);
  return row;
}

export function mergeRevlog(db: Database.Database, entries: readonly RevlogTuple[]): void {
  const insert = statement(
    db,
    'INSERT OR IGNORE INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  for (const entry of entries) insert.run(entry);
}
