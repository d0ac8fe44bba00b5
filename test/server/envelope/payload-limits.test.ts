// MAX_SYNC_PAYLOAD_MEGS on both sides of zstd: a body too big compressed, or
// too big once decoded (a zstd bomb included), is refused without being held,
// and a full upload over the limit gets the reference's 200 sentence.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { CompressStream, decompress } from 'zstd-napi';
import { startLoggedIn, type TestServer } from '../../support/test-server.js';
import { V11Client } from '../../support/v11-client.js';
import { postRaw, syncHeaderValue, SyncHttpError } from '../../support/v11-transport.js';
import { copyRealAnkiFixture } from '../../support/real-anki-fixtures.js';

const MIB = 1024 * 1024;
let server: TestServer;
let client: V11Client;
before(async () => {
  ({ server, client } = await startLoggedIn({ maxPayloadMegs: 1 }));
  assert.equal(await client.fullUpload(copyRealAnkiFixture('v18-two-decks-16-notes.anki2')), 'OK');
});
after(() => server.close());

function zstdZerosSource(total: number): Readable {
  const block = Buffer.alloc(MIB);
  let left = total;
  const zeros = new Readable({
    read() {
      if (left <= 0) return void this.push(null);
      const n = Math.min(left, block.length);
      left -= n;
      this.push(block.subarray(0, n));
    },
  });
  return zeros;
}

/** `total` zero bytes as a zstd stream, produced lazily: a few KiB on the wire. */
function zstdZeros(total: number): Readable {
  return zstdZerosSource(total).pipe(new CompressStream());
}

/** `total` zero bytes, uncompressed (the client compresses them). */
function zeros(total: number): Readable {
  return zstdZerosSource(total);
}

/** Skippable frames decode to nothing, so only the compressed size is large. */
function skippableFrames(total: number): Buffer {
  const frame = Buffer.alloc(8 + 64 * 1024);
  frame.writeUInt32LE(0x184d2a50, 0);
  frame.writeUInt32LE(64 * 1024, 4);
  return Buffer.concat(Array.from({ length: Math.ceil(total / frame.length) }, () => frame));
}

async function statusOf(method: string, body: Readable): Promise<{ status: number; text: string }> {
  const response = await postRaw(`${server.baseUrl}sync/${method}`, { 'anki-sync': syncHeaderValue({ k: client.hostKey, s: 'a' }) }, body);
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  return { status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') };
}

function liveHash(): string {
  return createHash('sha1')
    .update(readFileSync(server.paths('user').collection))
    .digest('hex');
}

test('a JSON payload over 3 × MAX once decoded is a 400', async () => {
  const json = Buffer.from(JSON.stringify({ v: 11, cv: 'x'.repeat(3 * MIB + 10) }));
  await assert.rejects(client.raw('sync', 'meta', json), (error: unknown) => error instanceof SyncHttpError && error.status === 400);
});

test('a zstd bomb (256 MiB of zeros in a few KiB) is stopped at the cap: 400, and the server carries on', async () => {
  const { status } = await statusOf('meta', zstdZeros(256 * MIB));
  assert.equal(status, 400);
  assert.equal((await client.meta()).cont, true);
});

test('a compressed body over the cap is refused even when it decodes to nothing', async () => {
  const { status } = await statusOf('meta', Readable.from([skippableFrames(4 * MIB)]));
  assert.equal(status, 400);
});

test('a full upload over the limit once decoded gets 200 "collection exceeds size limit" and changes nothing', async () => {
  const before = liveHash();
  const answer = await client.raw('sync', 'upload', { stream: () => zeros(64 * MIB) });
  assert.equal(answer.toString('utf8'), 'collection exceeds size limit');
  assert.equal(liveHash(), before);
});

test('a full upload of exactly 3 × MAX is already over (the reference refuses size >= limit)', async () => {
  const before = liveHash();
  const answer = await client.raw('sync', 'upload', { stream: () => zeros(3 * MIB) });
  assert.equal(answer.toString('utf8'), 'collection exceeds size limit');
  assert.equal(liveHash(), before);
});

test('a full upload too big compressed gets the same sentence, as a v11 200 with anki-original-size', async () => {
  const before = liveHash();
  const response = await postRaw(
    `${server.baseUrl}sync/upload`,
    { 'anki-sync': syncHeaderValue({ k: client.hostKey, s: 'a' }) },
    Readable.from([skippableFrames(4 * MIB)]),
  );
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  assert.equal(response.statusCode, 200);
  const text = decompress(Buffer.concat(chunks)).toString('utf8');
  assert.equal(text, 'collection exceeds size limit');
  assert.equal(response.headers['anki-original-size'], String(text.length));
  assert.equal(liveHash(), before);
  assert.equal((await client.meta()).cont, true);
});

test('a real too-big upload still being sent when the answer comes gets the sentence, not a broken connection', async () => {
  const before = liveHash();
  // Incompressible, so the compressed body itself passes the cap while the client is still sending.
  const answer = await client.raw('sync', 'upload', randomBytes(8 * MIB));
  assert.equal(answer.toString('utf8'), 'collection exceeds size limit');
  assert.equal(liveHash(), before);
  assert.equal((await client.meta()).cont, true);
});
