// rows → legacy JSON → rows, for objects whose blobs carry unknown legacy keys
// in `other`: the second set of rows equals the first, byte for byte.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  allDeckConfigs,
  allDecks,
  allNotetypes,
  deckConfigFromLegacy,
  deckConfigToLegacy,
  deckFromLegacy,
  deckToLegacy,
  notetypeFromLegacy,
  notetypeToLegacy,
  putDeck,
  putDeckConfig,
  putNotetype,
} from '../../../../src-main/server/storage/objects/index.js';
import { parseJson, stringifyJson, type JsonObject } from '../../../../src-main/server/json.js';
import { emptyCollection, openFixtureCopy, tableRows } from './helpers.js';

const viaWire = (value: JsonObject) => parseJson(stringifyJson(value));

test('notetypes, decks and deck configs with unknown keys: rows → JSON → rows is exact', () => {
  const source = openFixtureCopy('v18-empty-stock-notetypes.anki2');
  // give every object unknown keys at every level, stored through the converters
  const seeded = emptyCollection();
  for (const nt of allNotetypes(source).map(notetypeToLegacy)) {
    nt['vers'] = [];
    nt['futureKey'] = { big: 18446744073709551615n };
    nt.flds[0]!['media'] = ['a.jpg'];
    nt.tmpls[0]!['futureTemplate'] = true;
    putNotetype(seeded, notetypeFromLegacy(viaWire(nt)));
  }
  for (const deck of allDecks(source).map(deckToLegacy)) {
    deck['futureDeck'] = 'x';
    putDeck(seeded, deckFromLegacy(viaWire(deck)));
  }
  for (const dc of allDeckConfigs(source).map(deckConfigToLegacy)) {
    dc['futureTop'] = 1;
    dc.new['separate'] = true;
    dc.rev['fuzz'] = 0.05;
    dc.lapse['futureLapse'] = [];
    putDeckConfig(seeded, deckConfigFromLegacy(viaWire(dc)));
  }

  const copy = emptyCollection();
  for (const nt of allNotetypes(seeded)) putNotetype(copy, notetypeFromLegacy(viaWire(notetypeToLegacy(nt))));
  for (const deck of allDecks(seeded)) putDeck(copy, deckFromLegacy(viaWire(deckToLegacy(deck))));
  for (const dc of allDeckConfigs(seeded)) putDeckConfig(copy, deckConfigFromLegacy(viaWire(deckConfigToLegacy(dc))));

  for (const [table, order] of [
    ['notetypes', 'id'],
    ['fields', 'ntid, ord'],
    ['templates', 'ntid, ord'],
    ['decks', 'id'],
    ['deck_config', 'id'],
  ] as const) {
    const rows = tableRows(copy, table, order);
    assert.deepEqual(rows, tableRows(seeded, table, order), table);
    assert.ok(rows.length > 0);
  }
  // and the keys really are in the blobs
  const other = (sql: string) => Buffer.from(seeded.prepare(sql).pluck().get() as Buffer).toString();
  assert.match(other('SELECT config FROM notetypes LIMIT 1'), /"futureKey":\{"big":18446744073709551615\}/);
  assert.match(other('SELECT config FROM deck_config LIMIT 1'), /"rev":\{"fuzz":0\.05\}/);
  assert.match(other('SELECT common FROM decks LIMIT 1'), /"futureDeck":"x"/);
});
