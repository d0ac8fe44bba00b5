// Small helpers the object modules share for talking to a collection database.

import type Database from 'better-sqlite3';
import { ServerFaultError } from '../../errors.js';

export type Db = Database.Database;

/** A stored object that cannot be read back (bad blob, impossible id): our fault or a damaged file. */
export class CorruptObjectError extends ServerFaultError {}

const cache = new WeakMap<Db, Map<string, Database.Statement>>();

/**
 * A prepared statement, cached per connection. Integers come back as bigint
 * (safeIntegers) so that no i64 is rounded on the way in; callers narrow ids
 * with `idFromRow`. `{ safeIntegers: false }` gives plain numbers, for tables
 * whose integers are known to be safe (cards, notes, revlog: the sync's bulk rows).
 */
export function statement(db: Db, sql: string, options: { safeIntegers?: boolean } = {}): Database.Statement {
  const safeIntegers = options.safeIntegers ?? true;
  let perDb = cache.get(db);
  if (!perDb) {
    perDb = new Map();
    cache.set(db, perDb);
  }
  const key = safeIntegers ? sql : `numbers\0${sql}`;
  let stmt = perDb.get(key);
  if (!stmt) {
    stmt = db.prepare(sql);
    if (stmt.reader && safeIntegers) stmt.safeIntegers(true);
    perDb.set(key, stmt);
  }
  return stmt;
}

/** Object ids are JS numbers in our API: every real id is a millisecond stamp or smaller. */
export function idFromRow(value: unknown, what: string): number {
  const n = typeof value === 'bigint' ? value : typeof value === 'number' ? BigInt(value) : undefined;
  if (n === undefined || n < BigInt(Number.MIN_SAFE_INTEGER) || n > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new CorruptObjectError(`${what}: id ${String(value)} is not a safe integer`);
  }
  return Number(n);
}

/** A small integer column (usn, mtime, ord). */
export function intFromRow(value: unknown): number {
  return typeof value === 'bigint' ? Number(value) : Number(value);
}

export function blobFromRow(value: unknown, what: string): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (value === null || value === undefined) return new Uint8Array(0);
  throw new CorruptObjectError(`${what}: expected a blob`);
}

export function textFromRow(value: unknown, what: string): string {
  if (typeof value === 'string') return value;
  throw new CorruptObjectError(`${what}: expected text`);
}

/** Runs a blob decoder; any failure becomes a CorruptObjectError naming the object. */
export function decodeOrCorrupt<T>(what: string, decode: () => T): T {
  try {
    return decode();
  } catch (error) {
    if (error instanceof CorruptObjectError) throw error;
    throw new CorruptObjectError(`${what}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

/**
 * The reference's ensure_*_name_unique: while another object holds the name
 * (under the column's unicase collation), append "+" and mark the object
 * modified (mtime = now, usn = `usn`). Returns whether the name changed.
 */
export function appendPlusUntilUnique(
  object: { id: number; name: string; mtimeSecs: number; usn: number },
  idByName: (name: string) => number | undefined,
  usn: number,
  nowSecs: number,
): boolean {
  let changed = false;
  for (;;) {
    const existing = idByName(object.name);
    if (existing === undefined || existing === object.id) return changed;
    object.name += '+';
    object.mtimeSecs = nowSecs;
    object.usn = usn;
    changed = true;
  }
}
