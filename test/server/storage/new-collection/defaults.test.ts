import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  creationDate,
  defaultCollectionConfig,
  defaultDeck,
  defaultDeckConfig,
} from '../../../../src-main/server/storage/new-collection/defaults.js';

test('crt is the most recent local 4 am', () => {
  // 2024-03-10 12:00 UTC, in UTC: 04:00 the same day.
  const noon = Date.UTC(2024, 2, 10, 12, 0, 0);
  assert.equal(creationDate(noon, 0), Date.UTC(2024, 2, 10, 4) / 1000);
  // 03:59:59 UTC is before 4 am: the previous day's 4 am.
  assert.equal(creationDate(Date.UTC(2024, 2, 10, 3, 59, 59), 0), Date.UTC(2024, 2, 9, 4) / 1000);
  // Exactly 4 am counts as today.
  assert.equal(creationDate(Date.UTC(2024, 2, 10, 4), 0), Date.UTC(2024, 2, 10, 4) / 1000);
  // New York (UTC-5, 300 minutes west): noon UTC is 7 am local, so 4 am local = 09:00 UTC.
  assert.equal(creationDate(noon, 300), Date.UTC(2024, 2, 10, 9) / 1000);
  // Tokyo (UTC+9): 12:00 UTC is 21:00 local; 4 am local was 19:00 UTC the day before.
  assert.equal(creationDate(noon, -540), Date.UTC(2024, 2, 9, 19) / 1000);
  // 02:00 UTC is 11:00 in Tokyo: 4 am local was 19:00 UTC the previous day.
  assert.equal(creationDate(Date.UTC(2024, 2, 10, 2), -540), Date.UTC(2024, 2, 9, 19) / 1000);
  // India (UTC+5:30).
  assert.equal(creationDate(noon, -330), Date.UTC(2024, 2, 9, 22, 30) / 1000);
  // Default: the machine's own offset; always in the last 24 hours and at 4 am local.
  const now = Date.now();
  const crt = creationDate(now);
  assert.ok(crt <= now / 1000 && crt > now / 1000 - 86_400);
  assert.equal(new Date(crt * 1000).getMinutes(), 0);
});

test("the default deck, deck options and settings are the reference's", () => {
  const deck = defaultDeck();
  assert.equal(deck.id, 1);
  assert.equal(deck.name, 'Default');
  assert.equal(deck.conf, 1);
  assert.equal(deck.dyn, 0);
  assert.equal(deck.collapsed, true);
  assert.equal(deck.browserCollapsed, true);
  type Section = { delays: number[]; perDay: number; initialFactor: number };
  const dconf = defaultDeckConfig() as unknown as { id: number; name: string; new: Section; lapse: Section; rev: Section };
  assert.equal(dconf.id, 1);
  assert.equal(dconf.name, 'Default');
  assert.deepEqual(dconf.new.delays, [1, 10]);
  assert.deepEqual(dconf.lapse.delays, [10]);
  assert.equal(dconf.new.perDay, 20);
  assert.equal(dconf.rev.perDay, 200);
  assert.equal(dconf.new.initialFactor, 2500);
  const conf = defaultCollectionConfig(42);
  assert.equal(conf.curModel, 42);
  assert.equal(conf.schedVer, 2);
  assert.equal(conf.curDeck, 1);
  assert.deepEqual(conf.activeDecks, [1]);
  assert.equal('creationOffset' in conf, false);
});
