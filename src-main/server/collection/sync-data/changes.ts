// Notetypes, decks, deck configs, tags and config: the "unchunked changes" of
// applyChanges (docs/protocol/collection-sync.md §3.5, §4.4, §4.5). They travel as legacy
// JSON; the storage converters (storage/objects) turn them into schema-18
// rows and back. Both sides use these functions: the server with the
// client's minUsn as pending threshold, a client with -1 and its server usn.
import type Database from 'better-sqlite3';
import { BadRequestError } from '../../errors.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../../json.js';
import { getDeckConfig, putDeckConfig, type DeckConfig } from '../../storage/objects/deckconfigs.js';
import { deckConfigFromLegacy, deckConfigToLegacy } from '../../storage/objects/deckconfigs-legacy.js';
import { ensureDeckNameUnique, getDeck, putDeck, type Deck } from '../../storage/objects/decks.js';
import { deckFromLegacy, deckToLegacy } from '../../storage/objects/decks-legacy.js';
import { type Notetype, ensureNotetypeNameUnique, getNotetype, putNotetype } from '../../storage/objects/notetypes.js';
import { notetypeFromLegacy, notetypeToLegacy } from '../../storage/objects/notetypes-legacy.js';
import { getAllConfig, setAllConfig } from '../../storage/objects/config.js';
import { registerTag } from '../../storage/objects/tags.js';
import { statement } from './statements.js';
import { pendingClause } from './usn.js';

export interface UnchunkedChanges {
  models: JsonValue[];
  /** [decks, deck configs] */
  decks: [JsonValue[], JsonValue[]];
  tags: string[];
  /** Only from the side that is newer by `col.mod`. */
  conf?: JsonObject;
  crt?: number;
}

function fail(what: string): never {
  throw new BadRequestError(`applyChanges: invalid ${what}`);
}

export function parseUnchunkedChanges(value: JsonValue | undefined): UnchunkedChanges {
  if (!isJsonObject(value)) fail('changes');
  const { models, decks, tags, conf, crt } = value;
  if (!Array.isArray(models)) fail('models');
  if (!Array.isArray(decks) || decks.length !== 2 || !Array.isArray(decks[0]) || !Array.isArray(decks[1])) fail('decks');
  if (!Array.isArray(tags) || !tags.every((tag): tag is string => typeof tag === 'string')) fail('tags');
  const changes: UnchunkedChanges = { models, decks: [decks[0], decks[1]], tags };
  if (conf !== undefined && conf !== null) {
    if (!isJsonObject(conf)) fail('conf');
    changes.conf = conf;
  }
  if (crt !== undefined && crt !== null) {
    if (typeof crt !== 'number' || !Number.isInteger(crt)) fail('crt');
    changes.crt = crt;
  }
  return changes;
}

type ObjectTable = 'notetypes' | 'decks' | 'deck_config';

/** Ids of pending objects; a client also marks them as sent with its server usn. */
function pendingObjectIds(db: Database.Database, table: ObjectTable, pendingUsn: number, serverUsnIfClient: number | null): number[] {
  const ids = statement(db, `SELECT id FROM ${table} WHERE ${pendingClause(pendingUsn)}`)
    .pluck()
    .all(pendingUsn) as number[];
  if (serverUsnIfClient !== null) {
    const mark = statement(db, `UPDATE ${table} SET usn = ? WHERE id = ?`);
    for (const id of ids) mark.run(serverUsnIfClient, id);
  }
  return ids;
}

function pendingTags(db: Database.Database, pendingUsn: number, serverUsnIfClient: number | null): string[] {
  const tags = statement(db, `SELECT tag FROM tags WHERE ${pendingClause(pendingUsn)}`)
    .pluck()
    .all(pendingUsn) as string[];
  if (serverUsnIfClient !== null) {
    const mark = statement(db, 'UPDATE tags SET usn = ? WHERE tag = ?');
    for (const tag of tags) mark.run(serverUsnIfClient, tag);
  }
  return tags;
}

function must<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`${what} vanished during sync`);
  return value;
}

/**
 * What this side sends: every pending notetype, deck, deck config and tag,
 * plus the whole config and `crt` when `includeConfig` (the newer side).
 */
export function gatherChanges(
  db: Database.Database,
  pendingUsn: number,
  serverUsnIfClient: number | null,
  includeConfig: boolean,
): UnchunkedChanges {
  const withUsn = <T extends { usn: number }>(object: T): T => {
    if (serverUsnIfClient !== null) object.usn = serverUsnIfClient;
    return object;
  };
  const models = pendingObjectIds(db, 'notetypes', pendingUsn, serverUsnIfClient).map((id) =>
    notetypeToLegacy(withUsn(must(getNotetype(db, id), `notetype ${id}`))),
  );
  const decks = pendingObjectIds(db, 'decks', pendingUsn, serverUsnIfClient).map((id) =>
    deckToLegacy(withUsn(must(getDeck(db, id), `deck ${id}`))),
  );
  const deckConfigs = pendingObjectIds(db, 'deck_config', pendingUsn, serverUsnIfClient).map((id) =>
    deckConfigToLegacy(withUsn(must(getDeckConfig(db, id), `deck config ${id}`))),
  );
  const changes: UnchunkedChanges = {
    models,
    decks: [decks, deckConfigs],
    tags: pendingTags(db, pendingUsn, serverUsnIfClient),
  };
  if (includeConfig) {
    changes.conf = getAllConfig(db);
    changes.crt = (statement(db, 'SELECT crt FROM col').get() as { crt: number }).crt;
  }
  return changes;
}

/** Notetypes, decks, deck configs and tags in a set of changes (config is not counted). */
export function changeCount(changes: UnchunkedChanges): number {
  return changes.models.length + changes.decks[0].length + changes.decks[1].length + changes.tags.length;
}

/** The objects of an UnchunkedChanges, validated and converted to their stored forms. */
export interface DecodedChanges {
  notetypes: Notetype[];
  decks: Deck[];
  deckConfigs: DeckConfig[];
  tags: string[];
  conf?: JsonObject;
  crt?: number;
}

/** Converts every object first, so a malformed one is refused before anything is written. */
export function decodeChanges(changes: UnchunkedChanges): DecodedChanges {
  const decoded: DecodedChanges = {
    notetypes: changes.models.map(notetypeFromLegacy),
    decks: changes.decks[0].map(deckFromLegacy),
    deckConfigs: changes.decks[1].map(deckConfigFromLegacy),
    tags: changes.tags,
  };
  if (changes.conf !== undefined) decoded.conf = changes.conf;
  if (changes.crt !== undefined) decoded.crt = changes.crt;
  return decoded;
}

/** Notetypes: newer-or-equal incoming wins, but never with a different field or template count. */
function mergeNotetypes(db: Database.Database, notetypes: readonly Notetype[], latestUsn: number): void {
  for (const incoming of notetypes) {
    const existing = getNotetype(db, incoming.id);
    if (existing) {
      if (existing.mtimeSecs > incoming.mtimeSecs) continue;
      if (existing.fields.length !== incoming.fields.length || existing.templates.length !== incoming.templates.length) {
        throw new BadRequestError(`notetype ${incoming.id}: schema changed (fields or templates added or removed)`);
      }
    }
    ensureNotetypeNameUnique(db, incoming, latestUsn);
    putNotetype(db, incoming);
  }
}

function mergeDecks(db: Database.Database, decks: readonly Deck[], latestUsn: number): void {
  for (const incoming of decks) {
    const existing = getDeck(db, incoming.id);
    if (existing && existing.mtimeSecs > incoming.mtimeSecs) continue;
    ensureDeckNameUnique(db, incoming, latestUsn);
    putDeck(db, incoming);
  }
}

function mergeDeckConfigs(db: Database.Database, configs: readonly DeckConfig[]): void {
  for (const incoming of configs) {
    const existing = getDeckConfig(db, incoming.id);
    if (existing && existing.mtimeSecs > incoming.mtimeSecs) continue;
    putDeckConfig(db, incoming);
  }
}

/** Merges what the other side sent, in the reference's order. */
export function mergeChanges(db: Database.Database, changes: DecodedChanges, latestUsn: number): void {
  mergeNotetypes(db, changes.notetypes, latestUsn);
  mergeDecks(db, changes.decks, latestUsn);
  mergeDeckConfigs(db, changes.deckConfigs);
  for (const tag of changes.tags) registerTag(db, tag, latestUsn);
  if (changes.crt !== undefined) statement(db, 'UPDATE col SET crt = ?').run(changes.crt);
  if (changes.conf !== undefined) setAllConfig(db, changes.conf, latestUsn, Math.floor(Date.now() / 1000));
}

export function applyChanges(db: Database.Database, changes: UnchunkedChanges, latestUsn: number): void {
  mergeChanges(db, decodeChanges(changes), latestUsn);
}
