// Review log rows: never updated once written, so merging is insert-if-absent.
import type Database from 'better-sqlite3';
import { rowsByIds, statement } from './statements.js';
import type { RevlogTuple } from './wire.js';

const SELECT = 'SELECT id, cid, usn, ease, cast(ivl AS integer), cast(lastIvl AS integer), factor, time, type FROM revlog';

export function loadRevlog(db: Database.Database, ids: readonly number[]): RevlogTuple[] {
  return rowsByIds<RevlogTuple>(db, SELECT, ids, 'revlog');
}

export function mergeRevlog(db: Database.Database, entries: readonly RevlogTuple[]): void {
  const insert = statement(
    db,
    'INSERT OR IGNORE INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  for (const entry of entries) insert.run(entry);
}
