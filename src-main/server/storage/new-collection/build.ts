// Writes the brand-new empty collection (docs/protocol/collection-sync.md §5.3) into an empty
// database, the way the reference does: the schema-11 tables and `col` row with
// the settings, the upgrade to 18 (create-schema.ts), then the default deck
// options, deck and the six stock notetypes, converted from their legacy JSON
// by storage/objects.

import type Database from 'better-sqlite3';
import { createCollectionSchema } from '../schema/create-schema.js';
import { putDeckConfig } from '../objects/deckconfigs.js';
import { deckConfigFromLegacy } from '../objects/deckconfigs-legacy.js';
import { putDeck } from '../objects/decks.js';
import { deckFromLegacy } from '../objects/decks-legacy.js';
import { putNotetype } from '../objects/notetypes.js';
import { notetypeFromLegacy } from '../objects/notetypes-legacy.js';
import { creationDate, defaultCollectionConfig, defaultDeck, defaultDeckConfig } from './defaults.js';
import { stockNotetypes } from './stock-notetypes.js';

/**
 * `mod` stays 0 so that a fresh client and this fresh server agree on "no
 * changes"; `scm` is now, so any client's first real sync is a full sync.
 */
export function buildEmptyCollection(db: Database.Database, nowMs: number): void {
  const notetypes = stockNotetypes(nowMs);
  db.transaction(() => {
    createCollectionSchema(db, {
      crt: creationDate(nowMs),
      scm: nowMs,
      conf: defaultCollectionConfig(notetypes[0]!.id),
    });
    putDeckConfig(db, deckConfigFromLegacy(defaultDeckConfig()));
    putDeck(db, deckFromLegacy(defaultDeck()));
    for (const notetype of notetypes) putNotetype(db, notetypeFromLegacy(notetype));
  })();
}
