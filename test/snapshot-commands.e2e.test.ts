// `anki-home-sync snapshots list|take|restore` and `export --snapshot`, run as a
// user runs them (child processes, the official variables), once with the
// server running (through its control socket) and once with none (on the
// files). A restore while a device is in the middle of a normal sync waits for
// the account's lock, and the device is then asked to sync in full and gets the
// snapshot's notes.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { V11Client, type SyncMeta } from './support/v11-client.js';
import { copyRealAnkiFixture } from './support/real-anki-fixtures.js';
import { makeTempFolder } from './support/temp-folder.js';
import { notesIn } from './support/collection-counts.js';

const BIN = fileURLToPath(new URL('../../bin/anki-home-sync.js', import.meta.url));
const skip = process.platform === 'win32' ? 'the control socket is a Unix socket' : false;

interface Ran {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function env(base: string): Record<string, string> {
  return {
    PATH: process.env['PATH'] ?? '',
    SYNC_USER1: 'alice:pw',
    SYNC_HOST: '127.0.0.1',
    SYNC_PORT: '0',
    SYNC_BASE: base,
    SYNC_SNAPSHOT_MINUTES: '0',
  };
}

/** One command to its end. */
function command(base: string, args: string[]): Promise<Ran> {
  return new Promise((resolve) => {
    // Only SYNC_BASE matters to these commands: no accounts given, as `docker exec` may run them.
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { PATH: process.env['PATH'] ?? '', SYNC_BASE: base },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const deadline = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('exit', (code) => {
      clearTimeout(deadline);
      resolve({ code, stdout, stderr });
    });
  });
}

interface Server {
  readonly child: ChildProcess;
  readonly url: string;
  readonly exited: Promise<void>;
  stop(): Promise<void>;
}

async function startServer(t: TestContext, base: string): Promise<Server> {
  const child = spawn(process.execPath, [BIN], { env: env(base), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    const match = /listening on 127\.0\.0\.1:(\d+)/.exec(output);
    if (match) {
      return {
        child,
        url: `http://127.0.0.1:${match[1]}/`,
        exited,
        stop: async () => {
          child.kill('SIGTERM');
          await exited;
        },
      };
    }
    if (child.exitCode !== null || Date.now() > deadline) assert.fail(`the server did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function fixture(t: TestContext, name: string): string {
  const path = copyRealAnkiFixture(name);
  t.after(() => rmSync(dirname(path), { recursive: true, force: true }));
  return path;
}

/** The ID of the listed snapshot whose line matches `line`. */
function idOf(listing: string, line: RegExp): string {
  const found = listing.split('\n').find((l) => line.test(l));
  assert.ok(found, `no snapshot line matching ${line} in:\n${listing}`);
  return found.trim().split(/\s+/)[0]!;
}

/** alice with 16 notes uploaded, then replaced by an empty collection: the 16 notes are a snapshot. */
async function aliceWithReplacedCollection(t: TestContext, server: Server): Promise<V11Client> {
  const device = new V11Client(server.url);
  await device.login('alice', 'pw');
  assert.equal(await device.fullUpload(fixture(t, 'v18-two-decks-16-notes.anki2')), 'OK');
  assert.equal(await device.fullUpload(fixture(t, 'v18-empty-stock-notetypes.anki2')), 'OK');
  return device;
}

async function downloadedNotes(t: TestContext, device: V11Client): Promise<number> {
  const folder = makeTempFolder('ahs-snapcli-device-');
  t.after(() => rmSync(folder, { recursive: true, force: true }));
  const local = join(folder, 'collection.anki2');
  await device.fullDownload(local);
  return notesIn(local);
}

test(
  'with the server running: list, take, export a snapshot, and restore while a device is mid-sync',
  { skip, timeout: 120_000 },
  async (t) => {
    const base = makeTempFolder('ahs-snapcli-');
    const server = await startServer(t, base);
    const device = await aliceWithReplacedCollection(t, server);

    const listed = await command(base, ['snapshots', 'list', 'alice']);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /^alice has \d+ snapshots?, taking [\d.]+ (B|KB|MB) in all/);
    assert.match(listed.stdout, /ID\s+Taken\s+Kind\s+Notes\s+Cards\s+Reviews\s+Size/);
    assert.match(listed.stdout, /\(through the running server\)/);
    const sixteen = idOf(listed.stdout, /before a full upload\s+16\s/);

    const took = await command(base, ['snapshots', 'take', 'alice']);
    assert.equal(took.code, 0, took.stderr);
    assert.match(took.stdout, /^Took a snapshot of alice's collection: \S+, \d{4}-\d\d-\d\d \d\d:\d\d, 0 notes, /);
    assert.match((await command(base, ['snapshots', 'list', 'alice'])).stdout, /taken by hand/);

    const out = join(base, 'alice.colpkg');
    const exported = await command(base, ['export', 'alice', out, '--snapshot', sixteen]);
    assert.equal(exported.code, 0, exported.stderr);
    assert.match(exported.stdout, /^Wrote alice's snapshot \S+ to .+: 16 notes, /);
    assert.ok(readFileSync(out).includes(Buffer.from('collection.anki21b')));

    // A device starts a normal sync; the restore waits its turn at the account's lock, then the device must download.
    const before = await device.json<SyncMeta>('sync', 'meta', { v: 11, cv: 'anki,25.02 (test),linux' });
    await device.json('sync', 'start', { minUsn: before.usn, lnewer: false, graves: null });
    const restored = await command(base, ['snapshots', 'restore', 'alice', sixteen]);
    assert.equal(restored.code, 0, restored.stderr);
    assert.match(restored.stdout, /^Restored alice's collection and media to the snapshot of \d{4}-\d\d-\d\d \d\d:\d\d \(16 notes, /);
    assert.match(restored.stdout, /choose Download on each/);
    const undo = /anki-home-sync snapshots restore alice (\S+)/.exec(restored.stdout)?.[1];
    assert.ok(undo, restored.stdout);
    // The sync the restore cut into does not bring the old collection back.
    await device.json('sync', 'finish', { _pad: null }).catch(() => undefined);
    const after = await device.json<SyncMeta>('sync', 'meta', { v: 11, cv: 'anki,25.02 (test),linux' });
    assert.notEqual(after.scm, before.scm, 'devices are asked to choose a full sync');
    assert.equal(await downloadedNotes(t, device), 16);

    // The restore is undone by restoring what it kept.
    const undone = await command(base, ['snapshots', 'restore', 'alice', undo]);
    assert.equal(undone.code, 0, undone.stderr);
    assert.equal(await downloadedNotes(t, device), 0);
    await server.stop();
  },
);

test('with no server running: the same commands work on the files', { skip, timeout: 120_000 }, async (t) => {
  const base = makeTempFolder('ahs-snapcli-');
  const server = await startServer(t, base);
  await aliceWithReplacedCollection(t, server);
  await server.stop();

  const listed = await command(base, ['snapshots', 'list', 'alice']);
  assert.equal(listed.code, 0, listed.stderr);
  assert.match(listed.stdout, /no server is running on .+, so this command worked on its files/);
  const sixteen = idOf(listed.stdout, /before a full upload\s+16\s/);

  const took = await command(base, ['snapshots', 'take', 'alice']);
  assert.equal(took.code, 0, took.stderr);
  assert.match(took.stdout, /^Took a snapshot of alice's collection: /);

  const out = join(base, 'alice-legacy.colpkg');
  const exported = await command(base, ['export', 'alice', out, '--legacy', '--snapshot', sixteen]);
  assert.equal(exported.code, 0, exported.stderr);
  assert.match(exported.stdout, /16 notes, /);
  assert.match(exported.stdout, /older than 2\.1\.50/);
  assert.ok(existsSync(out));

  const restored = await command(base, ['snapshots', 'restore', 'alice', sixteen]);
  assert.equal(restored.code, 0, restored.stderr);
  assert.equal(notesIn(join(base, 'alice', 'collection.anki2')), 16);
  // The next start serves the restored collection, and the device is asked to choose.
  const again = await startServer(t, base);
  const device = new V11Client(again.url);
  await device.login('alice', 'pw');
  assert.equal(await downloadedNotes(t, device), 16);
  await again.stop();
});

test('refusals are sentences with a non-zero exit, running or not', { skip, timeout: 120_000 }, async (t) => {
  const base = makeTempFolder('ahs-snapcli-');
  const server = await startServer(t, base);
  await aliceWithReplacedCollection(t, server);
  for (const running of [true, false]) {
    if (!running) await server.stop();
    const unknown = await command(base, ['snapshots', 'restore', 'alice', 'no-such-id']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /^anki-home-sync: [A-Z].*\.\n$/, `a sentence (${running ? 'running' : 'stopped'})`);
    assert.doesNotMatch(unknown.stderr, /at \S+:\d+:\d+/, 'no stack trace');
    const nobody = await command(base, ['snapshots', 'list', 'nobody']);
    assert.equal(nobody.code, 1);
    assert.match(nobody.stderr, /^anki-home-sync: [A-Z].*\.\n$/);
  }
  const usage = await command(base, ['snapshots', 'restore', 'alice']);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /ID is missing\nusage: anki-home-sync snapshots list USER/);
});

test(
  'a server killed with SIGKILL leaves its socket: the commands then work on the files, and the next start replaces it',
  { skip, timeout: 120_000 },
  async (t) => {
    const base = makeTempFolder('ahs-snapcli-');
    const first = await startServer(t, base);
    await aliceWithReplacedCollection(t, first);
    first.child.kill('SIGKILL');
    await first.exited;
    assert.ok(existsSync(join(base, '.anki-home-sync', 'control.sock')), 'the killed server left its socket');
    const listed = await command(base, ['snapshots', 'list', 'alice']);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /no server is running on .+, so this command worked on its files/);
    const again = await startServer(t, base);
    const through = await command(base, ['snapshots', 'list', 'alice']);
    assert.equal(through.code, 0, through.stderr);
    assert.match(through.stdout, /\(through the running server\)/);
    await again.stop();
  },
);
