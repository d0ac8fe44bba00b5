// Chunks arrive 250 rows at a time, tens of times per sync: statements are
// prepared once per connection and reused (the storage layer's cache). Card,
// note and revlog integers are safe as plain numbers.
import type Database from 'better-sqlite3';
import { statement as cachedStatement } from '../../storage/objects/db.js';

export function statement(db: Database.Database, sql: string): Database.Statement {
  return cachedStatement(db, sql, { safeIntegers: false });
}

const placeholderLists: string[] = [];

/** "?, ?, …" for `count` parameters (chunks use at most a few hundred). */
function placeholders(count: number): string {
  placeholderLists[count] ??= Array.from({ length: count }, () => '?').join(', ');
  return placeholderLists[count];
}

/** `select` (ending in FROM <table>) restricted to `ids`, as raw rows; throws if any id is missing. */
export function rowsByIds<T>(db: Database.Database, select: string, ids: readonly number[], what: string): T[] {
  if (ids.length === 0) return [];
  const rows = statement(db, `${select} WHERE id IN (${placeholders(ids.length)})`)
    .raw()
    .all(...ids) as T[];
  if (rows.length !== ids.length) throw new Error(`${what}: ${ids.length - rows.length} rows vanished during sync`);
  return rows;
}

/** Sets `usn` on the rows of `ids`. */
export function setUsnByIds(db: Database.Database, table: string, ids: readonly number[], usn: number): void {
  if (ids.length === 0) return;
  statement(db, `UPDATE ${table} SET usn = ? WHERE id IN (${placeholders(ids.length)})`).run(usn, ...ids);
}
