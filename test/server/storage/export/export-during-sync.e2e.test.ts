// An export taken while a device's normal sync is writing to the same
// collection, through a real server over HTTP: the server holds the sync's
// SQLite transaction open from `start` to `finish`, so the package must hold
// the collection as it was before the sync, whole (not the rows of half a
// sync), must not wait for the sync, and the sync must finish unharmed. The
// next export then holds the synced collection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { globalAgent } from 'node:http';
import { join } from 'node:path';
import { currentMediaFiles, exportCollectionPackage } from '../../../../src-main/server/index.js';
import { runNormalSync } from '../../../support/normal-sync-client.js';
import { SyncHarness, USER } from '../../../support/normal-sync-harness.js';
import { collectionContent, integrityCheck } from '../../../support/collection-rows.js';
import { readColpkg } from '../../../support/colpkg-reader.js';
import { makeTempFolder } from '../../../support/temp-folder.js';
import { SYNC_MODES } from '../../../support/sync-mode.js';

async function exportAndRead(harness: SyncHarness, name: string, legacy = false): Promise<ReturnType<typeof collectionContent>> {
  const out = join(makeTempFolder('ahs-export-sync-'), `${name}.colpkg`);
  const media = await currentMediaFiles(harness.server.paths(USER));
  await exportCollectionPackage({ collection: harness.serverCollectionPath, media }, out, { legacy });
  const read = await readColpkg(out, makeTempFolder('ahs-export-sync-read-'));
  assert.deepEqual(integrityCheck(read.collectionFile), ['ok']);
  return collectionContent(read.collectionFile);
}

test('an export during a normal sync holds the collection as it was before that sync, whole; the sync finishes; the next export holds it after', async (t) => {
  const harness = await SyncHarness.start(SYNC_MODES.v11);
  t.after(() => harness.stop());
  const device = harness.device();
  assert.equal(await harness.fullUpload(device), 'OK');
  const before = harness.serverContents();

  // Enough rows for several chunks, so the server has applied many of them when the export runs.
  const added = Array.from({ length: 600 }, (_, index) => device.addNote({ fields: [`front ${index}`, `back ${index}`] }));
  for (const note of added.slice(0, 50)) device.reviewCard(note.cardIds[0]!);

  const inner = harness.transport();
  const during: ReturnType<typeof collectionContent>[] = [];
  const transport = {
    call: async (method: string, body: unknown): Promise<unknown> => {
      // Every row of the sync is in the server's open transaction by now, and nothing is committed.
      if (method === 'finish') during.push(await exportAndRead(harness, 'during'), await exportAndRead(harness, 'during-legacy', true));
      // Adding 600 notes (before `meta`), or the exports (before `finish`), may outlast the server's 5 s
      // keep-alive on a loaded machine: those steps go on a new connection rather than one being closed.
      if (method === 'meta' || method === 'finish') globalAgent.destroy();
      return inner.call(method, body);
    },
  };
  const result = await runNormalSync(device.db, transport);
  assert.equal(result.required.kind, 'normalSync');
  assert.ok(result.counts.clientChunks > 1, 'the sync sent its rows in several chunks');

  assert.equal(during.length, 2);
  for (const seen of during) {
    assert.equal(seen.notes.length, before.notes.length);
    assert.equal(seen.cards.length, before.cards.length);
    assert.equal(seen.revlog.length, before.revlog.length);
  }
  const after = await exportAndRead(harness, 'after');
  const server = harness.serverContents();
  assert.equal(after.notes.length, before.notes.length + 600);
  assert.equal(after.notes.length, server.notes.length);
  assert.equal(after.cards.length, server.cards.length);
  assert.equal(after.revlog.length, before.revlog.length + 50);
  harness.assertConverged(device);
});
