// Card rows. A card changed on both sides since the last sync keeps the
// receiver's copy unless the incoming one is strictly newer (docs/protocol/collection-sync.md §4.4).
import type Database from 'better-sqlite3';
import { rowsByIds, statement } from './statements.js';
import { pendingClause } from './usn.js';
import type { CardTuple } from './wire.js';

const SELECT =
  'SELECT id, nid, did, ord, cast(mod AS integer), usn, type, queue, due, cast(ivl AS integer), factor, ' +
  'reps, lapses, left, odue, odid, flags, data FROM cards';

export function loadCards(db: Database.Database, ids: readonly number[]): CardTuple[] {
  return rowsByIds<CardTuple>(db, SELECT, ids, 'cards');
}

const COLUMNS = 'id, nid, did, ord, mod, usn, type, queue, due, ivl, factor, reps, lapses, left, odue, odid, flags, data';
const UPDATES = COLUMNS.split(', ')
  .filter((column) => column !== 'id')
  .map((column) => `${column} = excluded.${column}`)
  .join(', ');

/** One statement per card: insert, or overwrite unless the existing row is pending and not older. */
function upsertSql(pendingUsn: number): string {
  return (
    `INSERT INTO cards (${COLUMNS}) VALUES (${COLUMNS.split(', ')
      .map(() => '?')
      .join(', ')}) ` +
    `ON CONFLICT (id) DO UPDATE SET ${UPDATES} ` +
    `WHERE NOT (${pendingClause(pendingUsn, 'cards.usn')}) OR cards.mod < excluded.mod`
  );
}

export function mergeCards(db: Database.Database, cards: readonly CardTuple[], pendingUsn: number): void {
  const upsert = statement(db, upsertSql(pendingUsn));
  for (const card of cards) upsert.run(...card, pendingUsn);
}
