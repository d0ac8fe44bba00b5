// Media batches are gathered in buffers lent by a pool and given back after the
// handler (envelope/body-buffers.ts, body-sink.ts). A buffer must never be lent
// twice at once, and a body must come out byte for byte whatever path it took:
// held in the lent buffer, moved to a larger one, or spilled to a file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { BodyBufferPool } from '../../../src-main/server/envelope/body-buffers.js';
import { openBodySink } from '../../../src-main/server/envelope/body-sink.js';
import { makeTempFolder } from '../../support/temp-folder.js';

/** Writes `data` in blocks of `size` through one reused block, as the zstd decoder hands them over. */
async function feed(sink: Awaited<ReturnType<typeof openBodySink>>, data: Buffer, size: number): Promise<void> {
  const block = Buffer.alloc(size);
  for (let offset = 0; offset < data.length; offset += size) {
    const length = data.copy(block, 0, offset, offset + size);
    await sink.write(block.subarray(0, length));
    block.fill(0xee); // the decoder overwrites its block at once
  }
}

test('a buffer given back is lent again, and never to two holders at once', () => {
  const pool = new BodyBufferPool(1024, 2);
  const first = pool.take();
  const second = pool.take();
  assert.notEqual(first.buffer, second.buffer);
  pool.giveBack(first.subarray(10, 20)); // a view of it is enough
  pool.giveBack(first); // twice: ignored
  assert.equal(pool.idleCount, 1);
  const third = pool.take();
  assert.equal(third.buffer, first.buffer);
  assert.notEqual(pool.take().buffer, first.buffer, 'the buffer given back twice went out only once');
  pool.giveBack(Buffer.alloc(1024)); // not the pool's
  assert.equal(pool.idleCount, 0);
});

test('no more buffers than asked are kept idle', () => {
  const pool = new BodyBufferPool(64, 2);
  const lent = [pool.take(), pool.take(), pool.take()];
  for (const buffer of lent) pool.giveBack(buffer);
  assert.equal(pool.idleCount, 2);
});

test('a body held in a lent buffer comes out byte for byte; its buffer goes back only when given back', async () => {
  const pool = new BodyBufferPool(1 << 16, 2);
  const data = randomBytes(50_000);
  const sink = await openBodySink({ kind: 'memory', buffers: pool });
  await feed(sink, data, 4096);
  const body = await sink.finish();
  assert.equal(body.kind, 'buffer');
  if (body.kind !== 'buffer') return;
  assert.deepEqual(body.data, data);
  await sink.abandon(); // after finish: the body is the caller's, nothing goes back yet
  assert.equal(pool.idleCount, 0);
  pool.giveBack(body.data);
  assert.equal(pool.idleCount, 1);

  // The next body reuses the buffer; a shorter one must not carry the last one's tail.
  const shorter = randomBytes(1000);
  const next = await openBodySink({ kind: 'memory', buffers: pool });
  await feed(next, shorter, 300);
  const nextBody = await next.finish();
  assert.ok(nextBody.kind === 'buffer' && nextBody.data.equals(shorter));
});

test('a body larger than the lent buffer moves to one of its own, and the lent one goes back at once', async () => {
  const pool = new BodyBufferPool(10_000, 2);
  const data = randomBytes(35_000);
  const sink = await openBodySink({ kind: 'memory', buffers: pool });
  await feed(sink, data, 3000);
  assert.equal(pool.idleCount, 1);
  const body = await sink.finish();
  assert.ok(body.kind === 'buffer' && body.data.equals(data));
});

test('a body past the spill size moves to its file whole, and the lent buffer goes back', async (t) => {
  const folder = makeTempFolder('ahs-body-buffers-');
  t.after(() => rmSync(folder, { recursive: true, force: true }));
  const pool = new BodyBufferPool(1 << 16, 2);
  const data = randomBytes(200_000);
  const path = join(folder, 'spooled');
  const sink = await openBodySink({ kind: 'memory', buffers: pool, spill: { atBytes: 40_000, path: () => path } });
  await feed(sink, data, 7000);
  assert.equal(pool.idleCount, 1);
  const body = await sink.finish();
  assert.deepEqual(body, { kind: 'file', path, size: data.length });
  assert.ok(readFileSync(path).equals(data));
});

test('an abandoned body gives its lent buffer back', async () => {
  const pool = new BodyBufferPool(1 << 16, 2);
  const sink = await openBodySink({ kind: 'memory', buffers: pool, spill: { atBytes: 1 << 15, path: () => '/nonexistent/never-used' } });
  await feed(sink, randomBytes(5000), 1000);
  await sink.abandon();
  assert.equal(pool.idleCount, 1);
});
