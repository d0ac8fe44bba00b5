// Deck configs ("dconf") in their legacy JSON form, the form of applyChanges
// and schema 11, to and from the DeckConfig of deckconfigs.ts.
// Mapping: docs/protocol/collection-sync.md §6.3.3 and §6.4.3; reference rslib/src/deckconfig/schema11.rs.
//
// The classic traps, all handled here: legacy new.order 1 (due) is proto
// new_card_insert_order 0 (DUE) and 0 (random) is 1 (RANDOM); initialFactor is
// the ease ×1000 (2500 ↔ 2.5); the unmapped keys of "new", "rev" and "lapse"
// are kept in `other` under those three names.
import type { JsonObject, JsonValue } from '../../json.js';
import { type DeckConfigConfig } from '../proto-types.js';
import { safeId } from './ids.js';
import {
  appendOther,
  defineKey,
  expectObject,
  f32Json,
  Invalid,
  orDefault,
  otherKeys,
  parse,
  parseOther,
  PrecisionLostError,
  required,
  withDefault,
  type Parser,
  type Where,
} from './legacy-json.js';
import { saturatingUnsigned, wrapI32, wrapUnsigned } from '../../values.js';
import { isJsonObject, jsonBytes } from '../../json.js';
import type { DeckConfig } from './deckconfigs.js';

/** The legacy JSON form (docs/protocol/collection-sync.md §6.3.3). */
export interface LegacyDeckConfig extends JsonObject {
  id: number;
  mod: number;
  name: string;
  usn: number;
  maxTaken: number;
  autoplay: boolean;
  timer: number;
  replayq: boolean;
  new: JsonObject;
  rev: JsonObject;
  lapse: JsonObject;
  dyn: boolean;
}

const TOP_KEYS = new Set([
  'id',
  'mod',
  'name',
  'usn',
  'maxTaken',
  'autoplay',
  'timer',
  'replayq',
  'new',
  'rev',
  'lapse',
  'dyn',
  'newMix',
  'newPerDayMinimum',
  'interdayLearningMix',
  'reviewOrder',
  'newSortOrder',
  'newGatherPriority',
  'buryInterdayLearning',
  'fsrsWeights',
  'fsrsParams5',
  'fsrsParams6',
  'desiredRetention',
  'ignoreRevlogsBeforeDate',
  'easyDaysPercentages',
  'stopTimerOnAnswer',
  'secondsToShowQuestion',
  'secondsToShowAnswer',
  'questionAction',
  'answerAction',
  'waitForAudio',
  'sm2Retention',
  'weightSearch',
]);
const NEW_KEYS = new Set(['order', 'delays', 'bury', 'perDay', 'initialFactor', 'ints']);
const REV_KEYS = new Set(['maxIvl', 'hardFactor', 'ease4', 'ivlFct', 'perDay', 'bury']);
const LAPSE_KEYS = new Set(['leechFails', 'mult', 'leechAction', 'delays', 'minInt']);
// The reference strips these from a stored `other` on the way out.
const RESERVED_TOP_KEYS = new Set([...TOP_KEYS].filter((k) => k !== 'new' && k !== 'rev' && k !== 'lapse'));

// ---- legacy JSON → schema 18 -------------------------------------------------------

interface NewConf {
  bury: boolean;
  delays: number[];
  initialFactor: number;
  good: number;
  easy: number;
  order: number;
  perDay: number;
  other: JsonObject;
}
interface RevConf {
  bury: boolean;
  ease4: number;
  ivlFct: number;
  maxIvl: number;
  perDay: number;
  hardFactor: number;
  other: JsonObject;
}
interface LapseConf {
  delays: number[];
  leechAction: number;
  leechFails: number;
  minInt: number;
  mult: number;
  other: JsonObject;
}

const NEW_DEFAULT = (): NewConf => ({
  bury: false,
  delays: [1, 10],
  initialFactor: 2500,
  good: 1,
  easy: 4,
  order: 1,
  perDay: 20,
  other: {},
});
const REV_DEFAULT = (): RevConf => ({
  bury: false,
  ease4: Math.fround(1.3),
  ivlFct: 1,
  maxIvl: 36500,
  perDay: 200,
  hardFactor: Math.fround(1.2),
  other: {},
});
const LAPSE_DEFAULT = (): LapseConf => ({ delays: [10], leechAction: 1, leechFails: 8, minInt: 1, mult: 0, other: {} });

// Each sub-object is all-or-nothing (serde default_on_invalid on the whole
// object): one bad required value and the defaults replace it, extra keys included.
function subObject<T>(read: (obj: JsonObject, where: Where) => T): Parser<T> {
  return (value) => {
    if (!isJsonObject(value)) return Invalid;
    try {
      return read(value, 'sub-object');
    } catch (error) {
      if (error instanceof PrecisionLostError) throw error;
      return Invalid;
    }
  };
}

const newConf = subObject<NewConf>((o, w) => {
  const ints = orDefault(o, 'ints', newIntervals, [1, 4] as [number, number], w, true);
  return {
    bury: withDefault(o, 'bury', parse.bool, false, w),
    delays: orDefault(o, 'delays', parse.f32Array, [], w, true),
    initialFactor: required(o, 'initialFactor', parse.u16, w),
    good: ints[0],
    easy: ints[1],
    order: orDefault(o, 'order', (v) => (v === 0 || v === 1 ? v : Invalid), 1, w, true),
    perDay: orDefault(o, 'perDay', parse.u32, 0, w, true),
    other: otherKeys(o, NEW_KEYS),
  };
});

// AnkiDroid once wrote 2-element arrays; anything unreadable gives [1, 4].
const newIntervals: Parser<[number, number]> = (value) => {
  if (!Array.isArray(value) || value.length < 2) return Invalid;
  const all = value.map((v) => parse.u16(v));
  if (all.includes(Invalid)) return Invalid;
  return [all[0] as number, all[1] as number];
};

const revConf = subObject<RevConf>((o, w) => ({
  bury: withDefault(o, 'bury', parse.bool, false, w),
  ease4: required(o, 'ease4', parse.f32, w),
  ivlFct: required(o, 'ivlFct', parse.f32, w),
  maxIvl: required(o, 'maxIvl', parse.u32, w),
  perDay: orDefault(o, 'perDay', parse.u32, 0, w, true),
  hardFactor: withDefault(o, 'hardFactor', parse.f32, Math.fround(1.2), w),
  other: otherKeys(o, REV_KEYS),
}));

const lapseConf = subObject<LapseConf>((o, w) => ({
  delays: orDefault(o, 'delays', parse.f32Array, [], w, true),
  leechAction: orDefault(o, 'leechAction', (v) => (v === 0 || v === 1 ? v : Invalid), 1, w, true),
  leechFails: required(o, 'leechFails', parse.u32, w),
  minInt: required(o, 'minInt', parse.u32, w),
  mult: required(o, 'mult', parse.f32, w),
  other: otherKeys(o, LAPSE_KEYS),
}));

const enumUpTo =
  (max: number): Parser<number> =>
  (v) =>
    typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max ? v : Invalid;

/** Validates and converts a legacy deck config; throws InvalidLegacyObjectError (400). */
export function deckConfigFromLegacy(value: JsonValue | undefined): DeckConfig {
  const obj = expectObject(value, 'deck config');
  const id = safeId(required(obj, 'id', parse.i64FromString, 'deck config'), 'deck config');
  const w: Where = `deck config ${id}`;
  const mtimeSecs = Number(required(obj, 'mod', parse.i64FromString, w));
  const name = required(obj, 'name', parse.string, w);
  const usn = required(obj, 'usn', parse.i32, w);
  const maxTaken = required(obj, 'maxTaken', parse.i32, w);
  const autoplay = required(obj, 'autoplay', parse.bool, w);
  const timer = orDefault(obj, 'timer', parse.u8, 0, w, true);
  const replayq = withDefault(obj, 'replayq', parse.bool, false, w);
  const nw = orDefault(obj, 'new', newConf, NEW_DEFAULT(), w, true);
  const rev = orDefault(obj, 'rev', revConf, REV_DEFAULT(), w, true);
  const lapse = orDefault(obj, 'lapse', lapseConf, LAPSE_DEFAULT(), w, true);
  orDefault(obj, 'dyn', parse.bool, false, w);

  const other = otherKeys(obj, TOP_KEYS);
  if (Object.keys(nw.other).length > 0) defineKey(other, 'new', nw.other);
  if (Object.keys(rev.other).length > 0) defineKey(other, 'rev', rev.other);
  if (Object.keys(lapse.other).length > 0) defineKey(other, 'lapse', lapse.other);

  const config: DeckConfigConfig = {
    learn_steps: nw.delays,
    relearn_steps: lapse.delays,
    fsrs_params_4: withDefault(obj, 'fsrsWeights', parse.f32Array, [], w),
    fsrs_params_5: withDefault(obj, 'fsrsParams5', parse.f32Array, [], w),
    fsrs_params_6: withDefault(obj, 'fsrsParams6', parse.f32Array, [], w),
    new_per_day: nw.perDay,
    reviews_per_day: rev.perDay,
    new_per_day_minimum: withDefault(obj, 'newPerDayMinimum', parse.u32, 0, w),
    initial_ease: Math.fround(nw.initialFactor / 1000),
    easy_multiplier: rev.ease4,
    hard_multiplier: rev.hardFactor,
    lapse_multiplier: lapse.mult,
    interval_multiplier: rev.ivlFct,
    maximum_review_interval: rev.maxIvl,
    minimum_lapse_interval: lapse.minInt,
    graduating_interval_good: nw.good,
    graduating_interval_easy: nw.easy,
    // inverted: legacy 0 = random, 1 = due; proto 0 = DUE, 1 = RANDOM
    new_card_insert_order: nw.order === 0 ? 1 : 0,
    new_card_gather_priority: withDefault(obj, 'newGatherPriority', parse.i32, 0, w),
    new_card_sort_order: withDefault(obj, 'newSortOrder', parse.i32, 0, w),
    new_mix: withDefault(obj, 'newMix', parse.i32, 0, w),
    review_order: withDefault(obj, 'reviewOrder', parse.i32, 0, w),
    interday_learning_mix: withDefault(obj, 'interdayLearningMix', parse.i32, 0, w),
    leech_action: lapse.leechAction,
    leech_threshold: lapse.leechFails,
    disable_autoplay: !autoplay,
    cap_answer_time_to_secs: Math.max(maxTaken, 0),
    show_timer: timer !== 0,
    stop_timer_on_answer: withDefault(obj, 'stopTimerOnAnswer', parse.bool, false, w),
    seconds_to_show_question: withDefault(obj, 'secondsToShowQuestion', parse.f32, 0, w),
    seconds_to_show_answer: withDefault(obj, 'secondsToShowAnswer', parse.f32, 0, w),
    question_action: withDefault(obj, 'questionAction', enumUpTo(1), 0, w),
    answer_action: withDefault(obj, 'answerAction', enumUpTo(4), 0, w),
    wait_for_audio: withDefault(obj, 'waitForAudio', parse.bool, true, w),
    skip_question_when_replaying_answer: !replayq,
    bury_new: nw.bury,
    bury_reviews: rev.bury,
    bury_interday_learning: withDefault(obj, 'buryInterdayLearning', parse.bool, false, w),
    desired_retention: withDefault(obj, 'desiredRetention', parse.f32, 0, w),
    ignore_revlogs_before_date: withDefault(obj, 'ignoreRevlogsBeforeDate', parse.string, '', w),
    easy_days_percentages: withDefault(obj, 'easyDaysPercentages', parse.f32Array, [], w),
    historical_retention: withDefault(obj, 'sm2Retention', parse.f32, 0, w),
    param_search: withDefault(obj, 'weightSearch', parse.string, '', w),
    other: Object.keys(other).length === 0 ? new Uint8Array(0) : new Uint8Array(jsonBytes(other)),
  };
  return { id, name, mtimeSecs, usn, config };
}

// ---- schema 18 → legacy JSON -------------------------------------------------------

export function deckConfigToLegacy(dc: DeckConfig): LegacyDeckConfig {
  const c = dc.config;
  let top: JsonObject = {};
  let newOther: JsonObject = {};
  let revOther: JsonObject = {};
  let lapseOther: JsonObject = {};
  if (c.other.length > 0) {
    top = parseOther(c.other, new Set());
    const sub = (key: string, reserved: Set<string>): JsonObject => {
      const value = top[key];
      delete top[key];
      return isJsonObject(value) ? parseOther(jsonBytes(value), reserved) : {};
    };
    newOther = sub('new', NEW_KEYS);
    revOther = sub('rev', REV_KEYS);
    lapseOther = sub('lapse', LAPSE_KEYS);
    top = parseOther(jsonBytes(top), RESERVED_TOP_KEYS);
  }
  const newObj: JsonObject = {
    bury: c.bury_new,
    delays: c.learn_steps.map(f32Json),
    initialFactor: saturatingUnsigned(Math.fround(c.initial_ease * 1000), 16),
    ints: [wrapUnsigned(c.graduating_interval_good, 16), wrapUnsigned(c.graduating_interval_easy, 16), 0],
    order: c.new_card_insert_order === 1 ? 0 : 1,
    perDay: c.new_per_day,
  };
  appendOther(newObj, newOther);
  const revObj: JsonObject = {
    bury: c.bury_reviews,
    ease4: f32Json(c.easy_multiplier),
    ivlFct: f32Json(c.interval_multiplier),
    maxIvl: c.maximum_review_interval,
    perDay: c.reviews_per_day,
    hardFactor: f32Json(c.hard_multiplier),
  };
  appendOther(revObj, revOther);
  const lapseObj: JsonObject = {
    delays: c.relearn_steps.map(f32Json),
    leechAction: c.leech_action === 1 ? 1 : 0,
    leechFails: c.leech_threshold,
    minInt: c.minimum_lapse_interval,
    mult: f32Json(c.lapse_multiplier),
  };
  appendOther(lapseObj, lapseOther);
  const out: LegacyDeckConfig = {
    id: dc.id,
    mod: dc.mtimeSecs,
    name: dc.name,
    usn: dc.usn,
    maxTaken: wrapI32(c.cap_answer_time_to_secs),
    autoplay: !c.disable_autoplay,
    timer: c.show_timer ? 1 : 0,
    replayq: !c.skip_question_when_replaying_answer,
    new: newObj,
    rev: revObj,
    lapse: lapseObj,
    dyn: false,
    newMix: c.new_mix,
    newPerDayMinimum: c.new_per_day_minimum,
    interdayLearningMix: c.interday_learning_mix,
    reviewOrder: c.review_order,
    newSortOrder: c.new_card_sort_order,
    newGatherPriority: c.new_card_gather_priority,
    buryInterdayLearning: c.bury_interday_learning,
    fsrsWeights: c.fsrs_params_4.map(f32Json),
    fsrsParams5: c.fsrs_params_5.map(f32Json),
    fsrsParams6: c.fsrs_params_6.map(f32Json),
    desiredRetention: f32Json(c.desired_retention),
    ignoreRevlogsBeforeDate: c.ignore_revlogs_before_date,
    easyDaysPercentages: c.easy_days_percentages.map(f32Json),
    stopTimerOnAnswer: c.stop_timer_on_answer,
    secondsToShowQuestion: f32Json(c.seconds_to_show_question),
    secondsToShowAnswer: f32Json(c.seconds_to_show_answer),
    questionAction: c.question_action === 1 ? 1 : 0,
    answerAction: c.answer_action >= 1 && c.answer_action <= 4 ? c.answer_action : 0,
    waitForAudio: c.wait_for_audio,
    sm2Retention: f32Json(c.historical_retention),
    weightSearch: c.param_search,
  };
  appendOther(out, top);
  return out;
}
