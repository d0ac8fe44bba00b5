// Live progress from the real server: a full upload's bytes as they arrive, a
// full download's bytes against its size, a normal sync's steps and a media
// sync's files, each ending with one `finished` event, and never more than a
// few events a second per sync.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Compressor } from 'zstd-napi';
import type { SyncProgress } from '../../../src-main/server/report/sync-progress.js';
import { parseJson, stringifyJson } from '../../../src-main/server/json.js';
import { startTestServer } from '../../support/test-server.js';
import { V11Client } from '../../support/v11-client.js';
import { postRaw, syncHeaderValue } from '../../support/v11-transport.js';
import { TestDevice } from '../../support/test-device.js';
import { REAL_ANKI_FIXTURES } from '../../support/fixture-paths.js';
import { makeTempFolder } from '../../support/temp-folder.js';
import { runNormalSync } from '../../support/normal-sync-client.js';
import { createMediaDevice, v11MediaTransport } from '../../support/media-server.js';

/** A real collection made large with a note of random text, so that it takes a while to send. */
function bigCollection(folder: string): string {
  const path = join(folder, 'big.anki2');
  copyFileSync(join(REAL_ANKI_FIXTURES, 'v18-two-decks-16-notes.anki2'), path);
  const device = new TestDevice(path);
  device.addNote({ fields: [randomBytes(3 * 1024 * 1024).toString('base64'), 'back'] });
  device.beforeUpload();
  device.close();
  return path;
}

/** Sends `data` in pieces with pauses, as a slow Wi-Fi link would. */
function trickle(data: Buffer, pieces: number, pauseMs: number): Readable {
  const size = Math.ceil(data.length / pieces);
  return Readable.from(
    (async function* () {
      for (let at = 0; at < data.length; at += size) {
        yield data.subarray(at, at + size);
        await sleep(pauseMs);
      }
    })(),
  );
}

function assertThrottled(events: readonly SyncProgress[], ms: number): void {
  // One at the start, one at the end, and at most one per 250 ms between.
  assert.ok(events.length <= Math.ceil(ms / 250) + 3, `${events.length} events in ${ms} ms`);
}

test('full upload and download: bytes so far against the size, then one finished event', { timeout: 60_000 }, async (t) => {
  const server = await startTestServer();
  const folder = makeTempFolder('ahs-progress-');
  t.after(async () => {
    await server.close();
    rmSync(folder, { recursive: true, force: true });
  });
  const events: SyncProgress[] = [];
  server.server.on('progress', (progress) => events.push(progress));
  const client = new V11Client(server.baseUrl);
  await client.login('user', 'pass');

  // An upload whose length is declared: "45 of 120 MB".
  const path = bigCollection(folder);
  const compressed = new Compressor().compress(readFileSync(path));
  const started = Date.now();
  const response = await postRaw(
    client.url('sync', 'upload'),
    { 'anki-sync': syncHeaderValue({ k: client.hostKey, s: client.sessionKey }), 'content-length': String(compressed.length) },
    trickle(compressed, 20, 75),
  );
  response.resume();
  assert.equal(response.statusCode, 200);
  await new Promise((resolve) => response.on('end', resolve));
  const upload = events.filter((e) => e.kind === 'full-upload');
  assertThrottled(upload, Date.now() - started);
  assert.ok(
    upload.every((e) => e.username === 'user' && e.clientIp === '127.0.0.1' && e.total === compressed.length),
    'every event names the account and the declared length',
  );
  const between = upload.filter((e) => !e.finished && e.done > 0 && e.done < compressed.length);
  assert.ok(between.length >= 2, `progress while the body arrives: ${upload.map((e) => e.done).join(', ')}`);
  const dones = upload.map((e) => e.done);
  assert.deepEqual(
    dones,
    [...dones].sort((a, b) => a - b),
    'bytes only grow',
  );
  assert.deepEqual(
    upload.filter((e) => e.finished).map((e) => e.done),
    [compressed.length],
    'one finished event, at the whole',
  );
  assert.deepEqual(server.server.syncing(), []);

  // A chunked upload (as real v11 clients send): bytes so far, no total.
  events.length = 0;
  assert.equal(await client.fullUpload(path), 'OK');
  const chunked = events.filter((e) => e.kind === 'full-upload');
  assert.ok(chunked.length >= 2 && chunked.every((e) => e.total === null));
  assert.equal(chunked.at(-1)?.finished, true);

  // A download counts the collection's bytes against its size (anki-original-size).
  events.length = 0;
  const size = statSync(server.paths('user').collection).size;
  await client.fullDownload(join(folder, 'downloaded.anki2'));
  const download = events.filter((e) => e.kind === 'full-download');
  assert.ok(download.length >= 2, 'a start and an end');
  const last = download.at(-1)!;
  assert.equal(last.finished, true);
  assert.ok(last.total !== null && last.total >= size - 65536, `total ${last.total} ≈ the collection's ${size} bytes`);
  assert.equal(last.done, last.total);
});

test('a normal sync reports its steps; a media sync its files; each ends once', { timeout: 60_000 }, async (t) => {
  const server = await startTestServer();
  const folder = makeTempFolder('ahs-progress-');
  const media = createMediaDevice(v11MediaTransport(server.baseUrl, ''), 'ahs-progress-media-');
  t.after(async () => {
    media.remove();
    await server.close();
    rmSync(folder, { recursive: true, force: true });
  });
  const events: SyncProgress[] = [];
  server.server.on('progress', (progress) => events.push(progress));
  const client = new V11Client(server.baseUrl);
  const hostKey = await client.login('user', 'pass');

  const path = join(folder, 'c.anki2');
  copyFileSync(join(REAL_ANKI_FIXTURES, 'v18-two-decks-16-notes.anki2'), path);
  const device = new TestDevice(path);
  device.beforeUpload();
  device.close();
  assert.equal(await client.fullUpload(path), 'OK');
  const synced = new TestDevice(path);
  t.after(() => synced.close());
  synced.addNote({ fields: ['new', 'note'] });
  events.length = 0;
  const result = await runNormalSync(synced.db, {
    call: async (method, body) => parseJson((await client.raw('sync', method, stringifyJson(body))).toString('utf8')),
  });
  assert.equal(result.required.kind, 'normalSync');
  const normal = events.filter((e) => e.kind === 'normal-sync');
  assert.equal(normal[0]?.step, 'start', 'the first step is shown at once');
  assert.equal(normal.filter((e) => e.finished).length, 1);
  assert.equal(normal.at(-1)?.finished, true);
  assert.equal(normal.at(-1)?.step, 'finish');
  assert.equal(
    events.some((e) => e.step === 'meta'),
    false,
    'meta alone is not a sync',
  );

  events.length = 0;
  media.withTransport(v11MediaTransport(server.baseUrl, hostKey));
  for (let i = 0; i < 5; i++) media.addFile(`f${i}.txt`, `file ${i}`);
  await media.sync();
  const moved = events.filter((e) => e.kind === 'media-sync');
  assert.equal(moved.at(-1)?.finished, true);
  assert.equal(moved.at(-1)?.step, 'mediaSanity');
  assert.equal(moved.at(-1)?.done, 5, 'files moved');
  assert.deepEqual(server.server.syncing(), []);
});

test('a sync abandoned half-way ends by itself once it has been quiet long enough', { timeout: 30_000 }, async () => {
  const { SyncProgressTracker } = await import('../../../src-main/server/report/sync-progress.js');
  const server = await startTestServer();
  try {
    const events: SyncProgress[] = [];
    // The server's own tracker waits 60 s; this one, fed by the same requests, 300 ms.
    const tracker = new SyncProgressTracker({ emit: (e) => events.push(e), quietMs: 300 });
    const { createServer } = await import('node:http');
    const probe = createServer((req, res) => {
      const request = tracker.request('alice', '127.0.0.1', 'sync', 'start', req);
      res.end();
      request.end(true);
    });
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as { port: number }).port;
    await fetch(`http://127.0.0.1:${port}/`);
    assert.deepEqual(tracker.syncing(), ['alice']);
    await sleep(600);
    assert.deepEqual(tracker.syncing(), []);
    assert.equal(events.at(-1)?.finished, true);
    await new Promise((resolve) => probe.close(resolve));
  } finally {
    await server.close();
  }
});
