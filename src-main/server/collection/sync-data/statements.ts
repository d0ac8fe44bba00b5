// Chunks arrive 250 rows at a time, tens of times per sync: statements are
// prepared once per connection and reused (the storage layer's cache). Card,
// note and revlog integers are safe as plain numbers.
import type Database from 'better-sqlite3';
import { statement as cachedStatement } from '../../storage/objects/db.js';

export function statement(db: Database.Database, sql: string): Database.Statement {
  return cachedStatement(db, sql, { safeIntegers: false });
}
