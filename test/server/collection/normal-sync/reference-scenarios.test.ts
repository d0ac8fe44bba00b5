// The reference's own acceptance scenarios for the collection protocol
// (docs/protocol/collection-sync.md §8, from rslib/src/sync/collection/tests.rs), run
// against our server with two devices that start as real-Anki collections.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { getDeck } from '../../../../src-main/server/storage/objects/decks.js';
import { getNotetype } from '../../../../src-main/server/storage/objects/notetypes.js';
import { contentsOf, HOST_KEY, SyncHarness } from '../../../support/normal-sync-harness.js';
import { localMeta, runNormalSync } from '../../../support/normal-sync-client.js';
import type { TestDevice } from '../../../support/test-device.js';
import { SyncHttpError, v11Request } from '../../../support/v11-transport.js';

let harness: SyncHarness;
before(async () => {
  harness = await SyncHarness.start();
});
after(() => harness.stop());

function freshDevice(): TestDevice {
  const device = harness.device('v18-empty-stock-notetypes.anki2');
  // The fixture's stray card row (id 0) would make it look non-empty.
  device.db.exec('DELETE FROM cards');
  return device;
}

const count = (device: TestDevice, table: string) => device.db.prepare(`SELECT count() FROM ${table}`).pluck().get();

test('host key and unsupported meta version (scenarios 1 and 2)', async () => {
  const key = await v11Request(`${harness.url}sync/hostKey`, { k: '', s: '' }, JSON.stringify({ u: 'user', p: 'pass' }));
  assert.deepEqual(JSON.parse(key.toString()), { key: HOST_KEY });
  await assert.rejects(
    v11Request(`${harness.url}sync/hostKey`, { k: '', s: '' }, JSON.stringify({ u: 'user', p: 'wrong' })),
    (e: unknown) => e instanceof SyncHttpError && e.status === 403,
  );
  await assert.rejects(harness.transport().call('meta', { v: 0, cv: '' }), (e: unknown) => e instanceof SyncHttpError && e.status === 501);
});

test('upload, download, then regular sync both ways (scenarios 5 and 6)', async () => {
  // Scenario 5: col1 adds a note and uploads; a fresh col2 may only download.
  const col1 = freshDevice();
  const col2 = freshDevice();
  col1.addNote({ notetypeId: col1.notetypeIdByName('Basic'), fields: ['1', ''] });
  assert.deepEqual((await harness.sync(col1)).required, { kind: 'fullSync', uploadOk: true, downloadOk: false });
  assert.equal(await harness.fullUpload(col1), 'OK');
  assert.deepEqual((await harness.sync(col2)).required, { kind: 'fullSync', uploadOk: false, downloadOk: true });
  const col2b = await harness.fullDownload(col2);

  // Scenario 6: a new deck with a new options preset, a new notetype, a tagged note, a fake revlog row, a config key.
  const dconfId = col1.addDeckConfig('new dconf');
  const deckId = col1.addDeck('new deck');
  col1.setDeckConfig(deckId, dconfId);
  const ntid = col1.addNotetype('new', { copyOf: col1.notetypeIdByName('Basic') });
  const { noteId, cardIds } = col1.addNote({ notetypeId: ntid, deckId, fields: ['2', ''], tags: 'tag' });
  col1.db.prepare('INSERT INTO revlog VALUES (123, 456, -1, 0, 10, 0, 0, 0, 0)').run();
  col1.setConfig('test', 'test1');
  assert.equal((await harness.sync(col1)).required.kind, 'normalSync');
  assert.equal((await harness.sync(col2b)).required.kind, 'normalSync');
  assert.equal((await harness.sync(col2b)).required.kind, 'noChanges', 'the last device to sync shares the server mod');

  const compareSides = () => {
    assert.deepEqual(getNotetype(col1.db, ntid), getNotetype(col2b.db, ntid));
    assert.deepEqual(getDeck(col1.db, deckId), getDeck(col2b.db, deckId));
    const one = contentsOf(col1);
    const two = contentsOf(col2b);
    assert.deepEqual(one.deckConfigs, two.deckConfigs);
    assert.deepEqual(one.notes, two.notes);
    assert.deepEqual(one.cards, two.cards);
    assert.deepEqual(one.revlog, two.revlog);
    assert.equal(one.config, two.config);
    assert.equal(col1.col().crt, col2b.col().crt);
    assert.deepEqual(one.tags, two.tags);
  };
  compareSides();

  // col2 edits the note (field and tag), queues the card for review, renames the deck and notetype.
  col2b.editNote(noteId, ['2', 'new'], { tags: 'tag tag2' });
  col2b.db.prepare('UPDATE cards SET queue = 2, usn = -1 WHERE id = ?').run(cardIds[0]!);
  col2b.renameDeck(deckId, 'newer');
  col2b.renameNotetype(ntid, 'newer');
  await harness.sync(col2b);
  await harness.sync(col1);
  compareSides();
  assert.equal(getNotetype(col1.db, ntid)?.name, 'newer');

  // Deletions travel: the card (and orphaned note), the note and the deck.
  for (const table of ['cards', 'notes', 'decks']) assert.equal(count(col1, table), 2, table);
  col1.deleteNote(noteId);
  col1.deleteDeck(deckId);
  await harness.sync(col1);
  await harness.sync(col2b);
  for (const table of ['cards', 'notes', 'decks']) assert.equal(count(col2b, table), 1, table);
  assert.equal(col2b.integrityCheck(), 'ok');
  assert.equal(harness.serverContents().integrity, 'ok');

  // Removing a notetype forces a full sync.
  col2b.deleteNotetype(ntid);
  assert.equal((await harness.sync(col2b)).required.kind, 'fullSync');
});

test('chunks of 250 over HTTP: a full chunk is not done, the last one is', async () => {
  const col1 = harness.device();
  assert.equal(await harness.fullUpload(col1), 'OK');
  const col2 = await harness.fullDownload(harness.device());
  await harness.sync(col1);
  const notetypeId = col1.notetypeIdByName('Basic');
  col1.db.transaction(() => {
    for (let i = 0; i < 300; i++) col1.addNote({ notetypeId, fields: [`front ${i}`, `back ${i}`] });
  })();
  const sent = await harness.sync(col1);
  assert.equal(sent.counts.clientChunks, 3, '600 objects: 250 + 250 + 100');
  const sizes: number[] = [];
  const transport = harness.transport();
  const recording = {
    call: async (method: string, body: unknown) => {
      const reply = await transport.call(method, body);
      if (method === 'chunk') {
        const chunk = reply as { done: boolean; cards?: unknown[]; notes?: unknown[]; revlog?: unknown[] };
        sizes.push((chunk.cards?.length ?? 0) + (chunk.notes?.length ?? 0) + (chunk.revlog?.length ?? 0));
      }
      return reply;
    },
  };
  await runNormalSync(col2.db, recording);
  assert.deepEqual(sizes, [250, 250, 100]);
  assert.deepEqual(contentsOf(col1), contentsOf(col2));
});

test('a new empty collection does not need a full sync (scenario 7)', async () => {
  const fresh = await SyncHarness.start();
  try {
    const col1 = freshDevice();
    col1.db.exec('UPDATE col SET mod = 0, ls = 0');
    const result = await runNormalSync(col1.db, fresh.transport());
    assert.equal(result.required.kind, 'noChanges');
    assert.equal(localMeta(col1.db).ls, 0);
    col1.addNote({ notetypeId: col1.notetypeIdByName('Basic'), fields: ['a', 'b'] });
    assert.equal((await runNormalSync(col1.db, fresh.transport())).required.kind, 'fullSync');
  } finally {
    await fresh.stop();
  }
});
