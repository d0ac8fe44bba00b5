import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  allDeckConfigs,
  deckConfigFromLegacy,
  deckConfigsChangedSince,
  deckConfigToLegacy,
  getDeckConfig,
  InvalidLegacyObjectError,
  putDeckConfig,
  newDeckConfig,
} from '../../../../src-main/server/storage/objects/index.js';
import { deckConfigConfigCodec } from '../../../../src-main/server/storage/proto-codec.js';
import { parseJson, stringifyJson, type JsonObject, type JsonValue } from '../../../../src-main/server/json.js';
import { V18_FIXTURES, emptyCollection, openFixtureCopy, tableRows } from './helpers.js';

for (const fixture of V18_FIXTURES) {
  test(`${fixture}: deck config rows → legacy JSON → rows are identical, blob for blob`, () => {
    const source = openFixtureCopy(fixture);
    // unclamped: the conversion itself loses nothing
    const raw = emptyCollection();
    for (const dc of allDeckConfigs(source, { clamp: false })) {
      putDeckConfig(raw, deckConfigFromLegacy(parseJson(stringifyJson(deckConfigToLegacy(dc)))));
    }
    assert.deepEqual(tableRows(raw, 'deck_config', 'id'), tableRows(source, 'deck_config', 'id'));
    // as the sync reads them (clamped, like the reference): the clamped values, nothing else
    const synced = emptyCollection();
    for (const dc of allDeckConfigs(source)) {
      const back = deckConfigFromLegacy(parseJson(stringifyJson(deckConfigToLegacy(dc))));
      assert.deepEqual(Buffer.from(deckConfigConfigCodec.encode(back.config)), Buffer.from(deckConfigConfigCodec.encode(dc.config)));
      putDeckConfig(synced, back);
    }
  });
}

test('an old config without retention values reads clamped to the defaults, as in the reference', () => {
  const dc = allDeckConfigs(openFixtureCopy('v18-two-decks-16-notes.anki2'))[0]!;
  assert.equal(dc.config.desired_retention, Math.fround(0.9));
  assert.equal(dc.config.historical_retention, Math.fround(0.9));
  const raw = allDeckConfigs(openFixtureCopy('v18-two-decks-16-notes.anki2'), { clamp: false })[0]!;
  assert.equal(raw.config.desired_retention, 0);
});

test('the default config reads as the legacy JSON a client expects (the classic traps)', () => {
  const json = deckConfigToLegacy(getDeckConfig(openFixtureCopy('v18-empty-stock-notetypes.anki2'), 1)!);
  const n = json.new;
  assert.equal(n['order'], 1, 'proto insert order 0 (DUE) is legacy order 1');
  assert.equal(n['initialFactor'], 2500, 'ease 2.5 is 2500');
  assert.deepEqual(n['ints'], [1, 4, 0]);
  assert.deepEqual(n['delays'], [1, 10]);
  assert.equal(n['perDay'], 20);
  assert.equal(json.rev['ease4'], 1.3, 'f32 values are written in their shortest form');
  assert.equal(json.rev['hardFactor'], 1.2);
  assert.equal(json.rev['perDay'], 200);
  assert.equal(json.lapse['leechAction'], 1);
  assert.equal(json.lapse['mult'], 0);
  assert.equal(json.maxTaken, 60);
  assert.equal(json.timer, 0);
  assert.equal(json.autoplay, true);
  assert.equal(json.replayq, true);
  assert.equal(json.dyn, false);
  assert.equal(json['desiredRetention'], 0.9);
  assert.equal(json['waitForAudio'], true);
});

function legacyConfig(extra: { [key: string]: JsonValue | undefined } = {}): JsonObject {
  return {
    id: 1680000000000,
    mod: '1680000001',
    name: 'Fast',
    usn: 2,
    maxTaken: 30,
    autoplay: false,
    timer: 1,
    replayq: false,
    new: { bury: true, delays: [0.5, 5], initialFactor: 2300, ints: [2, 6], order: 0, perDay: 35, separate: true, futureNew: 1 },
    rev: { bury: false, ease4: 1.5, ivlFct: 1.1, maxIvl: 3650, perDay: 500, hardFactor: 1.1, minSpace: 1, fuzz: 0.05 },
    lapse: { delays: [10, 20], leechAction: 0, leechFails: 6, minInt: 2, mult: 0.5, futureLapse: [] },
    dyn: false,
    newMix: 1,
    reviewOrder: 3,
    fsrsWeights: [0.4, 0.6],
    fsrsParams6: [1, 2, 3],
    desiredRetention: 0.85,
    easyDaysPercentages: [1, 1, 1, 1, 1, 0.5, 0],
    answerAction: 2,
    sm2Retention: 0.88,
    weightSearch: 'deck:x',
    futureTopKey: { deep: 12345678901234567890n },
    ...extra,
  };
}

test('legacy JSON → row → JSON keeps every value and every unknown key', () => {
  const db = emptyCollection();
  putDeckConfig(db, deckConfigFromLegacy(legacyConfig()));
  const stored = getDeckConfig(db, 1680000000000)!;
  assert.equal(stored.config.new_card_insert_order, 1, 'legacy order 0 (random) is proto 1 (RANDOM)');
  assert.equal(stored.config.initial_ease, Math.fround(2.3));
  assert.equal(stored.config.graduating_interval_good, 2);
  assert.equal(stored.config.disable_autoplay, true);
  assert.equal(stored.config.skip_question_when_replaying_answer, true);
  assert.equal(stored.config.show_timer, true);
  assert.equal(stored.mtimeSecs, 1680000001);

  const back = deckConfigToLegacy(stored);
  assert.equal(back.new['order'], 0);
  assert.equal(back.new['initialFactor'], 2300);
  assert.deepEqual(back.new['ints'], [2, 6, 0]);
  assert.deepEqual(back.new['delays'], [0.5, 5]);
  assert.equal(back.new['separate'], true);
  assert.equal(back.new['futureNew'], 1);
  assert.equal(back.rev['minSpace'], 1);
  assert.equal(back.rev['fuzz'], 0.05);
  assert.equal(back.rev['ivlFct'], 1.1);
  assert.deepEqual(back.lapse['futureLapse'], []);
  assert.equal(back.lapse['leechAction'], 0);
  assert.equal(back.lapse['mult'], 0.5);
  assert.deepEqual(back['futureTopKey'], { deep: 12345678901234567890n });
  assert.deepEqual(back['fsrsWeights'], [0.4, 0.6]);
  assert.deepEqual(back['fsrsParams6'], [1, 2, 3]);
  assert.deepEqual(back['fsrsParams5'], []);
  assert.equal(back['desiredRetention'], 0.85);
  assert.equal(back['sm2Retention'], 0.88);
  assert.equal(back['answerAction'], 2);
  assert.equal(back['newMix'], 1);
  assert.equal(back['reviewOrder'], 3);
  assert.equal(back.timer, 1);
  assert.equal(back.autoplay, false);
  assert.equal(back.replayq, false);
  assert.equal(back.maxTaken, 30);
  assert.ok(!('other' in back));
  const again = deckConfigToLegacy(deckConfigFromLegacy(parseJson(stringifyJson(back))));
  assert.equal(stringifyJson(again), stringifyJson(back));
});

test('an invalid sub-object is replaced by defaults, as the reference does', () => {
  const dc = deckConfigFromLegacy(legacyConfig({ new: { delays: [1] }, lapse: 'junk' }));
  assert.deepEqual(dc.config.learn_steps, [1, 10]);
  assert.equal(dc.config.initial_ease, 2.5);
  assert.equal(dc.config.new_per_day, 20);
  assert.deepEqual(dc.config.relearn_steps, [10]);
  assert.equal(dc.config.leech_threshold, 8);
  const back = deckConfigToLegacy(dc);
  assert.equal(dc.config.other.length > 0, true);
  assert.ok(!Buffer.from(dc.config.other).toString().includes('"new"'), 'keys of an invalid "new" are not kept');
  assert.equal(back.new['order'], 1);
});

test('ints from old AnkiDroid (two elements) and unreadable ints', () => {
  assert.equal(deckConfigFromLegacy(legacyConfig()).config.graduating_interval_easy, 6);
  const bad = legacyConfig();
  (bad['new'] as JsonObject)['ints'] = [-5, 4, 3];
  const dc = deckConfigFromLegacy(bad);
  assert.equal(dc.config.graduating_interval_good, 1);
  assert.equal(dc.config.graduating_interval_easy, 4);
});

test('values out of range are clamped when read back, as the reference reads them', () => {
  const db = emptyCollection();
  const dc = deckConfigFromLegacy(legacyConfig());
  dc.config.new_per_day = 100000;
  dc.config.initial_ease = 1.2;
  dc.config.desired_retention = 0.5;
  putDeckConfig(db, dc);
  const stored = getDeckConfig(db, dc.id)!;
  assert.equal(stored.config.new_per_day, 20);
  assert.equal(stored.config.initial_ease, 2.5);
  assert.equal(stored.config.desired_retention, Math.fround(0.9));
  const raw = allDeckConfigs(db, { clamp: false })[0]!;
  assert.equal(raw.config.new_per_day, 100000);
  // the blob itself still holds what was written
  const blob = db.prepare('SELECT config FROM deck_config').pluck().get() as Buffer;
  assert.equal(deckConfigConfigCodec.decode(blob).new_per_day, 100000);
});

test('malformed deck configs are refused with a 400', () => {
  for (const bad of [
    legacyConfig({ maxTaken: undefined }),
    legacyConfig({ autoplay: 1 }),
    legacyConfig({ timer: undefined }),
    legacyConfig({ new: undefined }),
    legacyConfig({ questionAction: 7 }),
    legacyConfig({ id: 'abc' }),
  ]) {
    assert.throws(() => deckConfigFromLegacy(bad), InvalidLegacyObjectError);
  }
});

test('changed since', () => {
  const db = emptyCollection();
  putDeckConfig(db, deckConfigFromLegacy(legacyConfig()));
  putDeckConfig(db, deckConfigFromLegacy(legacyConfig({ id: 1680000000001, usn: 9 })));
  assert.deepEqual(
    deckConfigsChangedSince(db, 3).map((d) => d.id),
    [1680000000001],
  );
});

test('newDeckConfig is the reference default config', () => {
  // The fixture predates easy days (Anki 24.11); today's reference default has seven 1.0 entries.
  const real = allDeckConfigs(openFixtureCopy('v18-empty-stock-notetypes.anki2'), { clamp: false })[0]!;
  const ours = newDeckConfig(1, 'Default');
  assert.deepEqual(ours.config.easy_days_percentages, [1, 1, 1, 1, 1, 1, 1]);
  const withoutEasyDays = { ...ours, config: { ...ours.config, easy_days_percentages: [] } };
  assert.deepEqual(
    Buffer.from(deckConfigConfigCodec.encode(withoutEasyDays.config)),
    Buffer.from(deckConfigConfigCodec.encode(real.config)),
  );
  assert.deepEqual(
    [withoutEasyDays.id, withoutEasyDays.name, withoutEasyDays.mtimeSecs, withoutEasyDays.usn],
    [real.id, real.name, real.mtimeSecs, real.usn],
  );
});
