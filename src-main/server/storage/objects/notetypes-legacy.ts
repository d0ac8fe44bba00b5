// Notetypes ("models") in their legacy JSON form, the form of applyChanges and
// schema 11, to and from the Notetype of notetypes.ts.
// Mapping: docs/protocol/collection-sync.md §6.3.1 and §6.4.1; reference rslib/src/notetype/schema11.rs.
import type { JsonObject, JsonValue } from '../../json.js';
import { type CardRequirement } from '../proto-types.js';
import { type Db } from './db.js';
import {
  appendOther,
  expectObject,
  i64Json,
  Invalid,
  orDefault,
  otherBytes,
  parse,
  parseOther,
  required,
  withDefault,
  type JsonInt,
  type Parser,
  type Where,
} from './legacy-json.js';
import { wrapUnsigned } from '../../values.js';
import { safeId } from './ids.js';
import { getNotetype, type Notetype, type NotetypeField, type NotetypeTemplate } from './notetypes.js';

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

/** Convenience: the legacy JSON of one stored notetype. */
export function getLegacyNotetype(db: Db, id: number): LegacyNotetype | undefined {
  const nt = getNotetype(db, id);
  return nt ? notetypeToLegacy(nt) : undefined;
}
