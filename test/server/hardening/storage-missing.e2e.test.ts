// SYNC_BASE on a drive that goes away while the server runs (unplugged, or
// unmounted leaving an empty mount point): requests are refused with 503 and
// nothing is created at its path, so no device sees an empty server and
// uploads to the wrong disk. Once the drive is back, syncs go on from the data
// on it, untouched. Real server, real files; the drive's going is a rename of
// the folder, its empty mount point an empty folder in its place.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readdirSync, renameSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { startTestServer } from '../../support/test-server.js';
import { V11Client } from '../../support/v11-client.js';
import { statusOf } from '../../support/v11-transport.js';
import { REAL_ANKI_FIXTURES } from '../../support/fixture-paths.js';
import { makeTempFolder } from '../../support/temp-folder.js';
import { openDatabase } from '../../../src-main/server/storage/sqlite.js';

test('while SYNC_BASE is gone, requests get 503 and nothing is created there; once back, the collection syncs on unchanged', async (t) => {
  const server = await startTestServer();
  t.after(() => server.close());
  const device = makeTempFolder('ahs-device-');
  const collection = join(device, 'collection.anki2');
  copyFileSync(join(REAL_ANKI_FIXTURES, 'v18-two-decks-16-notes.anki2'), collection);
  const client = new V11Client(server.baseUrl);
  await client.login('user', 'pass');
  assert.equal(await client.fullUpload(collection), 'OK');
  const before = await client.meta();
  assert.equal(before.empty, false);

  // The drive goes; its mount point stays behind, empty.
  const away = `${server.baseFolder}-unplugged`;
  renameSync(server.baseFolder, away);
  mkdirSync(server.baseFolder);

  assert.equal(await statusOf(client.meta()), 503, 'meta');
  // Refused before its body is read; a small body, so that the whole request is in before the answer.
  assert.equal(await statusOf(client.raw('sync', 'upload', Buffer.from('SQLite format 3\0'))), 503, 'a full upload');
  assert.equal(await statusOf(client.json('msync', 'begin', { v: 11 })), 503, 'media');
  assert.deepEqual(readdirSync(server.baseFolder), [], 'nothing was created on the disk under the mount point');
  const lost = server.activity.filter((event) => event.kind === 'storage');
  assert.equal(lost.length, 1, 'the learner is told once');
  assert.equal(lost[0]!.failed, true);
  assert.match(lost[0]!.detail!, /is not there any more\. If it is on a drive, reconnect the drive\./);

  // The drive is back.
  rmdirSync(server.baseFolder);
  renameSync(away, server.baseFolder);
  const after = await client.meta();
  assert.deepEqual(
    { empty: after.empty, mod: after.mod, scm: after.scm, usn: after.usn },
    { empty: false, mod: before.mod, scm: before.scm, usn: before.usn },
    'the same collection, unchanged',
  );
  // media.db was closed with the rest, and opens again from the drive.
  const media = await client.json<{ data: { usn: number } }>('msync', 'begin', { v: 'anki,25.02 (1a2b3c4d),linux' });
  assert.equal(media.data.usn, 0);
  const download = join(device, 'downloaded.anki2');
  await client.fullDownload(download);
  const db = openDatabase(download, { readonly: true });
  t.after(() => db.close());
  assert.equal(db.prepare<[], { n: number }>('SELECT count(*) AS n FROM notes').get()!.n, 16, 'the 16 notes uploaded before');
  const back = server.activity.filter((event) => event.kind === 'storage');
  assert.equal(back.length, 2);
  assert.equal(back[1]!.failed, false);
  assert.match(back[1]!.detail!, /is back/);
});
