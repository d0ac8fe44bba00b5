// Per-user locks: two users sync at the same moment without waiting for each
// other, while one user's requests are served one at a time.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { CompressStream } from 'zstd-napi';
import { startTestServer, plainUser, type TestServer } from '../support/test-server.js';
import { V11Client, EMPTY_INPUT } from '../support/v11-client.js';
import { syncHeaderValue } from '../support/v11-transport.js';
import { copyRealAnkiFixture } from '../support/real-anki-fixtures.js';
import { collectionContent } from '../support/collection-rows.js';
import { openDatabase } from '../../src-main/server/storage/sqlite.js';
import { join } from 'node:path';
import { makeTempFolder } from '../support/temp-folder.js';

let server: TestServer;
let alice: V11Client;
let bob: V11Client;
before(async () => {
  server = await startTestServer({ users: [plainUser('alice', 'a'), plainUser('bob', 'b')] });
  alice = new V11Client(server.baseUrl);
  bob = new V11Client(server.baseUrl);
  await alice.login('alice', 'a');
  await bob.login('bob', 'b');
});
after(() => server.close());

test('two users doing full uploads and downloads at the same moment each get their own collection', async () => {
  const aliceFile = copyRealAnkiFixture('v18-two-decks-16-notes.anki2');
  const bobFile = copyRealAnkiFixture('v11-mediacheck.anki2');
  const results = await Promise.all([
    alice.fullUpload(aliceFile),
    bob.fullUpload(bobFile),
    alice.fullUpload(aliceFile),
    bob.fullUpload(bobFile),
  ]);
  assert.deepEqual(results, ['OK', 'OK', 'OK', 'OK']);
  const dir = makeTempFolder('ahs-two-');
  await Promise.all([alice.fullDownload(join(dir, 'alice.anki2')), bob.fullDownload(join(dir, 'bob.anki2'))]);
  assert.equal(collectionContent(join(dir, 'alice.anki2')).notes.length, 16);
  assert.equal(collectionContent(join(dir, 'bob.anki2')).notes.length, 3);
});

test("a download that nobody reads holds no lock: the other user is served, and so is the same user's next request", async () => {
  // A collection big enough (incompressible filler) that an unread download stalls in the socket buffers.
  const big = copyRealAnkiFixture('v18-two-decks-16-notes.anki2');
  const db = openDatabase(big);
  // Only the tables Anki has are accepted, so the filler goes into one note.
  db.exec('UPDATE notes SET data = randomblob(48000000) WHERE id = (SELECT min(id) FROM notes);');
  db.close();
  assert.equal(await alice.fullUpload(big), 'OK');

  // Alice's download, whose reply nobody reads for now.
  const download = await new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
    const req = request(
      `${server.baseUrl}sync/download`,
      {
        method: 'POST',
        headers: { 'anki-sync': syncHeaderValue({ k: alice.hostKey, s: 'x' }), 'content-type': 'application/octet-stream' },
      },
      resolve,
    );
    req.on('error', reject);
    const body = new CompressStream();
    body.pipe(req);
    body.end(Buffer.from(EMPTY_INPUT));
  });
  download.pause();

  let aliceMetaDone = false;
  const aliceMeta = alice.meta().then((meta) => {
    aliceMetaDone = true;
    return meta;
  });
  assert.equal((await bob.meta()).cont, true);
  assert.equal(await bob.fullUpload(copyRealAnkiFixture('v11-mediacheck.anki2')), 'OK');
  // Before, alice's meta waited for her download's last byte (issue 10, item 11: a trickling client held the lock).
  assert.equal((await aliceMeta).cont, true);
  assert.equal(aliceMetaDone, true);

  let received = 0;
  download.on('data', (chunk: Buffer) => (received += chunk.length));
  download.resume();
  await new Promise((resolve) => download.on('end', resolve));
  assert.ok(received > 40_000_000);
});
