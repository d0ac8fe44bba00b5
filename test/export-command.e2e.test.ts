// `anki-home-sync export USER FILE.colpkg [--legacy]` as a user runs it: a child
// process with SYNC_BASE, with no server running and while one serves the
// account; the package read back by our own reader.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MediaDatabase } from '../src-main/server/media/database/media-database.js';
import { userPaths } from '../src-main/server/storage/user-paths.js';
import { readColpkg } from './support/colpkg-reader.js';
import { collectionContent, integrityCheck } from './support/collection-rows.js';
import { REAL_ANKI_FIXTURES } from './support/real-anki-fixtures.js';
import { makeTempFolder } from './support/temp-folder.js';
import { plainUser, startTestServer } from './support/test-server.js';
import { V11Client } from './support/v11-client.js';

const BIN = fileURLToPath(new URL('../../bin/anki-home-sync.js', import.meta.url));
const FIXTURE = join(REAL_ANKI_FIXTURES, 'v18-two-decks-16-notes.anki2');

function runExport(base: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'export', ...args], {
      env: { PATH: process.env['PATH'] ?? '', SYNC_BASE: base },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** An account folder as a server leaves it: the collection, media files, and media.db listing them. */
function accountOnDisk(base: string, user: string): Map<string, Buffer> {
  const paths = userPaths(base, user);
  mkdirSync(paths.mediaFolder, { recursive: true });
  copyFileSync(FIXTURE, paths.collection);
  const media = new Map([
    ['heart.png', Buffer.from('not really a png, but bytes all the same')],
    ['voix française.mp3', Buffer.alloc(70_000, 7)],
  ]);
  const db = MediaDatabase.open(paths.mediaDb);
  for (const [name, data] of media) {
    writeFileSync(join(paths.mediaFolder, name), data);
    db.putEntry({ fname: name, csum: Buffer.alloc(20, 3), size: data.length, usn: 1, mtime: 1 });
  }
  db.close();
  return media;
}

test('export without a server: the package holds the collection and every media file; --legacy writes Legacy1', async () => {
  const base = makeTempFolder('ahs-export-cli-');
  const media = accountOnDisk(base, 'alice');
  const out = join(makeTempFolder('ahs-export-cli-out-'), 'alice.colpkg');
  const run = await runExport(base, ['alice', out]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^Wrote alice's collection to .*alice\.colpkg \(.+\): 16 notes, 16 cards, 2 media files\.\n/);
  assert.match(run.stdout, /Anki 2\.1\.50 or later with File → Import; it replaces the collection there\./);
  const read = await readColpkg(out, makeTempFolder('ahs-export-cli-read-'));
  assert.equal(read.version, 3);
  assert.deepEqual(integrityCheck(read.collectionFile), ['ok']);
  assert.equal(collectionContent(read.collectionFile).notes.length, 16);
  assert.deepEqual(new Map(read.media.map((file) => [file.name, file.data])), media);
  assert.equal(statSync(out).mode & 0o777, 0o644);

  const legacyOut = join(makeTempFolder('ahs-export-cli-out-'), 'alice-old.colpkg');
  const legacy = await runExport(base, ['alice', legacyOut, '--legacy']);
  assert.equal(legacy.code, 0, legacy.stderr);
  assert.match(legacy.stdout, /Open it in Anki \(any version\)/);
  const legacyRead = await readColpkg(legacyOut, makeTempFolder('ahs-export-cli-read-'));
  assert.equal(legacyRead.version, 1);
  assert.equal(collectionContent(legacyRead.collectionFile).ver, 11);
});

test('export while a server serves the account: it reads beside it, and the server goes on syncing', async (t) => {
  const server = await startTestServer({ users: [plainUser('alice', 'pw')] });
  t.after(() => server.close());
  const client = new V11Client(server.baseUrl);
  await client.login('alice', 'pw');
  const device = join(makeTempFolder('ahs-export-cli-device-'), 'device.anki2');
  copyFileSync(FIXTURE, device);
  assert.equal(await client.fullUpload(device), 'OK');

  const out = join(makeTempFolder('ahs-export-cli-out-'), 'live.colpkg');
  const run = await runExport(server.baseFolder, ['alice', out]);
  assert.equal(run.code, 0, run.stderr);
  const read = await readColpkg(out, makeTempFolder('ahs-export-cli-read-'));
  assert.deepEqual(integrityCheck(read.collectionFile), ['ok']);
  assert.equal(collectionContent(read.collectionFile).notes.length, 16);
  // The server still serves the account.
  const back = join(makeTempFolder('ahs-export-cli-device-'), 'back.anki2');
  await client.fullDownload(back);
  assert.equal(collectionContent(back).notes.length, 16);
});

test('export says what is wrong in a sentence and exits 1', async () => {
  const base = makeTempFolder('ahs-export-cli-');
  accountOnDisk(base, 'alice');
  const out = join(makeTempFolder('ahs-export-cli-out-'), 'x.colpkg');
  const cases: [string[], RegExp][] = [
    [['bob', out], /^anki-home-sync: There is no account named bob in .*\. Check the name, and SYNC_BASE\.\n$/],
    [['alice'], /^anki-home-sync: usage: anki-home-sync export USER FILE\.colpkg \[--legacy\]\n$/],
    [['alice', out, '--zip'], /^anki-home-sync: unknown option "--zip"\n/],
    [['../alice', out], /cannot be an account name/],
    [['alice', join(base, 'no-such-folder', 'x.colpkg')], /does not exist\. Choose an existing folder\./],
  ];
  for (const [args, said] of cases) {
    const run = await runExport(base, args);
    assert.equal(run.code, 1, args.join(' '));
    assert.match(run.stderr, said);
    assert.equal(run.stdout, '');
  }
});
