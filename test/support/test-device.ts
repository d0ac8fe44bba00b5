// A device in the tests: a schema-18 collection file of its own, changed the
// way the Anki client changes it (usn -1 on every changed object, graves for
// deletions, `col.mod` bumped, `scm` bumped by schema changes), and read back
// as the set of objects a sync must make equal on both sides.
import type Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { deriveNoteColumns, normalizeNoteTags } from '../../src-main/server/collection/sync-data/note-fields.js';
import { readNotetypeShape } from '../../src-main/server/collection/sync-data/notetype-shape.js';
import { GRAVE_CARD, GRAVE_DECK, GRAVE_NOTE } from '../../src-main/server/collection/sync-data/graves.js';
import { stringifyJson, type JsonValue } from '../../src-main/server/json.js';
import { getAllConfig, setConfigValue } from '../../src-main/server/storage/objects/config.js';
import { allDeckConfigs, getDeckConfig, putDeckConfig } from '../../src-main/server/storage/objects/deckconfigs.js';
import { deckConfigFromLegacy, deckConfigToLegacy } from '../../src-main/server/storage/objects/deckconfigs-legacy.js';
import { allDecks, ensureDeckNameUnique, getDeck, putDeck, removeDeck } from '../../src-main/server/storage/objects/decks.js';
import { deckFromLegacy, deckToLegacy } from '../../src-main/server/storage/objects/decks-legacy.js';
import { nativeDeckName } from '../../src-main/server/storage/objects/names.js';
import {
  allNotetypes,
  ensureNotetypeNameUnique,
  getNotetype,
  putNotetype,
  removeNotetype,
} from '../../src-main/server/storage/objects/notetypes.js';
import { notetypeFromLegacy, notetypeToLegacy } from '../../src-main/server/storage/objects/notetypes-legacy.js';
import { allTags, registerTag } from '../../src-main/server/storage/objects/tags.js';
import { openDatabase } from '../../src-main/server/storage/sqlite.js';

const PENDING = -1;

// Ids are millisecond stamps, as in Anki; shared by every device in the process
// so that two devices creating objects in the same millisecond do not collide.
let lastId = 0;

export class TestDevice {
  readonly db: Database.Database;

  constructor(readonly path: string) {
    this.db = openDatabase(path);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  nowSecs(): number {
    return Math.floor(Date.now() / 1000);
  }

  /** A millisecond id no other object of this device has. */
  newId(): number {
    lastId = Math.max(Date.now(), lastId + 1);
    return lastId;
  }

  col(): { crt: number; mod: number; scm: number; usn: number; ls: number } {
    return this.db.prepare('SELECT crt, mod, scm, usn, ls FROM col').get() as never;
  }

  /** Every local change moves `col.mod` forward, which is what makes a client sync at all. */
  markModified(): void {
    const { mod } = this.col();
    this.db.prepare('UPDATE col SET mod = ?').run(Math.max(Date.now(), mod + 1));
  }

  /** Changes that can only travel by full sync (removing a notetype, adding a field…). */
  markSchemaModified(): void {
    const { scm } = this.col();
    this.db.prepare('UPDATE col SET scm = ?').run(Math.max(Date.now(), scm + 1));
    this.markModified();
  }

  private grave(oid: number, type: number): void {
    this.db.prepare('INSERT OR IGNORE INTO graves (oid, type, usn) VALUES (?, ?, ?)').run(oid, type, PENDING);
  }

  firstNotetypeId(): number {
    return this.db.prepare('SELECT id FROM notetypes ORDER BY id LIMIT 1').pluck().get() as number;
  }

  notetypeIdByName(name: string): number {
    const id = this.db.prepare('SELECT id FROM notetypes WHERE name = ?').pluck().get(name) as number | undefined;
    if (id === undefined) throw new Error(`no notetype ${name}`);
    return id;
  }

  deckIdByName(name: string): number {
    const id = this.db.prepare('SELECT id FROM decks WHERE name = ?').pluck().get(nativeDeckName(name)) as number | undefined;
    if (id === undefined) throw new Error(`no deck ${name}`);
    return id;
  }

  addNote(options: { notetypeId?: number; deckId?: number; fields: string[]; tags?: string; mtime?: number }): {
    noteId: number;
    cardIds: number[];
  } {
    const notetypeId = options.notetypeId ?? this.firstNotetypeId();
    const shape = readNotetypeShape(this.db, notetypeId);
    if (!shape) throw new Error(`no notetype ${notetypeId}`);
    const templates = this.db.prepare('SELECT count() FROM templates WHERE ntid = ?').pluck().get(notetypeId) as number;
    const noteId = this.newId();
    const mtime = options.mtime ?? this.nowSecs();
    const tags = normalizeNoteTags(options.tags ?? '');
    const derived = deriveNoteColumns(options.fields, shape.sortFieldIdx);
    this.db
      .prepare("INSERT INTO notes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, '')")
      .run(noteId, randomBytes(6).toString('base64'), notetypeId, mtime, PENDING, tags, derived.flds, derived.sfld, derived.csum);
    for (const tag of tags.trim().split(' ').filter(Boolean)) registerTag(this.db, tag, PENDING);
    const deckId = options.deckId ?? 1;
    const cardIds: number[] = [];
    for (let ord = 0; ord < Math.max(templates, 1); ord++) {
      const cardId = this.newId();
      this.db
        .prepare("INSERT INTO cards VALUES (?, ?, ?, ?, ?, ?, 0, 0, ?, 0, 0, 0, 0, 0, 0, 0, 0, '{}')")
        .run(cardId, noteId, deckId, ord, mtime, PENDING, noteId % 100000);
      cardIds.push(cardId);
    }
    this.markModified();
    return { noteId, cardIds };
  }

  editNote(noteId: number, fields: string[], options: { tags?: string; mtime?: number } = {}): void {
    const mid = this.db.prepare('SELECT mid FROM notes WHERE id = ?').pluck().get(noteId) as number;
    const derived = deriveNoteColumns(fields, readNotetypeShape(this.db, mid)!.sortFieldIdx);
    const tags = options.tags === undefined ? undefined : normalizeNoteTags(options.tags);
    this.db
      .prepare('UPDATE notes SET flds = ?, sfld = ?, csum = ?, mod = ?, usn = ?, tags = coalesce(?, tags) WHERE id = ?')
      .run(derived.flds, derived.sfld, derived.csum, options.mtime ?? this.nowSecs(), PENDING, tags ?? null, noteId);
    for (const tag of (tags ?? '').trim().split(' ').filter(Boolean)) registerTag(this.db, tag, PENDING);
    this.markModified();
  }

  /** Answers a card "good": it becomes a review card, and one revlog row is written. */
  reviewCard(cardId: number, options: { mtime?: number; ivl?: number } = {}): number {
    const ivl = options.ivl ?? 3;
    this.db
      .prepare(
        'UPDATE cards SET type = 2, queue = 2, due = due + ?, ivl = ?, factor = 2500, reps = reps + 1, mod = ?, usn = ? WHERE id = ?',
      )
      .run(ivl, ivl, options.mtime ?? this.nowSecs(), PENDING, cardId);
    const revlogId = this.newId();
    this.db.prepare('INSERT INTO revlog VALUES (?, ?, ?, 3, ?, 0, 2500, 4200, 1)').run(revlogId, cardId, PENDING, ivl);
    this.markModified();
    return revlogId;
  }

  deleteNote(noteId: number): void {
    const cardIds = this.db.prepare('SELECT id FROM cards WHERE nid = ?').pluck().all(noteId) as number[];
    for (const cardId of cardIds) {
      this.db.prepare('DELETE FROM cards WHERE id = ?').run(cardId);
      this.grave(cardId, GRAVE_CARD);
    }
    this.db.prepare('DELETE FROM notes WHERE id = ?').run(noteId);
    this.grave(noteId, GRAVE_NOTE);
    this.markModified();
  }

  addDeck(name: string, options: { mtime?: number } = {}): number {
    const template = deckToLegacy(getDeck(this.db, 1)!);
    const id = this.newId();
    const deck = deckFromLegacy({ ...template, id, name, mod: options.mtime ?? this.nowSecs(), usn: PENDING });
    ensureDeckNameUnique(this.db, deck, PENDING);
    putDeck(this.db, deck);
    this.markModified();
    return id;
  }

  renameDeck(id: number, name: string, options: { mtime?: number } = {}): void {
    const deck = getDeck(this.db, id)!;
    deck.name = nativeDeckName(name);
    deck.mtimeSecs = options.mtime ?? this.nowSecs();
    deck.usn = PENDING;
    ensureDeckNameUnique(this.db, deck, PENDING);
    putDeck(this.db, deck);
    this.markModified();
  }

  addDeckConfig(name: string): number {
    const template = deckConfigToLegacy(getDeckConfig(this.db, 1)!);
    const id = this.newId();
    putDeckConfig(this.db, deckConfigFromLegacy({ ...template, id, name, mod: this.nowSecs(), usn: PENDING }));
    this.markModified();
    return id;
  }

  /** Points a normal deck at another options preset. */
  setDeckConfig(deckId: number, configId: number): void {
    const legacy = deckToLegacy(getDeck(this.db, deckId)!);
    const deck = deckFromLegacy({ ...legacy, conf: configId, mod: this.nowSecs(), usn: PENDING });
    putDeck(this.db, deck);
    this.markModified();
  }

  /** Deletes the deck and its cards (and notes left without cards), with graves. */
  deleteDeck(id: number): void {
    const cards = this.db.prepare('SELECT id, nid FROM cards WHERE did = ?').raw().all(id) as [number, number][];
    for (const [cardId] of cards) {
      this.db.prepare('DELETE FROM cards WHERE id = ?').run(cardId);
      this.grave(cardId, GRAVE_CARD);
    }
    for (const noteId of new Set(cards.map(([, nid]) => nid))) {
      if (this.db.prepare('SELECT 1 FROM cards WHERE nid = ?').get(noteId) === undefined) {
        this.db.prepare('DELETE FROM notes WHERE id = ?').run(noteId);
        this.grave(noteId, GRAVE_NOTE);
      }
    }
    removeDeck(this.db, id);
    this.grave(id, GRAVE_DECK);
    this.markModified();
  }

  addNotetype(name: string, options: { copyOf?: number; mtime?: number } = {}): number {
    const template = notetypeToLegacy(getNotetype(this.db, options.copyOf ?? this.firstNotetypeId())!);
    const id = this.newId();
    const notetype = notetypeFromLegacy({ ...template, id, name, mod: options.mtime ?? this.nowSecs(), usn: PENDING });
    ensureNotetypeNameUnique(this.db, notetype, PENDING);
    putNotetype(this.db, notetype);
    this.markModified();
    return id;
  }

  renameNotetype(id: number, name: string, options: { mtime?: number } = {}): void {
    const notetype = getNotetype(this.db, id)!;
    notetype.name = name;
    notetype.mtimeSecs = options.mtime ?? this.nowSecs();
    notetype.usn = PENDING;
    ensureNotetypeNameUnique(this.db, notetype, PENDING);
    putNotetype(this.db, notetype);
    this.markModified();
  }

  /** Adding a field is a schema change: the client bumps scm, so the next sync is a full one. */
  addFieldToNotetype(id: number, fieldName: string): void {
    const notetype = getNotetype(this.db, id)!;
    notetype.fields.push({ ...notetype.fields[0]!, name: fieldName, config: { ...notetype.fields[0]!.config, id: undefined } });
    notetype.mtimeSecs = this.nowSecs();
    notetype.usn = PENDING;
    putNotetype(this.db, notetype);
    this.db.prepare('UPDATE notes SET flds = flds || char(31), mod = ?, usn = ? WHERE mid = ?').run(this.nowSecs(), PENDING, id);
    this.markSchemaModified();
  }

  /** Notetypes have no graves: removing one is a schema change. */
  deleteNotetype(id: number): void {
    const noteIds = this.db.prepare('SELECT id FROM notes WHERE mid = ?').pluck().all(id) as number[];
    for (const noteId of noteIds) this.deleteNote(noteId);
    removeNotetype(this.db, id);
    this.markSchemaModified();
  }

  setConfig(key: string, value: JsonValue): void {
    setConfigValue(this.db, key, value, PENDING, this.nowSecs());
    this.markModified();
  }

  addTag(name: string): void {
    registerTag(this.db, name, PENDING);
    this.markModified();
  }

  /** The client's before_upload: graves go, every usn becomes 0, scm and ls move to now; then a checkpoint. */
  beforeUpload(): void {
    const db = this.db;
    db.transaction(() => {
      db.exec('DELETE FROM graves');
      for (const table of ['notes', 'cards', 'revlog']) db.exec(`UPDATE ${table} SET usn = 0 WHERE usn = -1`);
      for (const table of ['tags', 'deck_config', 'decks', 'notetypes']) db.exec(`UPDATE ${table} SET usn = 0 WHERE usn != 0`);
      const now = Date.now();
      db.prepare('UPDATE col SET usn = usn + 1, scm = ?, ls = ?, mod = ?').run(now, now, now);
    })();
    db.pragma('wal_checkpoint(TRUNCATE)');
  }

  integrityCheck(): string {
    return this.db.pragma('integrity_check', { simple: true }) as string;
  }
}

/** Everything a sync must make identical on two collections, in a comparable form. */
export interface CollectionContents {
  cards: unknown[];
  notes: unknown[];
  revlog: unknown[];
  decks: string[];
  notetypes: string[];
  deckConfigs: string[];
  tags: string[];
  config: string;
}

export function collectionContents(db: Database.Database): CollectionContents {
  return {
    cards: db.prepare('SELECT * FROM cards ORDER BY id').raw().all(),
    notes: db.prepare('SELECT id, guid, mid, mod, usn, tags, flds, sfld, csum, flags, data FROM notes ORDER BY id').raw().all(),
    revlog: db.prepare('SELECT * FROM revlog ORDER BY id').raw().all(),
    decks: allDecks(db).map((deck) => stringifyJson(deckToLegacy(deck))),
    notetypes: allNotetypes(db).map((notetype) => stringifyJson(notetypeToLegacy(notetype))),
    deckConfigs: allDeckConfigs(db).map((config) => stringifyJson(deckConfigToLegacy(config))),
    tags: allTags(db).map((tag) => tag.name),
    config: stringifyJson(getAllConfig(db)),
  };
}
