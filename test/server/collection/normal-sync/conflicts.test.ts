// The same object changed on two devices: cards and notes keep the newer copy
// by mtime, and on a tie each receiver keeps its own; notetypes, decks and
// deck configs let the incoming copy win ties.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { contentsOf, SyncHarness, twoDevicesInStep } from '../../../support/normal-sync-harness.js';
import type { TestDevice } from '../../../support/test-device.js';

let harness: SyncHarness;
before(async () => {
  harness = await SyncHarness.start();
});
after(() => harness.stop());

function fieldsOf(db: TestDevice['db'], noteId: number): string {
  return db.prepare('SELECT flds FROM notes WHERE id = ?').pluck().get(noteId) as string;
}

test('a note edited on both devices: the newer edit wins, whichever syncs first', async () => {
  for (const newerFirst of [true, false]) {
    const { a, b } = await twoDevicesInStep(harness, { thenSync: ['a'] });
    const noteId = a.db.prepare('SELECT id FROM notes ORDER BY id LIMIT 1').pluck().get() as number;
    const base = a.nowSecs();
    a.editNote(noteId, ['older', 'a'], { mtime: base + 10 });
    b.editNote(noteId, ['newer', 'b'], { mtime: base + 20 });
    const [first, second] = newerFirst ? [b, a] : [a, b];
    await harness.sync(first);
    await harness.sync(second);
    await harness.sync(first);
    assert.equal(fieldsOf(a.db, noteId), 'newer\x1fb');
    assert.equal(fieldsOf(b.db, noteId), 'newer\x1fb');
    const serverNote = harness.serverContents().notes.find((n) => (n as unknown[])[0] === noteId) as unknown[];
    assert.equal(serverNote[6], 'newer\x1fb');
  }
});

test('a card changed on both devices with the same mtime: each receiver keeps its own copy', async () => {
  const { a, b } = await twoDevicesInStep(harness, { thenSync: ['a'] });
  const cardId = a.db.prepare('SELECT id FROM cards ORDER BY id LIMIT 1').pluck().get() as number;
  const mtime = a.nowSecs() + 30;
  a.reviewCard(cardId, { mtime, ivl: 5 });
  b.reviewCard(cardId, { mtime, ivl: 9 });
  await harness.sync(a);
  await harness.sync(b);
  const ivl = (db: TestDevice['db']) => db.prepare('SELECT ivl FROM cards WHERE id = ?').pluck().get(cardId);
  assert.equal(ivl(a.db), 5);
  assert.equal(ivl(b.db), 9, 'B kept its pending copy against an equally new one');
  const server = harness.serverContents().cards.find((c) => (c as unknown[])[0] === cardId) as unknown[];
  assert.equal(server[9], 5, 'the server kept the copy pending for B');
  // Both review rows are kept everywhere: revlog is insert-only.
  await harness.sync(a);
  assert.equal(
    a.db.prepare('SELECT count() FROM revlog WHERE cid = ?').pluck().get(cardId),
    b.db.prepare('SELECT count() FROM revlog WHERE cid = ?').pluck().get(cardId),
  );
});

test('a deck renamed on both devices with the same mtime: the incoming copy wins on each side', async () => {
  const { a, b } = await twoDevicesInStep(harness, { thenSync: ['a'] });
  const deckId = a.deckIdByName('decka');
  const mtime = a.nowSecs() + 40;
  a.renameDeck(deckId, 'from A', { mtime });
  b.renameDeck(deckId, 'from B', { mtime });
  await harness.sync(a);
  await harness.sync(b);
  const name = (db: TestDevice['db']) => db.prepare('SELECT name FROM decks WHERE id = ?').pluck().get(deckId);
  assert.equal(name(b.db), 'from A', 'B took the server copy (tie → incoming)');
  assert.equal(
    harness.serverContents().decks.some((d) => d.includes('"from B"')),
    true,
    'the server took B copy (tie → incoming)',
  );
});

test('config is replaced wholesale by the side whose collection is newer (lnewer)', async () => {
  const { a, b } = await twoDevicesInStep(harness, { thenSync: ['a'] });
  const configOf = (db: TestDevice['db']) =>
    Object.fromEntries(db.prepare("SELECT KEY, CAST(val AS TEXT) FROM config WHERE KEY LIKE 'from%'").raw().all() as [string, string][]);
  b.setConfig('fromB', 2);
  a.setConfig('fromA', 1);
  // A is newer than the server: its whole config replaces the server's.
  await harness.sync(a);
  // B's collection changed before A's sync finished, so the server is newer: B takes the server's config.
  await harness.sync(b);
  assert.deepEqual(configOf(b.db), { fromA: '1' });
  assert.deepEqual(configOf(a.db), { fromA: '1' });
  assert.equal(harness.serverContents().config, contentsOfConfig(b));
});

function contentsOfConfig(device: TestDevice): string {
  return contentsOf(device).config;
}
