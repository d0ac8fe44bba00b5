import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  allDecks,
  deckFromLegacy,
  decksChangedSince,
  deckToLegacy,
  ensureDeckNameUnique,
  getDeck,
  humanDeckName,
  InvalidLegacyObjectError,
  nativeDeckName,
  newNormalDeck,
  putDeck,
} from '../../../../src-main/server/storage/objects/index.js';
import { parseJson, stringifyJson, type JsonObject, type JsonValue } from '../../../../src-main/server/json.js';
import { V18_FIXTURES, emptyCollection, openFixtureCopy, tableRows } from './helpers.js';

for (const fixture of V18_FIXTURES) {
  test(`${fixture}: deck rows → legacy JSON → rows are identical, blob for blob`, () => {
    const source = openFixtureCopy(fixture);
    const target = emptyCollection();
    const decks = allDecks(source);
    assert.ok(decks.length >= 1);
    for (const deck of decks) putDeck(target, deckFromLegacy(parseJson(stringifyJson(deckToLegacy(deck)))));
    assert.deepEqual(tableRows(target, 'decks', 'id'), tableRows(source, 'decks', 'id'));
    assert.equal(target.pragma('integrity_check', { simple: true }), 'ok');
  });
}

test('the two-deck fixture reads as a client expects', () => {
  const decks = allDecks(openFixtureCopy('v18-two-decks-16-notes.anki2')).map(deckToLegacy);
  const decka = decks.find((d) => d.name === 'decka')!;
  assert.equal(decka.dyn, 0);
  assert.equal(decka['conf'], 1);
  assert.equal(decka['extendNew'], 2);
  assert.deepEqual(decka.timeToday, [0, 15840]);
  assert.equal(decka['reviewLimit'], null);
  assert.equal(decka['desiredRetention'], null);
  assert.equal(decka.collapsed, true);
  assert.ok(!('md' in decka), 'md is written only when true');
});

function normalDeck(extra: { [key: string]: JsonValue | undefined } = {}): JsonObject {
  return {
    id: 1650000000000,
    mod: 1650000001,
    name: 'Languages::French',
    usn: 4,
    lrnToday: [10, 3],
    revToday: [12, 40],
    newToday: [12, 5],
    timeToday: [12, 60000],
    collapsed: false,
    browserCollapsed: true,
    desc: 'about **French**',
    md: true,
    dyn: 0,
    conf: '1',
    extendNew: -5,
    extendRev: 10,
    reviewLimit: 100,
    newLimit: null,
    reviewLimitToday: { limit: 50, today: 12 },
    newLimitToday: { limit: 'bad' },
    desiredRetention: 85,
    return: true,
    futureDeckKey: { a: [1, 2, 3] },
    ...extra,
  };
}

test('normal deck: names, today counters, limits, percent retention, unknown keys', () => {
  const db = emptyCollection();
  putDeck(db, deckFromLegacy(normalDeck()));
  const stored = getDeck(db, 1650000000000)!;
  assert.equal(stored.name, 'Languages\x1fFrench');
  assert.equal(stored.common.last_day_studied, 12);
  assert.equal(stored.common.learning_studied, 0, 'an earlier day than the latest is reset');
  assert.equal(stored.common.review_studied, 40);
  assert.equal(stored.kind.normal!.config_id, 1n);
  assert.equal(stored.kind.normal!.extend_new, 0, 'negative extend limits clamp to 0');
  assert.ok(Math.abs(stored.kind.normal!.desired_retention! - 0.85) < 1e-6);

  const back = deckToLegacy(stored);
  assert.equal(back.name, 'Languages::French');
  assert.deepEqual(back.lrnToday, [12, 0]);
  assert.deepEqual(back.revToday, [12, 40]);
  assert.deepEqual(back.timeToday, [12, 60000]);
  assert.equal(back['md'], true);
  assert.equal(back.desc, 'about **French**');
  assert.equal(back['desiredRetention'], 85);
  assert.deepEqual(back['reviewLimitToday'], { limit: 50, today: 12 });
  assert.equal(back['newLimitToday'], null, 'an invalid day limit reads as none');
  assert.deepEqual(deckToLegacy(deckFromLegacy(normalDeck({ newLimitToday: [7, 12] })))['newLimitToday'], { limit: 7, today: 12 });
  assert.equal(back['reviewLimit'], 100);
  assert.deepEqual(back['futureDeckKey'], { a: [1, 2, 3] });
  assert.ok(!('return' in back), 'the obsolete "return" key is dropped');
  assert.equal(stringifyJson(deckToLegacy(deckFromLegacy(parseJson(stringifyJson(back))))), stringifyJson(back));
});

test('filtered deck round trip, with legacy dyn: true and unknown keys', () => {
  const db = emptyCollection();
  const legacy: JsonObject = {
    id: 1650000000009,
    mod: 5,
    name: 'Filtered Deck 1',
    usn: -1,
    lrnToday: [0, 0],
    revToday: [0, 0],
    newToday: [0, 0],
    timeToday: [0, 0],
    collapsed: false,
    dyn: true,
    desc: 'dropped: a filtered deck has no description',
    resched: 1,
    terms: [
      ['deck:French is:due', 100, 6],
      ['tag:x', '20', 1],
    ],
    separate: true,
    delays: null,
    previewDelay: 10,
    previewAgainSecs: 60,
    previewHardSecs: 600,
    previewGoodSecs: 0,
    futureFilteredKey: 'kept',
  };
  putDeck(db, deckFromLegacy(legacy));
  const stored = getDeck(db, 1650000000009)!;
  assert.ok(stored.kind.filtered);
  assert.equal(stored.kind.filtered.reschedule, true);
  const back = deckToLegacy(stored);
  assert.equal(back.dyn, 1);
  assert.equal(back.desc, '');
  assert.equal(back['resched'], true);
  assert.deepEqual(back['terms'], [
    ['deck:French is:due', 100, 6],
    ['tag:x', 20, 1],
  ]);
  assert.equal(back['separate'], true);
  assert.equal(back['delays'], null);
  assert.equal(back['previewDelay'], 10);
  assert.equal(back['previewAgainSecs'], 60);
  assert.equal(back['futureFilteredKey'], 'kept');
});

test('native deck names: components normalised as the reference does', () => {
  assert.equal(nativeDeckName('foo'), 'foo');
  assert.equal(nativeDeckName('foo::bar'), 'foo\x1fbar');
  assert.equal(nativeDeckName(' foo :: :bar: '), 'foo\x1fbar');
  assert.equal(nativeDeckName('foo::::bar'), 'foo\x1fblank\x1fbar');
  assert.equal(nativeDeckName('a\tb\u0001c'), 'abc');
  assert.equal(nativeDeckName('Cafe\u0301'), 'Café');
  assert.equal(humanDeckName('a\x1fb\x1fc'), 'a::b::c');
});

test('malformed decks are refused with a 400', () => {
  for (const bad of [
    normalDeck({ dyn: undefined }),
    normalDeck({ dyn: 'x' }),
    normalDeck({ name: 3 }),
    normalDeck({ conf: undefined }),
    normalDeck({ collapsed: 'no' }),
    normalDeck({ timeToday: undefined }),
    normalDeck({ dyn: 1, resched: true }), // filtered without terms
  ]) {
    assert.throws(() => deckFromLegacy(bad), InvalidLegacyObjectError);
  }
});

test('changed since and name clashes under unicase', () => {
  const db = emptyCollection();
  putDeck(db, deckFromLegacy(normalDeck()));
  const clash = deckFromLegacy(normalDeck({ id: 1650000000001, name: 'LANGUAGES::FRENCH', usn: 1 }));
  assert.equal(ensureDeckNameUnique(db, clash, 77, 99), true);
  assert.equal(clash.name, 'LANGUAGES\x1fFRENCH+');
  assert.equal(clash.usn, 77);
  putDeck(db, clash);
  assert.deepEqual(
    decksChangedSince(db, 5).map((d) => d.id),
    [1650000000001],
  );
  assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
});

test('newNormalDeck is the reference default deck, blob for blob', () => {
  const real = openFixtureCopy('v18-empty-stock-notetypes.anki2');
  const db = emptyCollection();
  putDeck(db, newNormalDeck(1, 'Default'));
  assert.deepEqual(tableRows(db, 'decks', 'id'), tableRows(real, 'decks', 'id'));
});
