// Cards, notes and review log entries travel in chunks (docs/protocol/collection-sync.md
// §4.8): a budget of 250, each pass taking one id from the end of the revlog,
// notes and cards lists in turn, so a chunk holds at most 252 objects.
import type Database from 'better-sqlite3';
import { loadCards, mergeCards } from './cards.js';
import { loadNotes, mergeNotes } from './notes.js';
import { loadRevlog, mergeRevlog } from './revlog.js';
import { setUsnByIds, statement } from './statements.js';
import { pendingClause } from './usn.js';
import type { Chunk } from './wire.js';

export const CHUNK_SIZE = 250;

export interface ChunkableIds {
  revlog: number[];
  cards: number[];
  notes: number[];
}

function pendingIds(db: Database.Database, table: 'revlog' | 'cards' | 'notes', pendingUsn: number): number[] {
  return statement(db, `SELECT id FROM ${table} WHERE ${pendingClause(pendingUsn)}`)
    .pluck()
    .all(pendingUsn) as number[];
}

export function chunkableIds(db: Database.Database, pendingUsn: number): ChunkableIds {
  return {
    revlog: pendingIds(db, 'revlog', pendingUsn),
    cards: pendingIds(db, 'cards', pendingUsn),
    notes: pendingIds(db, 'notes', pendingUsn),
  };
}

export interface ChunkIds extends ChunkableIds {
  done: boolean;
}

/** Removes the next chunk's ids from `ids`. */
export function takeChunkIds(ids: ChunkableIds): ChunkIds {
  const taken: ChunkIds = { revlog: [], cards: [], notes: [], done: false };
  let budget = CHUNK_SIZE;
  while (budget > 0) {
    const before = budget;
    for (const kind of ['revlog', 'notes', 'cards'] as const) {
      const id = ids[kind].pop();
      if (id !== undefined) {
        taken[kind].push(id);
        budget--;
      }
    }
    if (budget === before) break;
  }
  taken.done = budget > 0;
  return taken;
}

/**
 * Loads the rows of `ids`. A client passes its server usn: its rows are
 * marked as sent (usn rewritten in the table) and carry that usn; the server
 * passes null and sends usns as stored.
 */
export function loadChunk(db: Database.Database, ids: ChunkIds, serverUsnIfClient: number | null): Chunk {
  if (serverUsnIfClient !== null) {
    for (const table of ['revlog', 'cards', 'notes'] as const) setUsnByIds(db, table, ids[table], serverUsnIfClient);
  }
  const chunk: Chunk = { done: ids.done };
  if (ids.revlog.length > 0) chunk.revlog = loadRevlog(db, ids.revlog);
  if (ids.cards.length > 0) chunk.cards = loadCards(db, ids.cards);
  if (ids.notes.length > 0) chunk.notes = loadNotes(db, ids.notes);
  return chunk;
}

export function chunkObjectCount(chunk: Chunk): number {
  return (chunk.revlog?.length ?? 0) + (chunk.cards?.length ?? 0) + (chunk.notes?.length ?? 0);
}

/** Revlog, then cards, then notes; `pendingUsn` decides which local rows count as changed here too. */
export function writeChunkRows(db: Database.Database, chunk: Chunk, pendingUsn: number): void {
  mergeRevlog(db, chunk.revlog ?? []);
  mergeCards(db, chunk.cards ?? [], pendingUsn);
  mergeNotes(db, chunk.notes ?? [], pendingUsn);
}
