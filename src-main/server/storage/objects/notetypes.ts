// Notetypes ("models") as schema 18 stores them: the Notetype object and its
// rows in `notetypes`, `fields` and `templates`
// (rslib/src/storage/notetype/mod.rs). Their legacy JSON form is notetypes-legacy.ts.
import { fieldConfigCodec, notetypeConfigCodec, templateConfigCodec } from '../proto-codec.js';
import { type FieldConfig, type NotetypeConfig, type TemplateConfig } from '../proto-types.js';
import { appendPlusUntilUnique, blobFromRow, decodeOrCorrupt, idFromRow, intFromRow, statement, textFromRow, type Db } from './db.js';
import { fail } from './legacy-json.js';

/** A notetype as stored in schema 18. */
export interface Notetype {
  id: number;
  name: string;
  mtimeSecs: number;
  usn: number;
  config: NotetypeConfig;
  fields: NotetypeField[];
  templates: NotetypeTemplate[];
}

/** One `fields` row; its ord is its index in Notetype.fields. */
export interface NotetypeField {
  name: string;
  config: FieldConfig;
}

/** One `templates` row; its ord is its index in Notetype.templates. */
export interface NotetypeTemplate {
  name: string;
  mtimeSecs: number;
  usn: number;
  config: TemplateConfig;
}

// ---- rows ------------------------------------------------------------------------

const SELECT_NOTETYPE = 'SELECT id, name, mtime_secs, usn, config FROM notetypes';

function notetypeFromRows(db: Db, row: Record<string, unknown>): Notetype {
  const id = idFromRow(row['id'], 'notetype');
  const what = `notetype ${id}`;
  return {
    id,
    name: textFromRow(row['name'], what),
    mtimeSecs: intFromRow(row['mtime_secs']),
    usn: intFromRow(row['usn']),
    config: decodeOrCorrupt(what, () => notetypeConfigCodec.decode(blobFromRow(row['config'], what))),
    fields: (statement(db, 'SELECT ord, name, config FROM fields WHERE ntid = ? ORDER BY ord').all(id) as Record<string, unknown>[]).map(
      (f) => ({
        name: textFromRow(f['name'], what),
        config: decodeOrCorrupt(`${what} field`, () => fieldConfigCodec.decode(blobFromRow(f['config'], what))),
      }),
    ),
    templates: (
      statement(db, 'SELECT ord, name, mtime_secs, usn, config FROM templates WHERE ntid = ? ORDER BY ord').all(id) as Record<
        string,
        unknown
      >[]
    ).map((t) => ({
      name: textFromRow(t['name'], what),
      mtimeSecs: intFromRow(t['mtime_secs']),
      usn: intFromRow(t['usn']),
      config: decodeOrCorrupt(`${what} template`, () => templateConfigCodec.decode(blobFromRow(t['config'], what))),
    })),
  };
}

export function getNotetype(db: Db, id: number): Notetype | undefined {
  const row = statement(db, `${SELECT_NOTETYPE} WHERE id = ?`).get(id) as Record<string, unknown> | undefined;
  return row ? notetypeFromRows(db, row) : undefined;
}

/** Every notetype, in id order. */
export function allNotetypes(db: Db): Notetype[] {
  return (statement(db, `${SELECT_NOTETYPE} ORDER BY id`).all() as Record<string, unknown>[]).map((row) => notetypeFromRows(db, row));
}

/** Notetypes with `usn >= minUsn` (what the server sends in applyChanges), in id order. */
export function notetypesChangedSince(db: Db, minUsn: number): Notetype[] {
  return (statement(db, `${SELECT_NOTETYPE} WHERE usn >= ? ORDER BY id`).all(minUsn) as Record<string, unknown>[]).map((row) =>
    notetypeFromRows(db, row),
  );
}

/**
 * Inserts or replaces the notetype and all its fields and templates, ords from
 * array positions, exactly as given (no usn/mtime change, no name check).
 */
export function putNotetype(db: Db, nt: Notetype): void {
  if (nt.id === 0) fail('notetype', 'id 0');
  statement(db, 'INSERT OR REPLACE INTO notetypes (id, name, mtime_secs, usn, config) VALUES (?, ?, ?, ?, ?)').run(
    nt.id,
    nt.name,
    nt.mtimeSecs,
    nt.usn,
    notetypeConfigCodec.encode(nt.config),
  );
  statement(db, 'DELETE FROM fields WHERE ntid = ?').run(nt.id);
  const addField = statement(db, 'INSERT INTO fields (ntid, ord, name, config) VALUES (?, ?, ?, ?)');
  nt.fields.forEach((f, ord) => addField.run(nt.id, ord, f.name, fieldConfigCodec.encode(f.config)));
  statement(db, 'DELETE FROM templates WHERE ntid = ?').run(nt.id);
  const addTemplate = statement(db, 'INSERT INTO templates (ntid, ord, name, mtime_secs, usn, config) VALUES (?, ?, ?, ?, ?, ?)');
  nt.templates.forEach((t, ord) => addTemplate.run(nt.id, ord, t.name, t.mtimeSecs, t.usn, templateConfigCodec.encode(t.config)));
}

export function removeNotetype(db: Db, id: number): void {
  statement(db, 'DELETE FROM templates WHERE ntid = ?').run(id);
  statement(db, 'DELETE FROM fields WHERE ntid = ?').run(id);
  statement(db, 'DELETE FROM notetypes WHERE id = ?').run(id);
}

/** The id of the notetype with this name under the unicase collation, if any. */
export function notetypeIdByName(db: Db, name: string): number | undefined {
  const row = statement(db, 'SELECT id FROM notetypes WHERE name = ?').get(name) as { id: bigint } | undefined;
  return row ? idFromRow(row.id, 'notetype') : undefined;
}

/** The reference's ensure_notetype_name_unique: "+" until no other notetype has the name (unicase); see appendPlusUntilUnique. */
export function ensureNotetypeNameUnique(db: Db, nt: Notetype, usn: number, nowSecs = Math.floor(Date.now() / 1000)): boolean {
  return appendPlusUntilUnique(nt, (name) => notetypeIdByName(db, name), usn, nowSecs);
}
