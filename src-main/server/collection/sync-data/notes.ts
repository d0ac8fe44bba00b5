// Note rows. Same conflict rule as cards; in addition the notetype must exist
// and have as many fields as the note, and the receiver computes the sort
// field and checksum itself (docs/protocol/collection-sync.md §4.5). Any violation aborts the merge.
import type Database from 'better-sqlite3';
import { BadRequestError } from '../../errors.js';
import { deriveNoteColumns, FIELD_SEPARATOR, normalizeNoteTags } from './note-fields.js';
import { readNotetypeShape, type NotetypeShape } from './notetype-shape.js';
import { rowsByIds, statement } from './statements.js';
import { isPending } from './usn.js';
import { I32_MAX, I32_MIN, strictInt, stringOf, tupleOf, U32_MAX } from '../../values.js';

const SELECT = 'SELECT id, guid, mid, mod, usn, tags, flds FROM notes';

/** The wire form: sfld and csum travel as empty strings, flags as 0, data as "". */
export function loadNotes(db: Database.Database, ids: readonly number[]): NoteTuple[] {
  return rowsByIds<[number, string, number, number, number, string, string]>(db, SELECT, ids, 'notes').map((row) => [
    ...row,
    '',
    '',
    0,
    '',
  ]);
}

export function mergeNotes(db: Database.Database, notes: readonly NoteTuple[], pendingUsn: number): void {
  const existing = statement(db, 'SELECT usn, mod FROM notes WHERE id = ?');
  const write = statement(
    db,
    'INSERT OR REPLACE INTO notes (id, guid, mid, mod, usn, tags, flds, sfld, csum, flags, data) ' +
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, '')",
  );
  const shapes = new Map<number, NotetypeShape | null>();
  for (const [id, guid, mid, mod, usn, tags, flds] of notes) {
    const current = existing.get(id) as { usn: number; mod: number } | undefined;
    if (current && isPending(current.usn, pendingUsn) && current.mod >= mod) continue;
    let shape = shapes.get(mid);
    if (shape === undefined) {
      shape = readNotetypeShape(db, mid);
      shapes.set(mid, shape);
    }
    if (!shape) throw new BadRequestError(`note ${id}: notetype ${mid} does not exist`);
    const fields = flds.split(FIELD_SEPARATOR);
    const expected = Math.max(shape.fieldCount, 1);
    if (fields.length !== expected) {
      throw new BadRequestError(`note ${id} has ${fields.length} fields, its notetype ${mid} has ${expected}`);
    }
    const derived = deriveNoteColumns(fields, shape.sortFieldIdx);
    write.run(id, guid, mid, mod, usn, normalizeNoteTags(tags), derived.flds, derived.sfld, derived.csum);
  }
}

/** [id, guid, mid, mod, usn, tags, flds, sfld, csum, flags, data]; sfld/csum travel as "". */
export type NoteTuple = [number, string, number, number, number, string, string, string, string, number, string];

// The tuple parser checks each element and normalises it in place: a chunk
// holds hundreds of rows, and the freshly parsed arrays are ours to keep.
export function parseNote(value: unknown): NoteTuple {
  const t = tupleOf(value, 11, 'note');
  strictInt(t[0], 'note id');
  stringOf(t[1], 'note guid');
  strictInt(t[2], 'note mid');
  strictInt(t[3], 'note mod');
  strictInt(t[4], 'note usn', I32_MIN, I32_MAX);
  stringOf(t[5], 'note tags');
  stringOf(t[6], 'note fields');
  stringOf(t[7], 'note sfld');
  stringOf(t[8], 'note csum');
  strictInt(t[9], 'note flags', 0, U32_MAX);
  stringOf(t[10], 'note data');
  return t as NoteTuple;
}
