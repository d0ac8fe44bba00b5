// Decks, normal and filtered, in their legacy JSON form, the form of
// applyChanges and schema 11, to and from the Deck of decks.ts.
// Mapping: docs/protocol/collection-sync.md §6.3.2 and §6.4.2; reference rslib/src/decks/schema11.rs.
import type { JsonObject, JsonValue } from '../../json.js';
import {
  type DayLimit,
  type DeckCommon,
  type DeckKind,
  type FilteredDeck,
  type FilteredSearchTerm,
  type NormalDeck,
} from '../proto-types.js';
import { safeId } from './ids.js';
import {
  appendOther,
  defineKey,
  expectObject,
  f32Json,
  fail,
  has,
  i64Json,
  Invalid,
  orDefault,
  otherKeys,
  parse,
  parseOther,
  required,
  withDefault,
  type Parser,
  type Where,
} from './legacy-json.js';
import { saturatingUnsigned, wrapI32 } from '../../values.js';
import { isJsonObject, jsonBytes } from '../../json.js';
import { humanDeckName, nativeDeckName } from './names.js';
import type { Deck } from './decks.js';

/** The legacy JSON form (docs/protocol/collection-sync.md §6.3.2); `dyn` 0 normal, 1 filtered. */
export interface LegacyDeck extends JsonObject {
  id: number;
  mod: number;
  name: string;
  usn: number;
  lrnToday: [number, number];
  revToday: [number, number];
  newToday: [number, number];
  timeToday: [number, number];
  collapsed: boolean;
  browserCollapsed: boolean;
  desc: string;
  dyn: number;
}

const COMMON_KEYS = [
  'id',
  'mod',
  'name',
  'usn',
  'lrnToday',
  'revToday',
  'newToday',
  'timeToday',
  'collapsed',
  'browserCollapsed',
  'desc',
  'md',
  'dyn',
];
const NORMAL_KEYS = new Set([
  ...COMMON_KEYS,
  'conf',
  'extendNew',
  'extendRev',
  'reviewLimit',
  'newLimit',
  'reviewLimitToday',
  'newLimitToday',
  'desiredRetention',
]);
const FILTERED_KEYS = new Set([
  ...COMMON_KEYS,
  'resched',
  'terms',
  'separate',
  'delays',
  'previewDelay',
  'previewAgainSecs',
  'previewHardSecs',
  'previewGoodSecs',
]);
// What the reference strips from a stored `other` on the way out (RESERVED_DECK_KEYS).
const RESERVED_DECK_KEYS = new Set([
  'usn',
  'revToday',
  'newLimit',
  'dyn',
  'reviewLimit',
  'newToday',
  'timeToday',
  'reviewLimitToday',
  'extendNew',
  'mod',
  'newLimitToday',
  'desc',
  'name',
  'lrnToday',
  'conf',
  'browserCollapsed',
  'extendRev',
  'id',
  'collapsed',
  'desiredRetention',
]);

// ---- legacy JSON → schema 18 -------------------------------------------------------

/** Validates and converts a legacy deck; throws InvalidLegacyObjectError (400). */
export function deckFromLegacy(value: JsonValue | undefined): Deck {
  const obj = expectObject(value, 'deck');
  // `dyn` picks the variant: 1 (or true) filtered, anything else normal
  if (!has(obj, 'dyn')) fail('deck', 'missing field "dyn"');
  const dyn = obj['dyn'];
  let isFiltered: boolean;
  if (typeof dyn === 'boolean') isFiltered = dyn;
  else if (typeof dyn === 'number' || typeof dyn === 'bigint') isFiltered = Number.isInteger(Number(dyn)) && Number(dyn) === 1;
  else fail('deck', '"dyn" was wrong type');

  const id = safeId(required(obj, 'id', parse.i64FromString, 'deck'), 'deck');
  const where: Where = `deck ${id}`;
  const mtimeSecs = Number(withDefault(obj, 'mod', parse.i64FromString, 0n, where));
  const humanName = required(obj, 'name', parse.string, where);
  const usn = required(obj, 'usn', parse.i32, where);
  const lrn = required(obj, 'lrnToday', todayAmount, where);
  const rev = required(obj, 'revToday', todayAmount, where);
  const nw = required(obj, 'newToday', todayAmount, where);
  const time = required(obj, 'timeToday', todayAmount, where);
  const studyCollapsed = required(obj, 'collapsed', parse.bool, where);
  const browserCollapsed = withDefault(obj, 'browserCollapsed', parse.bool, false, where);
  const desc = withDefault(obj, 'desc', parse.string, '', where);
  const markdown = withDefault(obj, 'md', parse.bool, false, where);
  if (typeof dyn !== 'boolean') required(obj, 'dyn', parse.u8, where);

  // one day value is kept: amounts from an earlier day than the latest are reset
  const maxDay = Math.max(time[0], nw[0], rev[0]);
  const other = otherKeys(obj, isFiltered ? FILTERED_KEYS : NORMAL_KEYS);
  delete other['return']; // obsolete key the reference drops
  const common: DeckCommon = {
    study_collapsed: studyCollapsed,
    browser_collapsed: browserCollapsed,
    last_day_studied: maxDay >>> 0,
    new_studied: nw[0] === maxDay ? nw[1] : 0,
    review_studied: rev[0] === maxDay ? rev[1] : 0,
    learning_studied: lrn[0] === maxDay ? lrn[1] : 0,
    milliseconds_studied: time[1],
    other: Object.keys(other).length === 0 ? new Uint8Array(0) : new Uint8Array(jsonBytes(other)),
  };
  const kind: DeckKind = isFiltered
    ? { filtered: filteredFromLegacy(obj, where) }
    : { normal: normalFromLegacy(obj, where, desc, markdown) };
  return { id, name: nativeDeckName(humanName), mtimeSecs, usn, common, kind };
}

/** `[day, amount]`: the last element is the amount, the one before it the day; anything else 0. */
const todayAmount: Parser<[number, number]> = (value) => {
  if (!Array.isArray(value)) return Invalid;
  const asI32 = (v: JsonValue | undefined): number => {
    const n = parse.i64(v);
    return n === Invalid ? 0 : Number(BigInt.asIntN(32, n));
  };
  const amount = value.length >= 1 ? asI32(value[value.length - 1]) : 0;
  const day = value.length >= 2 ? asI32(value[value.length - 2]) : 0;
  return [day, amount];
};

// serde reads a struct from an object or from a [limit, today] sequence
const dayLimit: Parser<DayLimit> = (value) => {
  if (typeof value !== 'object' || value === null) return Invalid;
  const [rawLimit, rawToday] = Array.isArray(value)
    ? value.length === 2
      ? value
      : [undefined, undefined]
    : [value['limit'], value['today']];
  const limit = parse.u32(rawLimit);
  const today = parse.u32(rawToday);
  return limit === Invalid || today === Invalid ? Invalid : { limit, today };
};

function normalFromLegacy(obj: JsonObject, where: Where, desc: string, markdown: boolean): NormalDeck {
  const desiredRetention = orDefault(obj, 'desiredRetention', parse.optional(parse.u32), undefined, where);
  return {
    config_id: required(obj, 'conf', parse.i64FromString, where),
    extend_new: Math.max(orDefault(obj, 'extendNew', parse.i32, 0, where), 0),
    extend_review: Math.max(orDefault(obj, 'extendRev', parse.i32, 0, where), 0),
    description: desc,
    markdown_description: markdown,
    review_limit: orDefault(obj, 'reviewLimit', parse.optional(parse.u32), undefined, where),
    new_limit: orDefault(obj, 'newLimit', parse.optional(parse.u32), undefined, where),
    review_limit_today: orDefault(obj, 'reviewLimitToday', parse.optional(dayLimit), undefined, where) ?? null,
    new_limit_today: orDefault(obj, 'newLimitToday', parse.optional(dayLimit), undefined, where) ?? null,
    // a percent on the wire, a fraction in the blob
    desired_retention: desiredRetention === undefined ? undefined : Math.fround(Math.fround(desiredRetention) / 100),
  };
}

const searchTerm: Parser<FilteredSearchTerm> = (value) => {
  let search: JsonValue | undefined;
  let limit: JsonValue | undefined;
  let order: JsonValue | undefined;
  if (Array.isArray(value) && value.length === 3) [search, limit, order] = value;
  else if (isJsonObject(value)) {
    search = value['search'];
    limit = value['limit'];
    order = value['order'];
  } else return Invalid;
  const s = parse.string(search);
  const l = parse.i64FromString(limit);
  const o = parse.i32(order);
  if (s === Invalid || l === Invalid || l < -(2n ** 31n) || l >= 2n ** 31n || o === Invalid) return Invalid;
  return { search: s, limit: Math.max(Number(l), 0), order: o };
};

function filteredFromLegacy(obj: JsonObject, where: Where): FilteredDeck {
  const terms = required(
    obj,
    'terms',
    (v) => {
      if (!Array.isArray(v)) return Invalid;
      const out = v.map(searchTerm);
      return out.includes(Invalid) ? Invalid : (out as FilteredSearchTerm[]);
    },
    where,
  );
  withDefault(obj, 'separate', parse.bool, false, where); // unused; always written back as true
  return {
    reschedule: required(obj, 'resched', parse.boolFromAnything, where),
    search_terms: terms,
    delays: orDefault(obj, 'delays', parse.optional(parse.f32Array), undefined, where) ?? [],
    preview_delay: withDefault(obj, 'previewDelay', parse.u32, 0, where),
    preview_again_secs: withDefault(obj, 'previewAgainSecs', parse.u32, 0, where),
    preview_hard_secs: withDefault(obj, 'previewHardSecs', parse.u32, 0, where),
    preview_good_secs: withDefault(obj, 'previewGoodSecs', parse.u32, 0, where),
  };
}

// ---- schema 18 → legacy JSON -------------------------------------------------------

export function deckToLegacy(deck: Deck): LegacyDeck {
  const c = deck.common;
  const day = wrapI32(c.last_day_studied);
  const normal = deck.kind.normal;
  const out: LegacyDeck = {
    id: deck.id,
    mod: deck.mtimeSecs,
    name: humanDeckName(deck.name),
    usn: deck.usn,
    lrnToday: [day, c.learning_studied],
    revToday: [day, c.review_studied],
    newToday: [day, c.new_studied],
    timeToday: [day, c.milliseconds_studied],
    collapsed: c.study_collapsed,
    browserCollapsed: c.browser_collapsed,
    desc: normal ? normal.description : '',
  } as LegacyDeck;
  // serde order: "md" (written only when true) sits between "desc" and "dyn"
  if (normal?.markdown_description) out['md'] = true;
  out.dyn = normal ? 0 : 1;
  appendOther(out, parseOther(c.other, RESERVED_DECK_KEYS));
  if (normal) {
    setKey(out, 'conf', i64Json(normal.config_id));
    setKey(out, 'extendNew', wrapI32(normal.extend_new));
    setKey(out, 'extendRev', wrapI32(normal.extend_review));
    setKey(out, 'reviewLimit', normal.review_limit ?? null);
    setKey(out, 'newLimit', normal.new_limit ?? null);
    setKey(out, 'reviewLimitToday', dayLimitJson(normal.review_limit_today));
    setKey(out, 'newLimitToday', dayLimitJson(normal.new_limit_today));
    setKey(
      out,
      'desiredRetention',
      normal.desired_retention === undefined ? null : saturatingUnsigned(Math.fround(normal.desired_retention * 100), 32),
    );
  } else {
    const f = deck.kind.filtered;
    setKey(out, 'resched', f.reschedule);
    setKey(
      out,
      'terms',
      f.search_terms.map((t) => [t.search, wrapI32(t.limit), t.order]),
    );
    setKey(out, 'separate', true);
    setKey(out, 'delays', f.delays.length === 0 ? null : f.delays.map(f32Json));
    setKey(out, 'previewDelay', f.preview_delay);
    setKey(out, 'previewAgainSecs', f.preview_again_secs);
    setKey(out, 'previewHardSecs', f.preview_hard_secs);
    setKey(out, 'previewGoodSecs', f.preview_good_secs);
  }
  return out;
}

// A mapped value wins over a stored `other` key of the same name.
function setKey(obj: JsonObject, key: string, value: JsonValue): void {
  if (Object.prototype.hasOwnProperty.call(obj, key)) delete obj[key];
  defineKey(obj, key, value);
}

function dayLimitJson(limit: DayLimit | null): JsonValue {
  return limit ? { limit: limit.limit, today: limit.today } : null;
}
