// The controller with devices syncing: figures and activity after a full
// upload, snapshots restored while the server runs, and account changes that
// leave another user's sync in progress untouched.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { dirname, join } from 'node:path';
import { CompressStream, DecompressStream } from 'zstd-napi';
import { openDatabase } from '../../src-main/server/storage/sqlite.js';
import { copyRealAnkiFixture } from '../support/real-anki-fixtures.js';
import { V11Client } from '../support/v11-client.js';
import { syncHeaderValue } from '../support/v11-transport.js';
import { createTestApp } from '../support/controller-harness.js';
import { hostKeyLogin } from '../support/host-key-login.js';
import { eventually } from '../support/attacks.js';

function fixture(t: { after(fn: () => void): void }, name: string): string {
  const path = copyRealAnkiFixture(name);
  t.after(() => rmSync(dirname(path), { recursive: true, force: true }));
  return path;
}

function countRows(path: string): { notes: number; cards: number } {
  const db = openDatabase(path, { readonly: true, fileMustExist: true });
  try {
    return {
      notes: (db.prepare('SELECT count(*) AS n FROM notes').get() as { n: number }).n,
      cards: (db.prepare('SELECT count(*) AS n FROM cards').get() as { n: number }).n,
    };
  } finally {
    db.close();
  }
}

test('after a full upload the window shows the figures, the sync and a snapshot that restores while running, and can be undone', async (t) => {
  const app = await createTestApp(t);
  await app.controller.addUser('alice', 'pw');
  const device = new V11Client(app.base());
  await device.login('alice', 'pw');
  const studied = fixture(t, 'v18-two-decks-16-notes.anki2');
  const expected = countRows(studied);

  assert.equal(await device.fullUpload(studied), 'OK');
  let [alice] = (await app.controller.state()).users;
  assert.equal(alice!.notes, expected.notes);
  assert.equal(alice!.cards, expected.cards);
  assert.ok(alice!.collectionBytes > 0);
  assert.equal(alice!.lastSync?.clientIp, '127.0.0.1');
  const activity = (await app.controller.state()).activity.map((e) => e.message);
  assert.ok(
    activity.includes("alice's collection was replaced by a full upload from 127.0.0.1. The previous copy is kept: see Snapshots."),
    activity.join('\n'),
  );

  // Media figures come from the media folder, as media sync leaves it.
  writeFileSync(join(app.storage, 'alice', 'media', 'cat.jpg'), Buffer.alloc(3000, 1));
  [alice] = (await app.controller.state()).users;
  assert.deepEqual([alice!.mediaFiles, alice!.mediaBytes], [1, 3000]);

  // A stale device replaces it with an empty collection: the 16 notes are kept as a snapshot.
  assert.equal(await device.fullUpload(fixture(t, 'v18-empty-stock-notetypes.anki2')), 'OK');
  [alice] = (await app.controller.state()).users;
  assert.equal(alice!.notes, 0);
  const kept = alice!.snapshots.find((s) => s.kind === 'before-full-upload');
  assert.ok(kept, `the replaced collection is listed: ${JSON.stringify(alice!.snapshots)}`);
  assert.equal(kept.notes, expected.notes);
  assert.ok(alice!.snapshotBytes >= kept.bytes);

  const before = await device.meta();
  await app.controller.restoreSnapshot('alice', kept.id);
  [alice] = (await app.controller.state()).users;
  assert.equal(alice!.notes, expected.notes);
  assert.equal(app.controller.serverStatus.state, 'running');
  const restored = (await app.controller.state()).activity.map((e) => e.message);
  assert.ok(
    restored.some((m) => /^alice's collection was restored to its snapshot of .+ choose Download on each\./.test(m)),
    restored.join('\n'),
  );
  // The empty collection it replaced is a snapshot too: the restore can be undone.
  const undo = alice!.snapshots.find((s) => s.kind === 'before-restore');
  assert.ok(undo, 'the restore kept what it replaced');
  assert.equal(undo.notes, 0);

  // The device is told to sync in full, and downloads the restored notes.
  const after = await device.meta();
  assert.notEqual(after.scm, before.scm);
  const local = join(app.folder, 'device.anki2');
  await device.fullDownload(local);
  assert.deepEqual(countRows(local), expected);
});

test("changing accounts does not interrupt another user's upload in progress", async (t) => {
  const app = await createTestApp(t);
  await app.controller.addUser('alice', 'pw-alice');
  await app.controller.addUser('bob', 'pw-bob');
  const alice = new V11Client(app.base());
  await alice.login('alice', 'pw-alice');
  const sent = fixture(t, 'v18-two-decks-16-notes.anki2');
  const collection = readFileSync(sent);
  const half = Math.floor(collection.length / 2);

  // The upload sends half its bytes and waits while accounts change, then sends the rest.
  // The half is flushed out of zstd and seen arriving at the server before anything changes:
  // a request whose bytes were still in the client's compressor used to meet the server's
  // keep-alive close on a loaded machine (socket hang up), which this test is not about.
  const req = request(`${app.base()}sync/upload`, {
    method: 'POST',
    headers: { 'anki-sync': syncHeaderValue({ k: alice.hostKey, s: 'x' }), 'content-type': 'application/octet-stream' },
  });
  const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      const decoded = res.pipe(new DecompressStream());
      decoded.on('data', (chunk: Buffer) => chunks.push(chunk));
      decoded.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      decoded.on('error', reject);
    });
    req.on('error', reject);
  });
  const body = new CompressStream();
  body.pipe(req);
  body.write(collection.subarray(0, half));
  body.flush();
  const folder = join(app.storage, 'alice');
  const spooling = (): boolean => existsSync(folder) && readdirSync(folder).some((name) => name.startsWith('upload-'));
  await eventually(spooling, "alice's upload is being received");

  await app.controller.addUser('carol', 'pw-carol');
  await app.controller.changePassword('bob', 'new-bob');
  await app.controller.renameUser('carol', 'caroline');
  assert.equal((await hostKeyLogin(app.base(), 'caroline', 'pw-carol')).status, 200);
  body.end(collection.subarray(half));

  assert.deepEqual(await answer, { status: 200, text: 'OK' });
  assert.deepEqual((await app.controller.state()).users.find((u) => u.name === 'alice')!.notes, countRows(sent).notes);
});

test('renaming an account while its upload is arriving: the upload is refused and nothing reappears under the old name', async (t) => {
  const app = await createTestApp(t);
  await app.controller.addUser('carol', 'pw-carol');
  const carol = new V11Client(app.base());
  await carol.login('carol', 'pw-carol');
  const studied = fixture(t, 'v18-two-decks-16-notes.anki2');
  assert.equal(await carol.fullUpload(studied), 'OK');

  // A second upload, authenticated as carol, sends part of its body and waits while she is renamed.
  const replacement = readFileSync(fixture(t, 'v18-empty-stock-notetypes.anki2'));
  const req = request(`${app.base()}sync/upload`, {
    method: 'POST',
    headers: { 'anki-sync': syncHeaderValue({ k: carol.hostKey, s: 'x' }), 'content-type': 'application/octet-stream' },
  });
  const status = new Promise<number>((resolve, reject) => {
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
  });
  const body = new CompressStream();
  body.pipe(req);
  body.write(replacement.subarray(0, 50_000));
  body.flush();
  // The server has taken the request in: its body is being spooled into carol's folder.
  const folder = join(app.storage, 'carol');
  const spooling = (): boolean => existsSync(folder) && readdirSync(folder).some((name) => name.startsWith('upload-'));
  for (let i = 0; i < 300 && !spooling(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.ok(spooling(), 'the upload is being received');

  await app.controller.renameUser('carol', 'caroline');
  body.end(replacement.subarray(50_000));
  assert.equal(await status, 403);

  assert.equal(existsSync(folder), false, 'the old folder is not recreated');
  const caroline = (await app.controller.state()).users.find((u) => u.name === 'caroline')!;
  assert.equal(caroline.notes, countRows(studied).notes, 'the renamed account keeps the first upload');
});
