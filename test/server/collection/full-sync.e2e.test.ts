// Full upload and full download through the real server and the reference
// client's v11 transport, with collections written by real Anki.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { startLoggedIn, startTestServer, type TestServer } from '../../support/test-server.js';
import { V11Client } from '../../support/v11-client.js';
import { SyncHttpError } from '../../support/v11-transport.js';
import { copyRealAnkiFixture, realAnkiFixtures } from '../../support/real-anki-fixtures.js';
import { collectionContent, colStamps, integrityCheck } from '../../support/collection-rows.js';
import { CORRUPT_MESSAGE } from '../../../src-main/server/collection/full-sync.js';
import { makeTempFolder } from '../../support/temp-folder.js';

let server: TestServer;
let client: V11Client;
before(async () => {
  ({ server, client } = await startLoggedIn());
});
after(() => server.close());

function sha1(path: string): string {
  return createHash('sha1').update(readFileSync(path)).digest('hex');
}

function secondDevice(): string {
  return join(makeTempFolder('ahs-device-'), 'collection.anki2');
}

for (const name of realAnkiFixtures(/^v(11|18)-.*\.anki2$/)) {
  test(`full upload of ${name}, then a full download on another device holds the same notes, cards and revlog`, async () => {
    const original = copyRealAnkiFixture(name);
    const before = colStamps(original);
    assert.equal(await client.fullUpload(original), 'OK');

    // The uploaded stamps are kept: the uploading device sees "no changes" next time.
    const meta = await client.meta();
    assert.equal(meta.mod, before.mod);
    assert.equal(meta.scm, before.scm);
    assert.equal(meta.usn, before.usn);
    assert.equal(meta.hostNum, 0);
    assert.equal(meta.media_usn, 0);
    assert.equal(meta.cont, true);
    assert.equal(meta.msg, '');

    assert.equal(collectionContent(server.paths('user').collection).ver, 18, 'the live collection is always schema 18');

    // The snapshot after the upload holds its read image of the file meanwhile; a download then cannot
    // checkpoint and is served from a copy (storage/collection-image.ts, download-while-read.e2e.test.ts).
    // This test is of a download alone.
    await server.server.snapshotsSettled();
    const device = secondDevice();
    await client.fullDownload(device);
    assert.deepEqual(integrityCheck(device), ['ok']);
    const got = collectionContent(device);
    assert.equal(got.ver, 18);
    const want = collectionContent(original);
    assert.deepEqual(got.notes, want.notes);
    assert.deepEqual(got.cards, want.cards);
    assert.deepEqual(got.revlog, want.revlog);
    // The reference bumps usn and mod before sending; the client then sets ls = mod.
    const after = colStamps(device);
    assert.equal(after.usn, before.usn + 1);
    assert.ok(after.mod > before.mod);
    assert.equal(after.ls, after.mod);
    assert.equal(after.scm, before.scm);
    assert.equal((await client.meta()).mod, after.mod);
    const kinds = server.activity.filter((event) => event.username === 'user').map((event) => event.kind);
    assert.ok(kinds.includes('full-upload') && kinds.includes('full-download'));
    assert.ok(!existsSync(`${server.paths('user').collection}-wal`) || readFileSync(`${server.paths('user').collection}-wal`).length === 0);
  });
}

test('meta reports whether the collection has cards, and 501 for versions outside 8..11', async () => {
  assert.equal(await client.fullUpload(copyRealAnkiFixture('v18-two-decks-16-notes.anki2')), 'OK');
  assert.equal((await client.meta()).empty, false);
  for (const version of [0, 7, 12]) {
    await assert.rejects(client.meta(version), (error: unknown) => error instanceof SyncHttpError && error.status === 501, String(version));
  }
  await assert.rejects(client.json('sync', 'meta', { v: 11 }), (error: unknown) => error instanceof SyncHttpError && error.status === 400);
});

test('meta refuses v8 clients on a v2-scheduler collection and v9 clients on new timezone handling', async () => {
  assert.equal(await client.fullUpload(copyRealAnkiFixture('v18-two-decks-16-notes.anki2')), 'OK');
  const v8 = await client.meta(8);
  assert.equal(v8.cont, false);
  assert.equal(v8.msg, 'Your client does not support the v2 scheduler');
  const v9 = await client.meta(9);
  assert.equal(v9.cont, false);
  assert.equal(v9.msg, 'Your client does not support the new timezone handling.');
  assert.equal((await client.meta(10)).cont, true);
});

for (const [label, bytes] of [
  [
    'a truncated collection',
    (): Buffer => {
      const whole = readFileSync(copyRealAnkiFixture('v18-two-decks-16-notes.anki2'));
      return whole.subarray(0, Math.floor(whole.length / 2));
    },
  ],
  ['random bytes', (): Buffer => randomBytes(70_000)],
  ['a schema-1 collection (v1-too-old)', (): Buffer => readFileSync(copyRealAnkiFixture('v1-too-old.anki2'))],
  ['an empty body', (): Buffer => Buffer.alloc(0)],
  [
    'a SQLite file that is not a collection',
    (): Buffer => {
      const path = join(makeTempFolder('ahs-'), 'x.db');
      const db = new Database(path);
      db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY); INSERT INTO notes VALUES (1);');
      db.close();
      return readFileSync(path);
    },
  ],
] as const) {
  test(`an upload of ${label} is refused with the reference's message and the old collection stays`, async () => {
    assert.equal(await client.fullUpload(copyRealAnkiFixture('v18-two-decks-16-notes.anki2')), 'OK');
    const live = server.paths('user').collection;
    const before = sha1(live);
    const answer = (await client.raw('sync', 'upload', bytes())).toString('utf8');
    assert.equal(answer, CORRUPT_MESSAGE);
    assert.equal(sha1(live), before);
    assert.deepEqual(
      readdirSync(server.paths('user').folder).filter((n) => n.startsWith('upload-')),
      [],
    );
    const device = secondDevice();
    await client.fullDownload(device);
    assert.equal(collectionContent(device).notes.length, 16);
  });
}

test('each full upload keeps the collection it replaces as a before-full-upload snapshot (issue 24)', async () => {
  const paths = server.paths('user');
  const uploaded: string[] = [];
  for (let i = 0; i < 7; i++) {
    const file = copyRealAnkiFixture('v18-two-decks-16-notes.anki2');
    // Make each upload distinguishable.
    const { openDatabase } = await import('../../../src-main/server/storage/sqlite.js');
    const db = openDatabase(file);
    db.prepare('UPDATE col SET mod = ?').run(1_800_000_000_000 + i);
    db.close();
    assert.equal(await client.fullUpload(file), 'OK');
    uploaded.push(sha1(paths.collection));
  }
  await server.server.snapshotsSettled();
  assert.ok(!existsSync(paths.backups), 'backups/ is no longer written');
  const snapshots = server.server.snapshots('user');
  const replaced = (await snapshots.list()).filter((entry) => entry.kind === 'before-full-upload');
  const kept = new Map<string, number | null>();
  for (const entry of replaced) {
    const target = join(makeTempFolder('ahs-extract-'), 'collection.anki2');
    await snapshots.extractCollection(entry.id, target);
    kept.set(sha1(target), entry.notes);
  }
  // Every collection replaced within the last day is kept (retention.ts): uploads 1..6; upload 7 is live.
  for (const hash of uploaded.slice(0, 6)) assert.equal(kept.get(hash), 16, 'kept, with its count of notes');
  assert.ok(!kept.has(uploaded[6]!));
  assert.equal(readdirSync(paths.snapshots).filter((name) => name.startsWith('.')).length, 0, 'no temporary file is left');
});

test('a collection file bigger than 3 × MAX_SYNC_PAYLOAD_MEGS makes meta force a full sync (scm = now)', async () => {
  const small = await startTestServer({ maxPayloadMegs: 1 });
  try {
    const big = copyRealAnkiFixture('v18-two-decks-16-notes.anki2');
    const { openDatabase } = await import('../../../src-main/server/storage/sqlite.js');
    const db = openDatabase(big);
    db.exec('CREATE TABLE filler (b BLOB); INSERT INTO filler VALUES (randomblob(3500000));');
    db.close();
    copyFileSync(big, small.paths('user').collection);
    const c = new V11Client(small.baseUrl);
    await c.login('user', 'pass');
    const started = Date.now();
    const meta = await c.meta();
    assert.ok(meta.scm >= started, `scm ${meta.scm} should be now`);
    assert.notEqual(meta.scm, colStamps(big).scm);
  } finally {
    await small.close();
  }
});

test('a stale WAL beside the old collection never meets the uploaded one', async () => {
  assert.equal(await client.fullUpload(copyRealAnkiFixture('v18-two-decks-16-notes.anki2')), 'OK');
  await server.server.stop();
  const live = server.paths('user').collection;
  // As if a crash had left side files behind.
  writeFileSync(`${live}-wal`, randomBytes(10_000));
  writeFileSync(`${live}-shm`, randomBytes(32_768));
  await server.server.start();
  const restarted = new V11Client(`http://127.0.0.1:${server.server.status.address!.port}/`);
  await restarted.login('user', 'pass');
  const upload = copyRealAnkiFixture('v18-empty-stock-notetypes.anki2');
  assert.equal(await restarted.fullUpload(upload), 'OK');
  assert.ok(!existsSync(`${live}-wal`));
  assert.ok(!existsSync(`${live}-shm`));
  assert.deepEqual(integrityCheck(live), ['ok']);
  assert.deepEqual(collectionContent(live).cards, collectionContent(upload).cards);
});

test('a new user gets an empty collection: mod 0 and empty, so a fresh client sees no changes and one with cards uploads', async () => {
  const fresh = await startTestServer();
  try {
    const device = new V11Client(fresh.baseUrl);
    await device.login('user', 'pass');
    const meta = await device.meta();
    assert.equal(meta.mod, 0);
    assert.equal(meta.usn, 0);
    assert.equal(meta.empty, true);
    assert.equal(meta.media_usn, 0);
    assert.equal(meta.cont, true);
    assert.ok(Math.abs(meta.ts - Date.now() / 1000) < 5);
    // Downloading it gives a sound schema-18 collection with no cards.
    const copy = secondDevice();
    await device.fullDownload(copy);
    assert.deepEqual(integrityCheck(copy), ['ok']);
    const content = collectionContent(copy);
    assert.equal(content.ver, 18);
    assert.equal(content.cards.length, 0);
  } finally {
    await fresh.close();
  }
});
