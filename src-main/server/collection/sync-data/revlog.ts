// Review log rows: never updated once written, so merging is insert-if-absent.
import type Database from 'better-sqlite3';
import { rowsByIds, statement } from './statements.js';
import { clampU32, I32_MAX, I32_MIN, strictInt, truncatedInt, tupleOf, wrapI32 } from '../../values.js';

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

/** [id, cid, usn, ease, ivl, lastIvl, factor, time, type] */
export type RevlogTuple = [number, number, number, number, number, number, number, number, number];

// The tuple parser checks each element and normalises it in place: a chunk
// holds hundreds of rows, and the freshly parsed arrays are ours to keep.
export function parseRevlog(value: unknown): RevlogTuple {
  const t = tupleOf(value, 9, 'revlog entry');
  strictInt(t[0], 'revlog id');
  strictInt(t[1], 'revlog cid');
  strictInt(t[2], 'revlog usn', I32_MIN, I32_MAX);
  strictInt(t[3], 'revlog ease', 0, 255);
  t[4] = wrapI32(truncatedInt(t[4], 'revlog ivl'));
  t[5] = wrapI32(truncatedInt(t[5], 'revlog lastIvl'));
  t[6] = clampU32(truncatedInt(t[6], 'revlog factor'));
  t[7] = clampU32(truncatedInt(t[7], 'revlog time'));
  // An unknown review kind is read as 0 (learning), as the reference does.
  if (!(typeof t[8] === 'number' && Number.isInteger(t[8]) && t[8] >= 0 && t[8] <= 5)) t[8] = 0;
  return t as RevlogTuple;
}
