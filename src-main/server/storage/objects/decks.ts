// Decks, normal and filtered, as schema 18 stores them: the Deck object (common
// and kind blobs, native names with U+001F), the reference's new normal deck
// (rslib/src/decks/mod.rs) and the `decks` rows (rslib/src/storage/deck/mod.rs).
// Their legacy JSON form is decks-legacy.ts.
import { deckCommonCodec, deckKindCodec } from '../proto-codec.js';
import { type DeckCommon, type DeckKind } from '../proto-types.js';
import { appendPlusUntilUnique, blobFromRow, decodeOrCorrupt, idFromRow, intFromRow, statement, textFromRow, type Db } from './db.js';
import { fail } from './legacy-json.js';
import { nativeDeckName } from './names.js';

/** A deck as stored in schema 18. `name` is the native form ("A\x1fB"). */
export interface Deck {
  id: number;
  name: string;
  mtimeSecs: number;
  usn: number;
  common: DeckCommon;
  kind: DeckKind;
}

/**
 * A new normal deck as the reference's Deck::new_normal makes it: both
 * collapse flags set, deck config 1, mtime 0, usn 0.
 */
export function newNormalDeck(id: number, humanName: string): Deck {
  return {
    id,
    name: nativeDeckName(humanName),
    mtimeSecs: 0,
    usn: 0,
    common: { ...deckCommonCodec.empty(), study_collapsed: true, browser_collapsed: true },
    kind: { normal: { ...deckKindCodec.empty().normal!, config_id: 1n } },
  };
}

// ---- rows ------------------------------------------------------------------------

const SELECT_DECK = 'SELECT id, name, mtime_secs, usn, common, kind FROM decks';

function deckFromRow(row: Record<string, unknown>): Deck {
  const id = idFromRow(row['id'], 'deck');
  const what = `deck ${id}`;
  return decodeOrCorrupt(what, () => ({
    id,
    name: textFromRow(row['name'], what),
    mtimeSecs: intFromRow(row['mtime_secs']),
    usn: intFromRow(row['usn']),
    common: deckCommonCodec.decode(blobFromRow(row['common'], what)),
    kind: deckKindCodec.decode(blobFromRow(row['kind'], what)),
  }));
}

export function getDeck(db: Db, id: number): Deck | undefined {
  const row = statement(db, `${SELECT_DECK} WHERE id = ?`).get(id) as Record<string, unknown> | undefined;
  return row ? deckFromRow(row) : undefined;
}

/** Every deck, in id order. */
export function allDecks(db: Db): Deck[] {
  return (statement(db, `${SELECT_DECK} ORDER BY id`).all() as Record<string, unknown>[]).map(deckFromRow);
}

/** Decks with `usn >= minUsn`, in id order. */
export function decksChangedSince(db: Db, minUsn: number): Deck[] {
  return (statement(db, `${SELECT_DECK} WHERE usn >= ? ORDER BY id`).all(minUsn) as Record<string, unknown>[]).map(deckFromRow);
}

/** Inserts or replaces the deck row exactly as given (no usn/mtime change, no name check). */
export function putDeck(db: Db, deck: Deck): void {
  if (deck.id === 0) fail('deck', 'id 0');
  statement(db, 'INSERT OR REPLACE INTO decks (id, name, mtime_secs, usn, common, kind) VALUES (?, ?, ?, ?, ?, ?)').run(
    deck.id,
    deck.name,
    deck.mtimeSecs,
    deck.usn,
    deckCommonCodec.encode(deck.common),
    deckKindCodec.encode(deck.kind),
  );
}

export function removeDeck(db: Db, id: number): void {
  statement(db, 'DELETE FROM decks WHERE id = ?').run(id);
}

/** The id of the deck with this native name under the unicase collation, if any. */
export function deckIdByName(db: Db, nativeName: string): number | undefined {
  const row = statement(db, 'SELECT id FROM decks WHERE name = ?').get(nativeName) as { id: bigint } | undefined;
  return row ? idFromRow(row.id, 'deck') : undefined;
}

/** The reference's ensure_deck_name_unique: "+" until no other deck has the name (unicase); see appendPlusUntilUnique. */
export function ensureDeckNameUnique(db: Db, deck: Deck, usn: number, nowSecs = Math.floor(Date.now() / 1000)): boolean {
  return appendPlusUntilUnique(deck, (name) => deckIdByName(db, name), usn, nowSecs);
}
