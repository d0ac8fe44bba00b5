// A full download while another reader holds the collection's WAL (a snapshot
// being compressed, a download still being sent to a slow phone): the server
// sends a copy of the file and its WAL, folded on the copy, not the whole
// collection serialized into memory (storage/collection-image.ts). Seen from
// outside: while the reply is still on its way, the copy sits in the account's
// folder as a spool file; it holds every commit; it is gone once sent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createWriteStream, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { compress, DecompressStream } from 'zstd-napi';
import { openDatabase } from '../../../src-main/server/storage/sqlite.js';
import { startLoggedIn } from '../../support/test-server.js';
import { EMPTY_INPUT } from '../../support/v11-client.js';
import { postRaw, syncHeaderValue } from '../../support/v11-transport.js';
import { copyRealAnkiFixture } from '../../support/real-anki-fixtures.js';
import { holdReadTransaction } from '../../support/held-reader.js';
import { makeTempFolder } from '../../support/temp-folder.js';

/** Large enough that the reply cannot all sit in the loopback socket's buffers while the client reads nothing. */
const FILLER_BYTES = 24 * 1024 * 1024;

const imageCopies = (folder: string): string[] => readdirSync(folder).filter((name) => name.startsWith('image-'));

test('a full download while another reader holds the WAL is sent from a copy on disk, which holds every commit and is gone once sent', async (t) => {
  const { server, client } = await startLoggedIn();
  t.after(() => server.close());
  assert.equal(await client.fullUpload(copyRealAnkiFixture('v18-two-decks-16-notes.anki2')), 'OK');
  await server.server.snapshotsSettled();
  const paths = server.paths('user');

  // A collection of some size, its WAL folded: a reader that starts now reads the file alone.
  const live = openDatabase(paths.collection, { fileMustExist: true });
  try {
    live.exec('CREATE TABLE filler (x)');
    live.prepare('INSERT INTO filler VALUES (randomblob(?))').run(FILLER_BYTES);
    live.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    live.close();
  }
  const reader = await holdReadTransaction(paths.collection, 30_000);
  let response;
  try {
    // The download bumps usn and mod first (a commit in the WAL), which the held reader keeps from being folded.
    response = await postRaw(
      client.url('sync', 'download'),
      { 'anki-sync': syncHeaderValue({ k: client.hostKey, s: client.sessionKey, c: client.clientVersion }) },
      Readable.from([compress(Buffer.from(EMPTY_INPUT))]),
    );
    assert.ok(reader.holding(), 'the reply began while the reader still held the WAL');
  } finally {
    await reader.release();
  }
  assert.equal(response.statusCode, 200);
  assert.equal(imageCopies(paths.folder).length, 1, 'the reply is read from a copy in the account folder, not from memory');

  const device = join(makeTempFolder('ahs-device-'), 'collection.anki2');
  await pipeline(response, new DecompressStream(), createWriteStream(device));
  const got = openDatabase(device, { fileMustExist: true, readonly: true });
  const want = openDatabase(paths.collection, { fileMustExist: true, readonly: true });
  try {
    assert.equal(got.prepare('PRAGMA integrity_check').pluck().get(), 'ok');
    // The bump was still in the live WAL when the copy was made: the copy has it.
    assert.deepEqual(got.prepare('SELECT usn, mod FROM col').get(), want.prepare('SELECT usn, mod FROM col').get());
    assert.equal(got.prepare('SELECT count(*) FROM notes').pluck().get(), 16);
    assert.equal(got.prepare('SELECT length(x) FROM filler').pluck().get(), FILLER_BYTES);
  } finally {
    got.close();
    want.close();
  }
  for (let waited = 0; imageCopies(paths.folder).length > 0 && waited < 5000; waited += 20) await sleep(20);
  assert.deepEqual(imageCopies(paths.folder), [], 'the copy is removed once the reply is sent');
});
