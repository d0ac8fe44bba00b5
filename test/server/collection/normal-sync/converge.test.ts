// Two devices of one user changing the same collection, syncing through the
// server: reviews, edits, adds and deletes on both sides end up everywhere.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { contentsOf, SyncHarness, twoDevicesInStep } from '../../../support/normal-sync-harness.js';
import type { TestDevice } from '../../../support/test-device.js';

let harness: SyncHarness;
before(async () => {
  harness = await SyncHarness.start();
});
after(() => harness.stop());

function noteIds(device: TestDevice): number[] {
  return device.db.prepare('SELECT id FROM notes ORDER BY id').pluck().all() as number[];
}

function cardsOf(device: TestDevice, noteId: number): number[] {
  return device.db.prepare('SELECT id FROM cards WHERE nid = ? ORDER BY id').pluck().all(noteId) as number[];
}

test('reviews, edits, adds and deletes on both devices converge', async () => {
  const { a, b } = await twoDevicesInStep(harness);
  harness.assertConverged(b);
  const first = await harness.sync(a);
  assert.equal(first.required.kind, 'normalSync', 'the download moved the server on, so A syncs normally');
  harness.assertConverged(a, b);

  const notes = noteIds(a);
  // A: review two cards, edit a note, add a note, delete a note.
  a.reviewCard(cardsOf(a, notes[0]!)[0]!);
  a.reviewCard(cardsOf(a, notes[1]!)[0]!);
  a.editNote(notes[2]!, ['edited on A', 'back A'], { tags: 'fromA shared' });
  const addedOnA = a.addNote({ fields: ['added on A', 'x'], tags: 'new' });
  a.deleteNote(notes[3]!);
  // B: different changes.
  b.reviewCard(cardsOf(b, notes[4]!)[0]!);
  b.editNote(notes[5]!, ['edited on B', 'back B'], { tags: 'fromB' });
  const addedOnB = b.addNote({ fields: ['added on B', 'y'], deckId: b.deckIdByName('decka') });
  b.deleteNote(notes[6]!);

  const syncA = await harness.sync(a);
  assert.equal(syncA.required.kind, 'normalSync');
  // 2 reviewed cards + 2 revlog rows + 1 edited and 1 added note + its card + 2 graves (note, card) + 3 new tags.
  assert.equal(harness.server.activity.at(-1)?.detail, '12 changes from the device, 0 to it');
  assert.ok(syncA.counts.clientGraves >= 2, 'the note and its card graves were sent');
  const syncB = await harness.sync(b);
  assert.equal(syncB.counts.serverGraves >= 2, true, 'B received A deletions');
  await harness.sync(a);
  harness.assertConverged(a, b);

  const ids = noteIds(a);
  assert.ok(ids.includes(addedOnA.noteId) && ids.includes(addedOnB.noteId));
  assert.ok(!ids.includes(notes[3]!) && !ids.includes(notes[6]!));
  const edited = a.db.prepare('SELECT flds, tags FROM notes WHERE id = ?').get(notes[5]!);
  assert.deepEqual(edited, { flds: 'edited on B\x1fback B', tags: ' fromB ' });
  assert.equal(a.db.prepare('SELECT count() FROM revlog').pluck().get(), 8 + 3);
  assert.deepEqual(contentsOf(a).tags.sort(), ['fromA', 'fromB', 'new', 'shared'].sort());

  // Nothing left. A synced last, so its mod is the server's: no changes. B's
  // mod is older, so it runs a normal sync (as the reference does) that moves nothing.
  assert.equal((await harness.sync(a)).required.kind, 'noChanges');
  const idle = await harness.sync(b);
  assert.deepEqual(idle.counts, { serverGraves: 0, clientGraves: 0, serverChunks: 1, clientChunks: 1, requests: 7 });
  harness.assertConverged(a, b);
});

test('the server computes sort field and checksum itself', async () => {
  const { a } = await twoDevicesInStep(harness);
  await harness.sync(a);
  const { noteId } = a.addNote({ fields: ['<b>bold</b> &amp; <img src="cat.jpg">', 'back'] });
  a.db.prepare("UPDATE notes SET sfld = 'wrong', csum = 1 WHERE id = ?").run(noteId);
  await harness.sync(a);
  const server = harness.serverContents();
  const row = server.notes.find((note) => (note as unknown[])[0] === noteId) as unknown[];
  assert.equal(row[7], 'bold &  cat.jpg ');
  assert.notEqual(row[8], 1);
});
