// uploadChanges zips that lie, over real HTTP to a real server: every one is
// answered 200 (it happened to stay a valid upload) or 400, never a 500 or a
// cut connection, and the server keeps answering. A refused zip changes
// nothing. A crash here (an 'error' event nobody listened to) kills this test
// process, so the run fails however the assertion would have gone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { startMediaServer, type MediaTestServer } from '../../support/media-server.js';
import { httpRequest } from '../../support/http-raw.js';
import { SyncHttpError, TEST_CLIENT_VERSION, v11Request } from '../../support/v11-transport.js';
import { seededRandom } from '../../support/seeded-random.js';
import { forgeZip, uploadMembers } from '../../support/zip-forge.js';
import { compressible, ZIP_MUTATIONS as MUTATIONS } from '../../support/zip-mutations.js';

async function upload(server: MediaTestServer, zip: Buffer): Promise<number> {
  try {
    await v11Request(new URL('msync/uploadChanges', server.baseUrl).toString(), { k: server.hostKey, s: '', c: TEST_CLIENT_VERSION }, zip);
    return 200;
  } catch (error) {
    if (error instanceof SyncHttpError) return error.status;
    throw error;
  }
}

async function mediaState(server: MediaTestServer): Promise<string> {
  const changes = await v11Request(
    new URL('msync/mediaChanges', server.baseUrl).toString(),
    { k: server.hostKey, s: '', c: TEST_CLIENT_VERSION },
    '{"lastUsn":0}',
  );
  const files = readdirSync(server.paths.mediaFolder).sort();
  return `${changes.toString('utf8')}\n${files.join('\n')}`;
}

async function assertUp(server: MediaTestServer): Promise<void> {
  assert.equal((await httpRequest(new URL('health', server.baseUrl).toString(), { method: 'GET' })).status, 200);
}

test('a member that inflates past the size its headers declare is a 400, every time, and the server stays up', async (t) => {
  const server = await startMediaServer();
  t.after(() => server.stop());
  await server.api().begin();
  const before = await mediaState(server);
  for (let round = 0; round < 10; round++) {
    const members = uploadMembers([['big.txt', compressible(8 * 1024 * 1024)]], true);
    members[0] = { ...members[0]!, local: { uncompressedSize: 1000 }, central: { uncompressedSize: 1000 } };
    assert.equal(await upload(server, forgeZip(members)), 400, `round ${round}`);
    await assertUp(server);
  }
  assert.equal(await mediaState(server), before);
});

test('a deflated member whose central directory claims no compressed bytes is a 400, not a request that never ends', async (t) => {
  // yauzl reports this one by emitting 'error' without destroying the stream: a reader waiting for
  // 'end' would wait forever, holding the user's lock.
  const server = await startMediaServer();
  t.after(() => server.stop());
  await server.api().begin();
  const members = uploadMembers([['a.txt', compressible(5000)]], true);
  members[0] = { ...members[0]!, central: { compressedSize: 0 } };
  assert.equal(await upload(server, forgeZip(members)), 400);
  await assertUp(server);
});

test('fuzz: truncations, lying sizes, bad CRCs, overlapping members and data descriptors are 200 or 400, never a crash', async (t) => {
  const server = await startMediaServer();
  t.after(() => server.stop());
  await server.api().begin();
  const random = seededRandom(0x5eed);
  const seen = new Map<string, Map<number, number>>();
  for (let round = 0; round < 40; round++) {
    for (const [name, mutate] of Object.entries(MUTATIONS)) {
      const deflate = random() < 0.5;
      const files: [string, Buffer][] = [
        [`a-${round}.txt`, compressible(1000 + Math.floor(random() * 5000))],
        [`b-${round}.bin`, Buffer.from(Array.from({ length: 300 + Math.floor(random() * 300) }, () => Math.floor(random() * 256)))],
      ];
      const zip = mutate(uploadMembers(files, deflate), random);
      const before = await mediaState(server);
      const status = await upload(server, zip);
      assert.ok(status === 200 || status === 400, `${name} (round ${round}): HTTP ${status}`);
      if (status === 400) assert.equal(await mediaState(server), before, `${name} (round ${round}) was refused but changed something`);
      await assertUp(server);
      const counts = seen.get(name) ?? new Map<number, number>();
      counts.set(status, (counts.get(status) ?? 0) + 1);
      seen.set(name, counts);
    }
  }
  // The mutations really do break uploads: each kind was refused at least once. A lying local header
  // or data descriptor alone may pass, since the central directory is what counts (as in the
  // reference's zip reader).
  for (const [name, counts] of seen) {
    if (name.includes('local header') || name.includes('data descriptors')) continue;
    assert.ok((counts.get(400) ?? 0) > 0, `${name} was never refused: ${JSON.stringify([...counts])}`);
  }
});
