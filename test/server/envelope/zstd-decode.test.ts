import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { compress } from 'zstd-napi';
import { decodeZstdStream } from '../../../src-main/server/envelope/zstd-decode.js';
import { BadRequestError } from '../../../src-main/server/errors.js';

const caps = { maxCompressedBytes: 1 << 20, maxDecodedBytes: 1 << 20 };

async function* pieces(data: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

async function decodeAll(data: Buffer, size = 7, limits = caps): Promise<{ outcome: unknown; out: Buffer }> {
  const blocks: Buffer[] = [];
  const outcome = await decodeZstdStream(pieces(data, size), (block) => void blocks.push(Buffer.from(block)), limits);
  return { outcome, out: Buffer.concat(blocks) };
}

test('decodes a stream split anywhere, across several frames', async () => {
  const a = randomBytes(100_000);
  const b = Buffer.from('x'.repeat(300_000));
  const { outcome, out } = await decodeAll(Buffer.concat([compress(a), compress(b)]), 1000);
  assert.deepEqual(out, Buffer.concat([a, b]));
  assert.equal((outcome as { kind: string }).kind, 'complete');
});

test('an empty body decodes to an empty payload', async () => {
  const { out } = await decodeAll(Buffer.alloc(0));
  assert.equal(out.length, 0);
});

test('garbage, and a stream that stops inside a frame, are 400s', async () => {
  await assert.rejects(decodeAll(Buffer.from('definitely not zstd')), BadRequestError);
  const whole = compress(randomBytes(50_000));
  await assert.rejects(decodeAll(whole.subarray(0, whole.length - 1)), BadRequestError);
});

test('decoding stops as soon as either cap is passed', async () => {
  const bomb = compress(Buffer.alloc(64 << 20));
  const blocks: number[] = [];
  const outcome = await decodeZstdStream(pieces(bomb, 1 << 16), (block) => void blocks.push(block.length), caps);
  assert.deepEqual(outcome, { kind: 'over-limit', which: 'decoded' });
  assert.ok(blocks.reduce((a, b) => a + b, 0) <= caps.maxDecodedBytes);

  const big = compress(randomBytes(2 << 20));
  assert.deepEqual((await decodeAll(big, 1 << 16)).outcome, { kind: 'over-limit', which: 'compressed' });
});

test('a request that stopped mid-frame leaves nothing behind for the next one', async () => {
  // Decoding contexts are reused between requests; each of these stops inside a frame.
  const bomb = compress(Buffer.alloc(64 << 20));
  assert.deepEqual((await decodeAll(bomb, 1 << 16)).outcome, { kind: 'over-limit', which: 'decoded' });
  const whole = compress(randomBytes(50_000));
  await assert.rejects(decodeAll(whole.subarray(0, whole.length - 1)), BadRequestError);
  await assert.rejects(decodeAll(Buffer.from('definitely not zstd')), BadRequestError);

  const next = Buffer.from('the next request\n'.repeat(10_000));
  const { outcome, out } = await decodeAll(compress(next), 4096);
  assert.equal((outcome as { kind: string }).kind, 'complete');
  assert.deepEqual(out, next);
});
