// The collection's objects: notetypes, decks, deck configs, config and tags,
// between their legacy JSON form (applyChanges, schema 11's col row) and their
// schema-18 rows. This index is the stable API; import from here.
//
// Three layers per object type:
//
//   legacy JSON  --xFromLegacy(json)-->  native object  --putX(db, obj)-->  rows
//   legacy JSON  <--xToLegacy(obj)-----  native object  <--getX / allX / xChangedSince(db)--  rows
//
// - `xFromLegacy(json)` validates with the reference's serde leniency and throws
//   InvalidLegacyObjectError (a BadRequestError, 400) on what the reference
//   refuses. Nothing is stored by it.
// - Native objects (Notetype, Deck, DeckConfig) hold the row columns plus the
//   decoded protobuf config (see ../proto.ts). Ids, mtimes and usns are JS
//   numbers; 64-bit ids inside configs (field/template ids) are bigints.
//   Deck names are native ("Parent\x1fChild"); the legacy JSON has "Parent::Child".
// - `putX(db, obj)` stores exactly what it is given (insert or replace; a
//   notetype's fields and templates are rewritten with ords = array positions).
//   It does not touch usn or mtime and does not check name clashes: call
//   `ensureNotetypeNameUnique` / `ensureDeckNameUnique` first when merging.
// - Readers decode rows; a row that cannot be decoded throws CorruptObjectError
//   (a ServerFaultError, 500). Deck configs are clamped on read as the reference does.
// - `xChangedSince(db, minUsn)` selects `usn >= minUsn`, what the server sends
//   in applyChanges (docs/protocol/collection-sync.md §4.3).
//
// Unknown legacy keys survive: they go into the `other = 255` bytes of the blob
// and come back out (minus the reference's reserved names) on the way to JSON.
//
// JSON text: the legacy objects may hold integers beyond 2^53 (stock notetype
// field ids do). Parse request bodies that carry them with `parseJson` and write
// replies with `stringifyJson` (../json.ts); JSON.stringify throws on them.
//
// Every function needs a connection from ../sqlite.ts openDatabase (the unicase
// collation). Callers own transactions.
//
// Typical normal-sync use (server side):
//   const outgoing = notetypesChangedSince(db, clientUsn).map(notetypeToLegacy);
//   for (const json of incoming.models) {
//     const nt = notetypeFromLegacy(json);                  // 400 if malformed
//     const existing = getNotetype(db, nt.id);
//     if (existing && existing.mtimeSecs > nt.mtimeSecs) continue;
//     if (existing && (existing.fields.length !== nt.fields.length ||
//                      existing.templates.length !== nt.templates.length)) throw …; // schema changed
//     ensureNotetypeNameUnique(db, nt, serverUsn);
//     putNotetype(db, nt);
//   }
//   registerTag(db, name, serverUsn) for each incoming tag;
//   setAllConfig(db, conf, serverUsn, nowSecs) when the client's config is newer;
//   getAllConfig(db) + clearConfigUsns(db) when the server's is.

export {
  getNotetype,
  allNotetypes,
  notetypesChangedSince,
  putNotetype,
  removeNotetype,
  notetypeIdByName,
  ensureNotetypeNameUnique,
  type Notetype,
  type NotetypeField,
  type NotetypeTemplate,
} from './notetypes.js';
export {
  notetypeFromLegacy,
  notetypeToLegacy,
  getLegacyNotetype,
  type LegacyNotetype,
  type LegacyField,
  type LegacyTemplate,
} from './notetypes-legacy.js';

export {
  getDeck,
  allDecks,
  decksChangedSince,
  putDeck,
  removeDeck,
  deckIdByName,
  ensureDeckNameUnique,
  newNormalDeck,
  type Deck,
} from './decks.js';
export { deckFromLegacy, deckToLegacy, type LegacyDeck } from './decks-legacy.js';

export {
  getDeckConfig,
  allDeckConfigs,
  deckConfigsChangedSince,
  putDeckConfig,
  removeDeckConfig,
  clampDeckConfigValues,
  defaultDeckConfigConfig,
  newDeckConfig,
  type DeckConfig,
} from './deckconfigs.js';
export { deckConfigFromLegacy, deckConfigToLegacy, type LegacyDeckConfig } from './deckconfigs-legacy.js';

export {
  getAllConfig,
  getConfigEntries,
  getConfigValue,
  setConfigValue,
  removeConfigValue,
  setAllConfig,
  clearConfigUsns,
  type ConfigEntry,
} from './config.js';

export { allTags, tagsChangedSince, preferredTagCase, registerTag, putTag, tagsToLegacyMap, type Tag } from './tags.js';

export { nativeDeckName, humanDeckName, normalizeTagName } from './names.js';
export { InvalidLegacyObjectError, PrecisionLostError } from './legacy-json.js';
export { CorruptObjectError, type Db } from './db.js';
