// One user, two devices on different client generations: A speaks version 11
// (schema 18 full syncs, zstd), B an old client at version 10 (multipart +
// gzip, graves inside start, schema-11 full syncs). Whatever each does, both
// end up holding what the server holds.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { contentsOf, SyncHarness } from '../../support/normal-sync-harness.js';
import { SYNC_MODES } from '../../support/sync-mode.js';
import type { TestDevice } from '../../support/test-device.js';

let current: SyncHarness;
let old: SyncHarness;
before(async () => {
  current = await SyncHarness.start(SYNC_MODES.v11);
  old = current.forMode(SYNC_MODES['legacy-rust-10']);
});
after(() => current.stop());

const noteIds = (device: TestDevice) => device.db.prepare('SELECT id FROM notes ORDER BY id').pluck().all() as number[];
const firstCard = (device: TestDevice, noteId: number) =>
  device.db.prepare('SELECT id FROM cards WHERE nid = ? ORDER BY id').pluck().get(noteId) as number;

test('a v11 device and a version-10 device sync the same collection both ways', async () => {
  // A (v11) uploads; B (legacy) downloads schema 11 and keeps it.
  const a = current.device();
  assert.equal(await current.fullUpload(a), 'OK');
  const b = await old.fullDownload(old.device('v18-empty-stock-notetypes.anki2'));
  current.assertConverged(b);
  assert.equal((await current.sync(a)).required.kind, 'normalSync');
  current.assertConverged(a, b);

  const notes = noteIds(a);
  a.reviewCard(firstCard(a, notes[0]!));
  a.editNote(notes[1]!, ['edited on the new client', 'x'], { tags: 'new-client' });
  a.addNote({ fields: ['added on the new client', 'y'] });
  a.deleteNote(notes[2]!);
  const deckOfA = a.addDeck('From the new client');
  b.reviewCard(firstCard(b, notes[3]!));
  b.editNote(notes[4]!, ['edited on the old client', 'z'], { tags: 'old-client' });
  b.addNote({ fields: ['added on the old client', 'w'], deckId: b.deckIdByName('decka') });
  b.deleteNote(notes[5]!);
  b.renameDeck(b.deckIdByName('deckb'), 'deckb renamed by the old client');

  assert.equal((await current.sync(a)).required.kind, 'normalSync');
  const fromOld = await old.sync(b);
  assert.equal(fromOld.required.kind, 'normalSync');
  assert.ok(fromOld.counts.clientGraves >= 2, 'the old client sent its graves inside start');
  assert.ok(fromOld.counts.serverGraves >= 2, 'and received the new client deletions');
  await current.sync(a);
  current.assertConverged(a, b);
  assert.ok(contentsOf(b).decks.some((deck) => JSON.stringify(deck).includes('From the new client')));
  assert.ok(b.db.prepare('SELECT 1 FROM decks WHERE id = ?').get(deckOfA));

  // A schema change on the old client: it full-uploads schema 11, the new one downloads 18.
  b.addFieldToNotetype(b.notetypeIdByName('Basic'), 'Extra');
  assert.equal((await old.sync(b)).required.kind, 'fullSync');
  assert.equal(await old.fullUpload(b), 'OK');
  const required = (await current.sync(a)).required;
  assert.equal(required.kind, 'fullSync');
  const a2 = await current.fullDownload(a);
  current.assertConverged(a2, b);
  // The download moved the server's mod on (as the reference does): the uploader syncs once more, moving nothing.
  const settle = await old.sync(b);
  assert.equal(settle.required.kind, 'normalSync');
  assert.deepEqual([settle.counts.clientGraves, settle.counts.serverGraves], [0, 0]);
  assert.equal((await old.sync(b)).required.kind, 'noChanges');
  current.assertConverged(a2, b);
});
