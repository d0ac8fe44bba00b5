// The client's side of graves (rslib/src/sync/collection/graves.rs): how a
// device splits its pending graves into applyGraves requests, and marks them
// sent. Only the test clients need this; the server never sends graves in chunks.
import type Database from 'better-sqlite3';
import { statement } from '../../src-main/server/collection/sync-data/statements.js';
import { emptyGraves, GRAVES_PER_CHUNK } from '../../src-main/server/collection/sync-data/graves.js';
import type { Graves } from '../../src-main/server/collection/sync-data/wire.js';

/**
 * Takes the next applyGraves chunk from `graves` (which it empties): cards
 * first, then notes, then decks, each from the end of its list. Null when
 * nothing is left.
 */
export function takeGravesChunk(graves: Graves): Graves | null {
  const chunk = emptyGraves();
  let budget = GRAVES_PER_CHUNK;
  for (const kind of ['cards', 'notes', 'decks'] as const) {
    while (budget > 0 && graves[kind].length > 0) {
      chunk[kind].push(graves[kind].pop()!);
      budget--;
    }
  }
  return budget === GRAVES_PER_CHUNK ? null : chunk;
}

/** A client's pending graves take the server's usn before they are sent. */
export function markPendingGravesSent(db: Database.Database, serverUsn: number): void {
  statement(db, 'UPDATE graves SET usn = ? WHERE usn = -1').run(serverUsn);
}
