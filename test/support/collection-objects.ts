// The objects a schema-18 collection holds, in their legacy JSON wire forms
// (what survives a trip through schema 11), for comparing two copies.
import { openDatabase } from '../../src-main/server/storage/sqlite.js';
import { stringifyJson, type JsonValue } from '../../src-main/server/json.js';
import { allNotetypes } from '../../src-main/server/storage/objects/notetypes.js';
import { notetypeToLegacy } from '../../src-main/server/storage/objects/notetypes-legacy.js';
import { allDecks } from '../../src-main/server/storage/objects/decks.js';
import { deckToLegacy } from '../../src-main/server/storage/objects/decks-legacy.js';
import { allDeckConfigs } from '../../src-main/server/storage/objects/deckconfigs.js';
import { deckConfigToLegacy } from '../../src-main/server/storage/objects/deckconfigs-legacy.js';
import { getAllConfig } from '../../src-main/server/storage/objects/config.js';
import { allTags, tagsToLegacyMap } from '../../src-main/server/storage/objects/tags.js';

export interface CollectionObjects {
  /** Each as canonical JSON text (lossless for i64 values), sorted by id. */
  readonly notetypes: string[];
  readonly decks: string[];
  readonly deckConfigs: string[];
  readonly config: string;
  readonly tags: string;
}

function canonical(value: unknown): string {
  return stringifyJson(sortKeys(value as JsonValue));
}

function sortKeys(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, JsonValue> = {};
    for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, JsonValue>)[key]!);
    return out;
  }
  return value;
}

function byId<T extends { id: number }>(list: T[]): T[] {
  return [...list].sort((a, b) => a.id - b.id);
}

export function collectionObjects(path: string): CollectionObjects {
  const db = openDatabase(path, { readonly: true, fileMustExist: true });
  try {
    return {
      notetypes: byId(allNotetypes(db).map(notetypeToLegacy)).map(canonical),
      decks: byId(allDecks(db).map(deckToLegacy)).map(canonical),
      deckConfigs: byId(allDeckConfigs(db).map(deckConfigToLegacy)).map(canonical),
      config: canonical(getAllConfig(db)),
      tags: canonical(tagsToLegacyMap(allTags(db))),
    };
  } finally {
    db.close();
  }
}
