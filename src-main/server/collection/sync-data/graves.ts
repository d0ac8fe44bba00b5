// Deletion markers (docs/protocol/collection-sync.md §4.6). Both sides use these: the server
// with the client's minUsn as threshold, a client with -1.
import type Database from 'better-sqlite3';
import { statement } from './statements.js';
import { pendingClause } from './usn.js';
import type { Graves } from './wire.js';

export const GRAVE_CARD = 0;
export const GRAVE_NOTE = 1;
export const GRAVE_DECK = 2;

/** Same budget as chunks: at most this many ids per applyGraves request. */
export const GRAVES_PER_CHUNK = 250;

export function emptyGraves(): Graves {
  return { cards: [], decks: [], notes: [] };
}

export function graveCount(graves: Graves): number {
  return graves.cards.length + graves.notes.length + graves.decks.length;
}

export function pendingGraves(db: Database.Database, pendingUsn: number): Graves {
  const graves = emptyGraves();
  const rows = db
    .prepare(`SELECT oid, type FROM graves WHERE ${pendingClause(pendingUsn)}`)
    .raw()
    .all(pendingUsn) as [number, number][];
  for (const [oid, type] of rows) {
    if (type === GRAVE_CARD) graves.cards.push(oid);
    else if (type === GRAVE_NOTE) graves.notes.push(oid);
    else if (type === GRAVE_DECK) graves.decks.push(oid);
    else throw new Error(`grave ${oid} has unknown type ${type}`);
  }
  return graves;
}

/** Ids applied between two turns of the event loop, so a long legacy list of graves never stalls other users. */
const GRAVES_PER_TURN = 2_000;

/** applyGraves in turns of the event loop: the same end state, other requests served in between. */
export async function applyGravesInTurns(db: Database.Database, graves: Graves, latestUsn: number): Promise<void> {
  for (const kind of ['notes', 'cards', 'decks'] as const) {
    for (let at = 0; at < graves[kind].length; at += GRAVES_PER_TURN) {
      applyGraves(db, { ...emptyGraves(), [kind]: graves[kind].slice(at, at + GRAVES_PER_TURN) }, latestUsn);
      if (at + GRAVES_PER_TURN < graves[kind].length) await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
}

/**
 * Deletes each object and records its grave with `latestUsn`: notes, then
 * cards, then decks. No cascading: the sender sends card graves for the cards
 * of a deleted note itself. An existing grave keeps its usn (insert or ignore,
 * as the reference does on the schema-18 primary key).
 */
export function applyGraves(db: Database.Database, graves: Graves, latestUsn: number): void {
  const addGrave = statement(db, 'INSERT OR IGNORE INTO graves (usn, oid, type) VALUES (?, ?, ?)');
  const removeNote = statement(db, 'DELETE FROM notes WHERE id = ?');
  const removeCard = statement(db, 'DELETE FROM cards WHERE id = ?');
  const removeDeck = statement(db, 'DELETE FROM decks WHERE id = ?');
  for (const id of graves.notes) {
    removeNote.run(id);
    addGrave.run(latestUsn, id, GRAVE_NOTE);
  }
  for (const id of graves.cards) {
    removeCard.run(id);
    addGrave.run(latestUsn, id, GRAVE_CARD);
  }
  for (const id of graves.decks) {
    removeDeck.run(id);
    addGrave.run(latestUsn, id, GRAVE_DECK);
  }
}
