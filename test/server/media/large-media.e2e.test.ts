// Sizes at and past the protocol's limits, over real HTTP.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { MediaHttpError } from '../../support/media-api.js';
import { buildZip } from '../../support/media-zips.js';
import { startMediaServer } from '../../support/media-server.js';
import { mediaModeFromEnv } from '../../support/sync-mode.js';

const MiB = 1024 * 1024;
const sha1hex = (data: Buffer) => createHash('sha1').update(data).digest('hex');

test('a 3 MB file ends its zip both ways: the next file travels in the next request', async () => {
  const server = await startMediaServer();
  try {
    const one = server.device('one');
    const two = server.device('two');
    const data = randomBytes(3_000_000);
    one.addFile('three megabytes.bin', data);
    one.addFile('small.txt', 'small');
    one.addFile('z last.txt', 'last');
    const up = await one.sync();
    // Clients stop adding to an upload once it is past 2.5 MiB.
    assert.equal(up.calls.filter((c) => c === 'uploadChanges').length, 2);
    const down = await two.sync();
    // small.txt, then the 3 MB file, which crosses 2.5 MiB and ends the first zip.
    assert.equal(down.calls.filter((c) => c === 'downloadFiles').length, 2);
    assert.deepEqual(two.fileNames(), ['small.txt', 'three megabytes.bin', 'z last.txt']);
    assert.equal(sha1hex(two.readFile('three megabytes.bin')), sha1hex(data));
  } finally {
    await server.stop();
  }
});

test('300 files go up in batches of 25 and come down in batches, one usn each', async () => {
  const server = await startMediaServer();
  try {
    const one = server.device('one');
    const two = server.device('two');
    for (let i = 0; i < 300; i++) one.addFile(`file ${String(i).padStart(3, '0')}.jpg`, `content of file ${i}`);
    const up = await one.sync();
    assert.equal(up.uploadReplies.length, 12);
    assert.ok(up.uploadReplies.every((reply) => reply.processed === 25));
    assert.equal(up.uploadReplies.at(-1)!.currentUsn, 300);
    assert.equal(one.lastUsn(), 300, 'every batch matched old usn + processed');
    const down = await two.sync();
    assert.equal(down.downloaded.length, 300);
    assert.equal(down.calls.filter((c) => c === 'downloadFiles').length, 12);
    assert.deepEqual(two.fileNames(), one.fileNames());
    assert.equal(await two.api.mediaSanity(300), 'OK');
  } finally {
    await server.stop();
  }
});

// Legacy forms are capped at MAX as a whole (docs/protocol/transport-auth-media.md §5): at the default
// limit a 100 MiB file cannot go up that way, so this one is for v11 devices only.
const legacyDevices = mediaModeFromEnv() !== 'v11' && 'legacy media devices cannot send a 100 MiB file';
test('a 100 MiB file goes up over v11 and comes back with the same sha1; one byte more is refused', { skip: legacyDevices }, async () => {
  const server = await startMediaServer();
  try {
    const one = server.device('one');
    const two = server.device('two');
    const data = randomBytes(100 * MiB);
    one.addFile('hundred.bin', data);
    await one.sync();
    await two.sync();
    assert.equal(sha1hex(two.readFile('hundred.bin')), sha1hex(data));

    const tooBig = Buffer.concat([data, Buffer.from('!')]);
    const zip = await buildZip([
      ['0', tooBig],
      ['_meta', Buffer.from('[["too big.bin", "0"]]')],
    ]);
    await assert.rejects(server.api().uploadChanges(zip), (error: unknown) => error instanceof MediaHttpError && error.status === 400);
    assert.deepEqual(readdirSync(server.paths.mediaFolder), ['hundred.bin']);
  } finally {
    await server.stop();
  }
});
