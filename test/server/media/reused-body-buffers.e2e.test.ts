// Media batches are gathered in buffers the server reuses from one request to
// the next (envelope/body-buffers.ts). Through the real server over HTTP: each
// batch is stored byte for byte whatever came before it in the same buffer, a
// longer batch, a refused one, or two batches sent at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { storedUploadZip } from '../../support/media-zips.js';
import { startMediaServer } from '../../support/media-server.js';
import { mediaFilePath } from '../../../src-main/server/storage/media-file-path.js';

function batch(prefix: string, count: number, size: number): [string, Buffer][] {
  return Array.from({ length: count }, (_, i) => [`${prefix}-${i}.bin`, randomBytes(size + i)] as [string, Buffer]);
}

test('batches that follow one another in reused buffers are each stored byte for byte', async () => {
  const server = await startMediaServer();
  try {
    const api = server.api();
    await api.begin();
    const sent: [string, Buffer][] = [];
    const upload = async (files: [string, Buffer][]) => {
      await api.uploadChanges(storedUploadZip(files));
      sent.push(...files);
    };
    await upload(batch('long', 25, 100_000));
    await upload(batch('short', 3, 5_000)); // shorter than the last: no tail of it may be read
    const damaged = storedUploadZip(batch('damaged', 4, 50_000));
    damaged[200] = damaged[200]! ^ 0xff; // inside the first member: its CRC fails
    await assert.rejects(api.uploadChanges(damaged), /400/);
    await upload(batch('after-refusal', 2, 80_000));
    // Two batches at once: both are read while the account's lock lets one through at a time.
    const first = batch('together-a', 10, 60_000);
    const second = batch('together-b', 10, 60_000);
    await Promise.all([upload(first), upload(second)]);
    for (const [fname, data] of sent) {
      assert.ok(readFileSync(mediaFilePath(server.paths.mediaFolder, fname)).equals(data), `${fname} is stored as it was sent`);
    }
    assert.equal(sent.length, 25 + 3 + 2 + 10 + 10);
  } finally {
    await server.stop();
  }
});
