// What happens when a sync goes wrong part-way: the server's collection is
// left exactly as it was before `start`, and the next sync works (or fails
// the same way, when the client's data is at fault).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { CompressStream } from 'zstd-napi';
import { SanityCheckFailedError } from '../../../support/normal-sync-client.js';
import { HOST_KEY, SyncHarness, twoDevicesInStep } from '../../../support/normal-sync-harness.js';
import { syncHeaderValue, SyncHttpError } from '../../../support/v11-transport.js';

let harness: SyncHarness;
before(async () => {
  harness = await SyncHarness.start();
});
after(() => harness.stop());

test('a note whose notetype the server does not have: 400, rolled back, and the same again on retry', async () => {
  const { a, b } = await twoDevicesInStep(harness, { thenSync: ['a', 'b'] });
  const before = harness.serverContents();
  a.reviewCard(a.db.prepare('SELECT id FROM cards LIMIT 1').pluck().get() as number);
  const notetypeId = a.addNotetype('Only on A');
  a.addNote({ notetypeId, fields: ['front', 'back'] });
  a.db.prepare('UPDATE notetypes SET usn = 0 WHERE id = ?').run(notetypeId); // so it is not sent
  const attempt = () => harness.sync(a);
  await assert.rejects(attempt(), (error: unknown) => error instanceof SyncHttpError && error.status === 400);
  assert.deepEqual(harness.serverContents(), before);
  assert.equal((await harness.sync(b)).required.kind, 'noChanges', 'the other device sees nothing');
  await assert.rejects(attempt(), (error: unknown) => error instanceof SyncHttpError && error.status === 400);
  assert.deepEqual(harness.serverContents(), before);
  assert.equal(a.db.prepare('SELECT count() FROM cards WHERE usn = -1').pluck().get(), 2, 'A rolled back too');
});

test('a failed sanity check rolls the server back and forces a full sync', async () => {
  const { a, b } = await twoDevicesInStep(harness, { thenSync: ['a', 'b'] });
  const before = harness.serverContents();
  const deckId = a.addDeck('not sent');
  a.db.prepare('UPDATE decks SET usn = 0 WHERE id = ?').run(deckId);
  a.addNote({ fields: ['sent', 'note'] });
  await assert.rejects(harness.sync(a), SanityCheckFailedError);
  assert.deepEqual(harness.serverContents(), before);
  assert.equal((await harness.sync(b)).required.kind, 'noChanges');
  assert.deepEqual((await harness.sync(a)).required, { kind: 'fullSync', uploadOk: true, downloadOk: true });
});

/** Sends the head and part of a request body, then cuts the connection. */
function dropMidRequest(url: string, sessionKey: string, method: string): Promise<void> {
  return new Promise((resolve) => {
    const req = request(`${url}sync/${method}`, {
      method: 'POST',
      headers: { 'anki-sync': syncHeaderValue({ k: HOST_KEY, s: sessionKey }), 'content-type': 'application/octet-stream' },
    });
    req.on('error', () => resolve());
    const zstd = new CompressStream();
    zstd.on('data', (chunk: Buffer) => {
      req.write(chunk.subarray(0, Math.max(1, chunk.length >> 1)), () => {
        req.destroy();
        resolve();
      });
    });
    zstd.write(Buffer.from(`{"chunk":{"done":false,"cards":[${'0,'.repeat(5000)}`));
    zstd.flush(() => undefined);
  });
}

test('a connection dropped mid-sync, then abort: nothing is kept, and the next sync is clean', async () => {
  const { a, b } = await twoDevicesInStep(harness, { thenSync: ['a', 'b'] });
  const before = harness.serverContents();
  const notes = a.db.prepare('SELECT id FROM notes ORDER BY id').pluck().all() as number[];
  a.editNote(notes[0]!, ['changed', 'while dropping']);
  a.addDeck('during the drop');
  a.deleteNote(notes[1]!);

  // The client's side, by hand, up to the point where the link dies.
  const transport = harness.transport();
  const meta = (await transport.call('meta', { v: 11, cv: 'test' })) as { usn: number };
  const { usn: minUsn } = a.col();
  await transport.call('start', { minUsn, lnewer: true, graves: null });
  await transport.call('applyGraves', { chunk: { cards: [], notes: [notes[1]!], decks: [] } });
  await transport.call('applyChanges', { changes: { models: [], decks: [[], []], tags: ['dropped'] } });
  assert.deepEqual(await transport.call('chunk', { _pad: null }), { done: true });
  await dropMidRequest(harness.url, transport.sessionKey, 'applyChunk');
  await transport.call('abort', { _pad: null });
  assert.equal(meta.usn, harness.serverContents().col.usn);
  assert.deepEqual(harness.serverContents(), before);
  await assert.rejects(transport.call('finish', { _pad: null }), (e: unknown) => e instanceof SyncHttpError && e.status === 409);

  // The device never committed either; its next full sync attempt carries everything.
  const next = await harness.sync(a);
  assert.equal(next.required.kind, 'normalSync');
  await harness.sync(b);
  const server = harness.serverContents();
  assert.equal(server.integrity, 'ok');
  assert.ok(!(server.notes as unknown[][]).some((note) => note[0] === notes[1]));
  assert.ok(server.decks.some((deck) => deck.includes('"during the drop"')));
  assert.ok(!server.tags.includes('dropped'));
  assert.equal(b.db.prepare('SELECT flds FROM notes WHERE id = ?').pluck().get(notes[0]!), 'changed\x1fwhile dropping');
});
