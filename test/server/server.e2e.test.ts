// The SyncServer object the CLI and the app share: start/stop, live user
// changes, status, and a stop that never leaves half-written files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { CompressStream } from 'zstd-napi';
import { startLoggedIn, startTestServer, plainUser } from '../support/test-server.js';
import { V11Client } from '../support/v11-client.js';
import { syncHeaderValue, SyncHttpError } from '../support/v11-transport.js';
import { copyRealAnkiFixture } from '../support/real-anki-fixtures.js';

test('status follows start and stop; the address is the bound one', async () => {
  const server = await startTestServer();
  assert.equal(server.server.status.state, 'running');
  assert.equal(server.server.status.address?.port, server.port);
  assert.deepEqual(server.server.status.users, ['user']);
  await server.close();
  assert.equal(server.server.status.state, 'stopped');
  assert.equal(server.server.status.address, null);
});

test('setUsers takes effect on the next request, without a restart', async () => {
  const server = await startTestServer({ users: [plainUser('alice', 'a')] });
  try {
    const alice = new V11Client(server.baseUrl);
    await alice.login('alice', 'a');
    await assert.rejects(new V11Client(server.baseUrl).login('bob', 'b'), (e: unknown) => e instanceof SyncHttpError && e.status === 403);
    await server.server.setUsers([plainUser('alice', 'new'), plainUser('bob', 'b')]);
    await new V11Client(server.baseUrl).login('bob', 'b');
    // Alice's password changed, so her old host key is no longer valid (as with the official server).
    await assert.rejects(alice.meta(), (e: unknown) => e instanceof SyncHttpError && e.status === 403);
    await server.server.setUsers([plainUser('bob', 'b')]);
    await assert.rejects(
      new V11Client(server.baseUrl).login('alice', 'new'),
      (e: unknown) => e instanceof SyncHttpError && e.status === 403,
    );
    await assert.rejects(server.server.setUsers([plainUser('..', 'x')]));
    assert.deepEqual(server.server.status.users, ['bob']);
  } finally {
    await server.close();
  }
});

test('stop() during a full upload leaves the old collection and no partial file', async () => {
  const { server, client } = await startLoggedIn();
  assert.equal(await client.fullUpload(copyRealAnkiFixture('v18-two-decks-16-notes.anki2')), 'OK');
  const paths = server.paths('user');
  const before = createHash('sha1').update(readFileSync(paths.collection)).digest('hex');

  // An upload whose body never finishes arriving.
  const req = request(`${server.baseUrl}sync/upload`, {
    method: 'POST',
    headers: { 'anki-sync': syncHeaderValue({ k: client.hostKey, s: 'x' }), 'content-type': 'application/octet-stream' },
  });
  req.on('error', () => undefined);
  const body = new CompressStream();
  body.pipe(req);
  body.write(readFileSync(copyRealAnkiFixture('v18-empty-stock-notetypes.anki2')).subarray(0, 50_000));
  body.flush();
  for (let i = 0; i < 100 && !readdirSync(paths.folder).some((n) => n.startsWith('upload-')); i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.ok(
    readdirSync(paths.folder).some((n) => n.startsWith('upload-')),
    'the upload is being spooled',
  );

  await server.server.stop();
  assert.equal(createHash('sha1').update(readFileSync(paths.collection)).digest('hex'), before);
  assert.deepEqual(
    readdirSync(paths.folder).filter((n) => n.startsWith('upload-') || n.endsWith('-wal')),
    [],
  );
  await server.close();
});
