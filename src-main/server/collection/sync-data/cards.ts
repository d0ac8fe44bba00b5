// Card rows. A card changed on both sides since the last sync keeps the
// receiver's copy unless the incoming one is strictly newer (docs/protocol/collection-sync.md §4.4).
import type Database from 'better-sqlite3';
import { rowsByIds, statement } from './statements.js';
import { pendingClause } from './usn.js';
import { I32_MAX, I32_MIN, strictInt, stringOf, truncatedInt, tupleOf, U32_MAX, wrapI32, clampU32 } from '../../values.js';
import { BadRequestError } from '../../errors.js';

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

/** [id, nid, did, ord, mod, usn, type, queue, due, ivl, factor, reps, lapses, left, odue, odid, flags, data] */
export type CardTuple = [
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  string,
];

const CARD_TYPES = new Set([0, 1, 2, 3]);
const CARD_QUEUES = new Set([-3, -2, -1, 0, 1, 2, 3, 4]);

// The tuple parser checks each element and normalises it in place: a chunk
// holds hundreds of rows, and the freshly parsed arrays are ours to keep.
export function parseCard(value: unknown): CardTuple {
  const t = tupleOf(value, 18, 'card');
  strictInt(t[0], 'card id');
  strictInt(t[1], 'card nid');
  strictInt(t[2], 'card did');
  strictInt(t[3], 'card ord', 0, 65535);
  t[4] = truncatedInt(t[4], 'card mod');
  strictInt(t[5], 'card usn', I32_MIN, I32_MAX);
  if (!CARD_TYPES.has(strictInt(t[6], 'card type'))) throw new BadRequestError('invalid card type');
  if (!CARD_QUEUES.has(strictInt(t[7], 'card queue'))) throw new BadRequestError('invalid card queue');
  t[8] = wrapI32(truncatedInt(t[8], 'card due'));
  t[9] = clampU32(truncatedInt(t[9], 'card ivl'));
  strictInt(t[10], 'card factor', 0, 65535);
  strictInt(t[11], 'card reps', 0, U32_MAX);
  strictInt(t[12], 'card lapses', 0, U32_MAX);
  strictInt(t[13], 'card left', 0, U32_MAX);
  t[14] = wrapI32(truncatedInt(t[14], 'card odue'));
  strictInt(t[15], 'card odid');
  strictInt(t[16], 'card flags', 0, 255);
  stringOf(t[17], 'card data');
  return t as CardTuple;
}
