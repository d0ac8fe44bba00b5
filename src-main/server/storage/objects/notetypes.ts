// Notetypes ("models"): the legacy JSON of applyChanges / schema 11 ↔ the rows
// of `notetypes`, `fields` and `templates` (schema 18).
// Mapping: docs/protocol/collection-sync.md §6.3.1 and §6.4.1; reference rslib/src/notetype/schema11.rs
// and rslib/src/storage/notetype/mod.rs.

import type { JsonObject, JsonValue } from '../../json.js';
import {
  fieldConfigCodec,
  notetypeConfigCodec,
  templateConfigCodec,
  type CardRequirement,
  type FieldConfig,
  type NotetypeConfig,
  type TemplateConfig,
} from '../proto.js';
import { appendPlusUntilUnique, blobFromRow, decodeOrCorrupt, idFromRow, intFromRow, statement, textFromRow, type Db } from './db.js';
import {
  appendOther,
  expectObject,
  fail,
  i64Json,
  Invalid,
  orDefault,
  otherBytes,
  parse,
  parseOther,
  required,
  withDefault,
  wrapUnsigned,
  type JsonInt,
  type Parser,
  type Where,
} from './legacy-json.js';
import { safeId } from './ids.js';

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

/** The legacy JSON form (docs/protocol/collection-sync.md §6.3.1). Keys we do not map ride along unchanged. */
export interface LegacyNotetype extends JsonObject {
  id: number;
  name: string;
  type: number;
  mod: number;
  usn: number;
  sortf: number;
  did: JsonInt | null;
  tmpls: LegacyTemplate[];
  flds: LegacyField[];
  css: string;
  latexPre: string;
  latexPost: string;
  latexsvg: boolean;
  req: [number, 'any' | 'all' | 'none', number[]][];
}

export interface LegacyField extends JsonObject {
  name: string;
  ord: number | null;
  sticky: boolean;
  rtl: boolean;
  font: string;
  size: number;
}

export interface LegacyTemplate extends JsonObject {
  name: string;
  ord: number | null;
  qfmt: string;
  afmt: string;
  bqfmt: string;
  bafmt: string;
  did: JsonInt | null;
  bfont: string;
  bsize: number;
}

// Keys the reference maps; all others go to `other`. On the way out, a stored
// `other` key with one of these names is dropped (the reference's reserved sets).
const NOTETYPE_KEYS = new Set([
  'id',
  'name',
  'type',
  'mod',
  'usn',
  'sortf',
  'did',
  'tmpls',
  'flds',
  'css',
  'latexPre',
  'latexPost',
  'latexsvg',
  'req',
  'originalStockKind',
  'originalId',
]);
const FIELD_KEYS = new Set([
  'name',
  'ord',
  'sticky',
  'rtl',
  'plainText',
  'font',
  'size',
  'collapsed',
  'description',
  'excludeFromSearch',
  'id',
  'tag',
  'preventDeletion',
]);
const TEMPLATE_KEYS = new Set(['name', 'ord', 'did', 'afmt', 'bafmt', 'qfmt', 'bqfmt', 'bfont', 'bsize', 'id']);

const REQUIREMENT_KINDS = ['none', 'any', 'all'] as const; // proto order: KIND_NONE, KIND_ANY, KIND_ALL

// ---- legacy JSON → schema 18 -------------------------------------------------------

/** Validates and converts a legacy notetype; throws InvalidLegacyObjectError (400). */
export function notetypeFromLegacy(value: JsonValue | undefined): Notetype {
  const obj = expectObject(value, 'notetype');
  const id = safeId(required(obj, 'id', parse.i64FromString, 'notetype'), 'notetype');
  const where: Where = `notetype ${id}`;
  const name = required(obj, 'name', parse.string, where);
  const kind = required(obj, 'type', (v) => (v === 0 || v === 1 ? v : Invalid), where);
  const mtimeSecs = Number(required(obj, 'mod', parse.i64, where));
  const usn = required(obj, 'usn', parse.i32, where);
  const sortf = required(obj, 'sortf', parse.u16, where);
  const did = orDefault(obj, 'did', parse.optional(parse.i64), undefined, where, true);
  const tmpls = required(obj, 'tmpls', arrayOf, where);
  const flds = required(obj, 'flds', arrayOf, where);
  const css = orDefault(obj, 'css', parse.string, '', where, true);
  const latexPre = withDefault(obj, 'latexPre', parse.string, '', where);
  const latexPost = withDefault(obj, 'latexPost', parse.string, '', where);
  const latexSvg = orDefault(obj, 'latexsvg', parse.bool, false, where);
  const reqs = orDefault(obj, 'req', parseRequirements, [], where);
  const originalStockKind = withDefault(obj, 'originalStockKind', parse.i32, 0, where);
  const originalId = withDefault(obj, 'originalId', parse.optional(parse.i64), undefined, where);

  return {
    id,
    name,
    mtimeSecs,
    usn,
    config: {
      kind,
      sort_field_idx: sortf,
      css,
      target_deck_id_unused: did ?? 0n,
      latex_pre: latexPre,
      latex_post: latexPost,
      latex_svg: latexSvg,
      reqs,
      original_stock_kind: originalStockKind,
      original_id: originalId,
      other: otherBytes(obj, NOTETYPE_KEYS),
    },
    fields: flds.map((f, index) => fieldFromLegacy(f, `${where} field ${index}`)),
    templates: tmpls.map((t, index) => templateFromLegacy(t, `${where} template ${index}`)),
  };
}

const arrayOf: Parser<JsonValue[]> = (v) => (Array.isArray(v) ? v : Invalid);

function parseRequirements(value: JsonValue | undefined): CardRequirement[] | typeof Invalid {
  if (!Array.isArray(value)) return Invalid;
  const out: CardRequirement[] = [];
  for (const item of value) {
    // serde reads the tuple struct from a 3-element array
    if (!Array.isArray(item) || item.length !== 3) return Invalid;
    const cardOrd = parse.u16(item[0]);
    const kind = REQUIREMENT_KINDS.indexOf(item[1] as (typeof REQUIREMENT_KINDS)[number]);
    const fieldOrds = Array.isArray(item[2]) ? item[2].map((v) => parse.u16(v)) : Invalid;
    if (cardOrd === Invalid || kind < 0 || fieldOrds === Invalid || fieldOrds.includes(Invalid)) return Invalid;
    out.push({ card_ord: cardOrd, kind, field_ords: fieldOrds as number[] });
  }
  return out;
}

function fieldFromLegacy(value: JsonValue, where: Where): NotetypeField {
  const obj = expectObject(value, where);
  const name = required(obj, 'name', parse.string, where);
  withDefault(obj, 'ord', parse.optional(parse.u16), undefined, where); // validated; the array index is the ord
  return {
    name,
    config: {
      sticky: required(obj, 'sticky', parse.boolFromAnything, where),
      rtl: required(obj, 'rtl', parse.boolFromAnything, where),
      font_name: required(obj, 'font', parse.string, where),
      font_size: required(obj, 'size', parse.u16, where),
      description: orDefault(obj, 'description', parse.string, '', where),
      plain_text: orDefault(obj, 'plainText', parse.bool, false, where),
      collapsed: orDefault(obj, 'collapsed', parse.bool, false, where),
      exclude_from_search: orDefault(obj, 'excludeFromSearch', parse.bool, false, where),
      id: orDefault(obj, 'id', parse.optional(parse.i64), undefined, where),
      tag: orDefault(obj, 'tag', parse.optional(parse.u32), undefined, where),
      prevent_deletion: orDefault(obj, 'preventDeletion', parse.bool, false, where),
      other: otherBytes(obj, FIELD_KEYS),
    },
  };
}

function templateFromLegacy(value: JsonValue, where: Where): NotetypeTemplate {
  const obj = expectObject(value, where);
  const name = required(obj, 'name', parse.string, where);
  withDefault(obj, 'ord', parse.optional(parse.u16), undefined, where);
  return {
    name,
    // legacy JSON carries no per-template stamps
    mtimeSecs: 0,
    usn: 0,
    config: {
      q_format: required(obj, 'qfmt', parse.string, where),
      a_format: withDefault(obj, 'afmt', parse.string, '', where),
      q_format_browser: withDefault(obj, 'bqfmt', parse.string, '', where),
      a_format_browser: withDefault(obj, 'bafmt', parse.string, '', where),
      target_deck_id: orDefault(obj, 'did', parse.optional(parse.i64), undefined, where) ?? 0n,
      browser_font_name: orDefault(obj, 'bfont', parse.string, '', where),
      browser_font_size: orDefault(obj, 'bsize', parse.u8, 0, where),
      id: orDefault(obj, 'id', parse.optional(parse.i64), undefined, where),
      other: otherBytes(obj, TEMPLATE_KEYS),
    },
  };
}

// ---- schema 18 → legacy JSON -------------------------------------------------------

export function notetypeToLegacy(nt: Notetype): LegacyNotetype {
  const c = nt.config;
  const out: LegacyNotetype = {
    id: nt.id,
    name: nt.name,
    type: c.kind === 1 ? 1 : 0,
    mod: nt.mtimeSecs,
    usn: nt.usn,
    sortf: wrapUnsigned(c.sort_field_idx, 16),
    did: c.target_deck_id_unused === 0n ? null : i64Json(c.target_deck_id_unused),
    tmpls: nt.templates.map(templateToLegacy),
    flds: nt.fields.map(fieldToLegacy),
    css: c.css,
    latexPre: c.latex_pre,
    latexPost: c.latex_post,
    latexsvg: c.latex_svg,
    req: c.reqs.map((r) => [
      wrapUnsigned(r.card_ord, 16),
      REQUIREMENT_KINDS[r.kind] ?? 'none', // an unknown kind reads as the default, KIND_NONE
      r.field_ords.map((o) => wrapUnsigned(o, 16)),
    ]),
  };
  if (c.original_stock_kind !== 0) out['originalStockKind'] = c.original_stock_kind;
  if (c.original_id !== undefined) out['originalId'] = i64Json(c.original_id);
  appendOther(out, parseOther(c.other, NOTETYPE_KEYS));
  return out;
}

function fieldToLegacy(field: NotetypeField, ord: number): LegacyField {
  const c = field.config;
  const out: LegacyField = {
    name: field.name,
    ord,
    sticky: c.sticky,
    rtl: c.rtl,
    font: c.font_name,
    size: wrapUnsigned(c.font_size, 16),
    description: c.description,
    plainText: c.plain_text,
    collapsed: c.collapsed,
    excludeFromSearch: c.exclude_from_search,
    id: c.id === undefined ? null : i64Json(c.id),
    tag: c.tag ?? null,
    preventDeletion: c.prevent_deletion,
  };
  appendOther(out, parseOther(c.other, FIELD_KEYS));
  return out;
}

function templateToLegacy(template: NotetypeTemplate, ord: number): LegacyTemplate {
  const c = template.config;
  const out: LegacyTemplate = {
    name: template.name,
    ord,
    qfmt: c.q_format,
    afmt: c.a_format,
    bqfmt: c.q_format_browser,
    bafmt: c.a_format_browser,
    did: c.target_deck_id > 0n ? i64Json(c.target_deck_id) : null,
    bfont: c.browser_font_name,
    bsize: wrapUnsigned(c.browser_font_size, 8),
    id: c.id === undefined ? null : i64Json(c.id),
  };
  appendOther(out, parseOther(c.other, TEMPLATE_KEYS));
  return out;
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

/** Convenience: the legacy JSON of one stored notetype. */
export function getLegacyNotetype(db: Db, id: number): LegacyNotetype | undefined {
  const nt = getNotetype(db, id);
  return nt ? notetypeToLegacy(nt) : undefined;
}
