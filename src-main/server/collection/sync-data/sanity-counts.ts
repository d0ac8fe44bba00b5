// The object counts both sides compare before a sync is committed (docs/protocol/collection-sync.md §4.9).
import type Database from 'better-sqlite3';
import type { SanityCounts } from './wire.js';

const TABLES_WITHOUT_PENDING = ['cards', 'notes', 'revlog', 'graves', 'decks', 'deck_config', 'tags', 'notetypes'];

/** Null when some table still holds a row with usn -1: a side in that state cannot be trusted. */
export function sanityCounts(db: Database.Database): SanityCounts | null {
  for (const table of TABLES_WITHOUT_PENDING) {
    if (db.prepare(`SELECT 1 FROM ${table} WHERE usn = -1 LIMIT 1`).get() !== undefined) return null;
  }
  const count = (table: string) => (db.prepare(`SELECT count() AS n FROM ${table}`).get() as { n: number }).n;
  return [
    [0, 0, 0],
    count('cards'),
    count('notes'),
    count('revlog'),
    count('graves'),
    count('notetypes'),
    count('decks'),
    count('deck_config'),
  ];
}
