// The rest of the app on a full disk (issue 31): the settings file is replaced
// whole or not at all, never left truncated; and a log that cannot be written
// (the headless command's stdout redirected to a file on the full disk) never
// stops the server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createConfSettings } from '../../src-main/settings/conf-store.js';
import { SmallDisk, smallDiskUnavailable } from '../support/small-disk.js';
import { V11Client } from '../support/v11-client.js';
import { makeTempFolder } from '../support/temp-folder.js';
import { statusOf } from '../support/v11-transport.js';
import { deriveHostKey } from '../../src-main/server/auth/host-key.js';
import { freePort } from '../support/ports.js';

const unavailable = smallDiskUnavailable();
if (unavailable !== null) console.log(`﹣ ${unavailable}; the disk-full tests are skipped.`);
const skip = unavailable ?? false;

const BIN = fileURLToPath(new URL('../../../bin/anki-home-sync.js', import.meta.url));

test('a settings write that finds no room fails and leaves the file as it was, whole', { skip }, async (t) => {
  const disk = SmallDisk.mount(1).removeAfter(t);
  const folder = join(disk.root, 'settings');
  const settings = createConfSettings(folder);
  settings.update({ port: 8123, storageFolder: '/srv/anki' });
  const before = readFileSync(settings.path, 'utf8');
  await disk.fill(2048);
  assert.throws(() => settings.update({ storageFolder: `/srv/${'x'.repeat(64 * 1024)}` }), { code: 'ENOSPC' });
  assert.equal(readFileSync(settings.path, 'utf8'), before, 'the file is the one before, whole');
  assert.deepEqual(readdirSync(folder), ['settings.json'], 'no temp file is left');
  disk.release();
  settings.update({ storageFolder: '/srv/other' });
  assert.equal(createConfSettings(folder).read().storageFolder, '/srv/other');
});

test('the headless server keeps serving when its log cannot be written', { skip }, async (t) => {
  const disk = SmallDisk.mount(1);
  const base = makeTempFolder('ahs-full-log-');
  const logPath = join(disk.root, 'server.log');
  const out = openSync(logPath, 'w');
  const port = await freePort();
  const child = spawn(process.execPath, [BIN], {
    env: { PATH: process.env['PATH'] ?? '', SYNC_USER1: 'alice:pw', SYNC_BASE: base, SYNC_HOST: '127.0.0.1', SYNC_PORT: String(port) },
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  t.after(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await exited;
    disk.release();
    disk.unmount();
  });
  const url = `http://127.0.0.1:${port}/`;
  for (let i = 0; i < 200 && !readFileSync(logPath, 'utf8').includes('listening'); i++) await new Promise((r) => setTimeout(r, 50));
  assert.match(readFileSync(logPath, 'utf8'), /listening/);

  await disk.fill(0);
  const client = new V11Client(url, { hostKey: deriveHostKey('alice:pw') });
  // Each request writes a line the disk has no room for; the server answers every one.
  for (let i = 0; i < 20; i++) assert.equal(await statusOf(client.meta()), 200);
  assert.equal(await statusOf(new V11Client(url, { hostKey: 'wrong' }).meta()), 403);
  assert.equal(child.exitCode, null, 'the server is still running');
  assert.equal((await fetch(`${url}health`)).status, 200);
});
