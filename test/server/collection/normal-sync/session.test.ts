// The session rules around the stateful methods (docs/protocol/collection-sync.md §2.3,
// §2.6, and §8 scenarios 3, 4 and 10): which key owns the sync, what cancels
// it, and what each refusal looks like on the wire.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { HOST_KEY, SyncHarness, twoDevicesInStep } from '../../../support/normal-sync-harness.js';
import { SyncHttpError, v11Request } from '../../../support/v11-transport.js';

let harness: SyncHarness;
before(async () => {
  harness = await SyncHarness.start();
  await twoDevicesInStep(harness);
});
after(() => harness.stop());

const status = (code: number) => (error: unknown) => error instanceof SyncHttpError && error.status === code;
const START = { minUsn: 0, lnewer: false, graves: null };
const NO_GRAVES = { chunk: { cards: [], decks: [], notes: [] } };

test('aborting is idempotent, whatever the key (scenario 3)', async () => {
  const one = harness.transport();
  assert.equal(await one.call('abort', { _pad: null }), null);
  await one.call('start', START);
  assert.equal(await harness.transport('other').call('abort', { _pad: null }), null);
  assert.equal(await one.call('abort', { _pad: null }), null);
  await assert.rejects(one.call('applyGraves', NO_GRAVES), status(409));
});

test('a new start cancels the old session; full upload and download end a session (scenario 4)', async () => {
  const first = harness.transport('A');
  const second = harness.transport('1');
  await first.call('start', START);
  await second.call('start', START);
  await assert.rejects(first.call('applyGraves', NO_GRAVES), status(409));
  assert.equal(await second.call('applyGraves', NO_GRAVES), null);

  const uploader = harness.device();
  assert.equal(await harness.fullUpload(uploader), 'OK');
  await assert.rejects(second.call('applyGraves', NO_GRAVES), status(409));

  await second.call('start', START);
  await harness.fullDownload(harness.device());
  await assert.rejects(second.call('applyGraves', NO_GRAVES), status(409));
});

test('meta during a session cancels it', async () => {
  const client = harness.transport();
  await client.call('start', START);
  await harness.transport().call('meta', { v: 11, cv: 'another device' });
  await assert.rejects(client.call('chunk', { _pad: null }), status(409));
});

test('string grave ids and a missing graves key are accepted by start (scenario 10)', async () => {
  const client = harness.transport();
  const graves = await client.call('start', { minUsn: 0, lnewer: false, graves: { cards: ['1'], decks: ['2', '3'], notes: ['4'] } });
  assert.deepEqual(Object.keys(graves as object).sort(), ['cards', 'decks', 'notes']);
  await client.call('abort', { _pad: null });
  await client.call('start', { minUsn: 0, lnewer: false });
  await client.call('abort', { _pad: null });
});

test('legacy graves in start are applied after the server graves were gathered', async () => {
  const client = harness.transport();
  const { usn } = (await client.call('meta', { v: 11, cv: '' })) as { usn: number };
  const graves = await client.call('start', { minUsn: usn, lnewer: false, graves: { cards: [111], decks: [], notes: [222] } });
  assert.deepEqual(graves, { cards: [], decks: [], notes: [] }, 'the client does not get its own deletions back');
  await client.call('abort', { _pad: null });
});

test('a missing session key is a 400, an unknown one a 409', async () => {
  const url = `${harness.url}sync/applyGraves`;
  await assert.rejects(v11Request(url, { k: HOST_KEY, s: '' }, JSON.stringify(NO_GRAVES)), status(400));
  await assert.rejects(v11Request(url, { k: HOST_KEY, s: 'nobody' }, JSON.stringify(NO_GRAVES)), status(409));
  await assert.rejects(v11Request(`${harness.url}sync/start`, { k: HOST_KEY, s: '' }, JSON.stringify(START)), status(400));
});

test('garbage in a step is a 400 that ends the session (the reference keeps it; its client aborts anyway); so does a failing step', async () => {
  const client = harness.transport();
  await client.call('start', START);
  await assert.rejects(client.call('applyChunk', { chunk: { done: true, cards: [[1, 2, 3]] } }), status(400));
  await assert.rejects(client.call('applyGraves', NO_GRAVES), status(409), 'the malformed step dropped the session');
  await client.call('start', START);
  await assert.rejects(
    client.call('applyChunk', { chunk: { done: true, notes: [[9, 'g', 404, 1, 0, '', 'a', '', '', 0, '']] } }),
    status(400),
  );
  await assert.rejects(client.call('applyGraves', NO_GRAVES), status(409), 'the failed step dropped the session');
});

test('the other user-facing replies: graves, null, chunk shape, sanity and finish', async () => {
  const client = harness.transport();
  const { usn, mod } = (await client.call('meta', { v: 11, cv: '' })) as { usn: number; mod: number };
  assert.deepEqual(await client.call('start', { minUsn: usn, lnewer: false, graves: null }), { cards: [], decks: [], notes: [] });
  const changes = (await client.call('applyChanges', { changes: { models: [], decks: [[], []], tags: [] } })) as Record<string, unknown>;
  assert.deepEqual(Object.keys(changes).sort(), ['conf', 'crt', 'decks', 'models', 'tags'], 'the server is newer: it sends conf and crt');
  assert.deepEqual(await client.call('chunk', {}), { done: true });
  assert.equal(await client.call('applyChunk', { chunk: { done: true } }), null);
  const server = harness.serverContents();
  const counts = [
    [0, 0, 0],
    server.cards.length,
    server.notes.length,
    server.revlog.length,
    0,
    server.notetypes.length,
    server.decks.length,
    server.deckConfigs.length,
  ];
  const sanity = (await client.call('sanityCheck2', { client: counts })) as { status: string };
  assert.equal(sanity.status, 'ok');
  const finished = (await client.call('finish', { _pad: null })) as number;
  assert.ok(finished > mod);
  const after = harness.serverContents().col;
  assert.deepEqual([after.mod, after.ls, after.usn], [finished, finished, usn + 1]);
  const event = harness.server.activity.at(-1);
  assert.equal(event?.kind, 'normal-sync');
  assert.equal(event?.detail, '0 changes from the device, 0 to it');
});

test('a row stored with usn -1 makes the server refuse its counts; the sync is then rolled back', async () => {
  const client = harness.transport();
  const { usn } = (await client.call('meta', { v: 11, cv: '' })) as { usn: number };
  const before = harness.serverContents();
  await client.call('start', { minUsn: usn, lnewer: false, graves: null });
  await client.call('applyChunk', { chunk: { done: true, revlog: [[42, 43, -1, 3, 1, 0, 2500, 1000, 1]] } });
  const counts = [[1, 2, 3], 0, 0, 0, 0, 0, 0, 0];
  assert.deepEqual(await client.call('sanityCheck2', { client: counts }), { status: 'bad', c: counts, s: null });
  assert.deepEqual(harness.serverContents(), before, 'rolled back at once, before the client aborts');
  await assert.rejects(client.call('finish', { _pad: null }), status(400));
  await assert.rejects(client.call('finish', { _pad: null }), status(409));
});
