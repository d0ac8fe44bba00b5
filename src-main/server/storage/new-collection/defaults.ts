// The rest of a brand-new collection (docs/protocol/collection-sync.md §5.3), in legacy JSON:
// the "Default" deck and deck options, and the `col.conf` settings. Values are
// the reference's defaults (rslib/src/decks/mod.rs new_normal,
// rslib/src/deckconfig/mod.rs and schema11.rs, rslib/src/config/schema11.rs).

import type { JsonObject } from '../../json.js';

export const DEFAULT_DECK_ID = 1;
export const DEFAULT_DECK_CONFIG_ID = 1;

/** The deck every collection has, id 1, using deck options 1. */
export function defaultDeck(): JsonObject {
  return {
    id: DEFAULT_DECK_ID,
    mod: 0,
    name: 'Default',
    usn: 0,
    lrnToday: [0, 0],
    revToday: [0, 0],
    newToday: [0, 0],
    timeToday: [0, 0],
    collapsed: true,
    browserCollapsed: true,
    desc: '',
    dyn: 0,
    conf: DEFAULT_DECK_CONFIG_ID,
    extendNew: 0,
    extendRev: 0,
    reviewLimit: null,
    newLimit: null,
    reviewLimitToday: null,
    newLimitToday: null,
    desiredRetention: null,
  };
}

/** Deck options id 1, "Default", with Anki's default scheduling settings. */
export function defaultDeckConfig(): JsonObject {
  return {
    id: DEFAULT_DECK_CONFIG_ID,
    mod: 0,
    name: 'Default',
    usn: 0,
    maxTaken: 60,
    autoplay: true,
    timer: 0,
    replayq: true,
    new: {
      bury: false,
      delays: [1, 10],
      initialFactor: 2500,
      ints: [1, 4, 0],
      // 1 = in order added (NEW_CARD_INSERT_ORDER_DUE).
      order: 1,
      perDay: 20,
    },
    rev: { bury: false, ease4: 1.3, ivlFct: 1, maxIvl: 36500, perDay: 200, hardFactor: 1.2 },
    // leechAction 1 = tag only.
    lapse: { delays: [10], leechAction: 1, leechFails: 8, minInt: 1, mult: 0 },
    dyn: false,
    newMix: 0,
    newPerDayMinimum: 0,
    interdayLearningMix: 0,
    reviewOrder: 0,
    newSortOrder: 0,
    newGatherPriority: 0,
    buryInterdayLearning: false,
    fsrsWeights: [],
    fsrsParams5: [],
    fsrsParams6: [],
    desiredRetention: 0.9,
    ignoreRevlogsBeforeDate: '',
    easyDaysPercentages: [1, 1, 1, 1, 1, 1, 1],
    stopTimerOnAnswer: false,
    secondsToShowQuestion: 0,
    secondsToShowAnswer: 0,
    questionAction: 0,
    answerAction: 0,
    waitForAudio: true,
    sm2Retention: 0.9,
    weightSearch: '',
  };
}

/**
 * The `col.conf` settings of a new collection. Unlike a desktop client, the
 * server records no `creationOffset` (the reference writes it as null): a
 * collection with one is refused to clients older than sync version 10.
 */
export function defaultCollectionConfig(basicNotetypeId: number): JsonObject {
  return {
    activeDecks: [DEFAULT_DECK_ID],
    curDeck: DEFAULT_DECK_ID,
    newSpread: 0,
    collapseTime: 1200,
    timeLim: 0,
    estTimes: true,
    dueCounts: true,
    curModel: basicNotetypeId,
    nextPos: 1,
    sortType: 'noteFld',
    sortBackwards: false,
    addToCur: true,
    dayLearnFirst: false,
    schedVer: 2,
    sched2021: true,
  };
}

/**
 * `col.crt`: the most recent 4 am in the server's local time, as Unix seconds.
 * Like the reference (scheduler/timing.rs v1_creation_date), the day is taken
 * with the UTC offset in force now.
 */
export function creationDate(nowMs: number, minutesWestOfUtc = new Date(nowMs).getTimezoneOffset()): number {
  const nowSecs = Math.floor(nowMs / 1000);
  const offsetSecs = -minutesWestOfUtc * 60;
  const localSecs = nowSecs + offsetSecs;
  const localMidnight = localSecs - (((localSecs % 86_400) + 86_400) % 86_400);
  const fourAm = localMidnight + 4 * 3600 - offsetSecs;
  return fourAm > nowSecs ? fourAm - 86_400 : fourAm;
}
