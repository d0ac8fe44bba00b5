import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../../src-main/controller/errors.js';
import { hostKeyFor } from '../../src-main/controller/accounts.js';
import type { ServerStatus } from '../../src-main/shared/ipc.js';
import { createTestApp } from '../support/controller-harness.js';
import { freePort, occupyPort } from '../support/ports.js';
import { hostKeyLogin } from '../support/host-key-login.js';

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof AppError, String(error));
    assert.equal(error.code, code, error.message);
    return error;
  }
  assert.fail(`expected ${code}`);
}

test('the first account is stored as argon2id only, the server starts on its own, and the account logs in', async (t) => {
  const app = await createTestApp(t);
  assert.equal((await app.controller.state()).firstRun, true);
  await rejectsWith(app.controller.start(), 'no-users');

  await app.controller.addUser('alice', 'correct horse');

  assert.equal(app.controller.serverStatus.state, 'running');
  const file = readFileSync(app.settings.path, 'utf8');
  assert.ok(!file.includes('correct horse'), 'no plain password on disk');
  const [alice] = app.settings.read().users;
  assert.match(alice!.phc, /^\$argon2id\$/);
  const login = await hostKeyLogin(app.base(), 'alice', 'correct horse');
  assert.equal(login.status, 200);
  assert.equal(login.key, hostKeyFor('alice', alice!.phc));
  assert.equal((await hostKeyLogin(app.base(), 'alice', 'wrong')).status, 403);
  assert.equal((await app.controller.state()).firstRun, false);
});

test('adding, re-passwording, renaming and removing accounts reach the running server without a restart', async (t) => {
  const app = await createTestApp(t);
  await app.controller.addUser('alice', 'pw-alice');
  const statuses: ServerStatus['state'][] = [];
  app.controller.onChange(() => statuses.push(app.controller.serverStatus.state));
  const port = app.controller.currentPort();

  await app.controller.addUser('bob', 'pw-bob');
  assert.equal((await hostKeyLogin(app.base(), 'bob', 'pw-bob')).status, 200);
  await rejectsWith(app.controller.addUser('BOB', 'x'), 'name-taken');
  await rejectsWith(app.controller.addUser('../etc', 'x'), 'bad-name');

  const oldKey = (await hostKeyLogin(app.base(), 'alice', 'pw-alice')).key;
  await app.controller.changePassword('alice', 'new-pw');
  assert.equal((await hostKeyLogin(app.base(), 'alice', 'pw-alice')).status, 403);
  const newLogin = await hostKeyLogin(app.base(), 'alice', 'new-pw');
  assert.equal(newLogin.status, 200);
  assert.notEqual(newLogin.key, oldKey, 'devices must log in again after a password change');

  const bobFolder = join(app.storage, 'bob');
  mkdirSync(bobFolder, { recursive: true });
  writeFileSync(join(bobFolder, 'marker.txt'), 'bob was here');
  await app.controller.renameUser('bob', 'robert');
  assert.equal(existsSync(bobFolder), false);
  assert.equal(readFileSync(join(app.storage, 'robert', 'marker.txt'), 'utf8'), 'bob was here', 'the folder moved with the account');
  assert.equal((await hostKeyLogin(app.base(), 'bob', 'pw-bob')).status, 403);
  assert.equal((await hostKeyLogin(app.base(), 'robert', 'pw-bob')).status, 200);

  mkdirSync(join(app.storage, 'taken'));
  await rejectsWith(app.controller.renameUser('robert', 'taken'), 'name-taken');

  await app.controller.removeUser('robert');
  assert.equal((await hostKeyLogin(app.base(), 'robert', 'pw-bob')).status, 403);
  assert.ok(existsSync(join(app.storage, 'robert', 'marker.txt')), "removing an account never deletes the learner's data");
  assert.deepEqual(
    app.settings.read().users.map((u) => u.name),
    ['alice'],
  );

  assert.equal(app.controller.currentPort(), port);
  assert.ok(!statuses.includes('stopping'), `the server never restarted: ${statuses.join(',')}`);
  assert.equal((await hostKeyLogin(app.base(), 'alice', 'new-pw')).status, 200);
});

test('a port in use is refused in words, and the server keeps serving on the old port', async (t) => {
  const app = await createTestApp(t);
  await app.controller.addUser('alice', 'pw');
  const oldBase = app.base();
  const busyPort = await freePort();
  const other = await occupyPort(busyPort);
  t.after(() => new Promise<void>((resolve) => other.close(() => resolve())));

  const error = await rejectsWith(app.controller.setPort(busyPort), 'port-in-use');
  assert.equal(
    error.message,
    `Port ${busyPort} is already used by another program. Choose another port, such as ${busyPort + 1}, and update the address in your Anki apps.`,
  );
  assert.equal(app.base(), oldBase);
  assert.equal((await hostKeyLogin(oldBase, 'alice', 'pw')).status, 200);
  await rejectsWith(app.controller.setPort(80), 'bad-port');
  await rejectsWith(app.controller.setPort(70000), 'bad-port');
  await rejectsWith(app.controller.setPort(Number.NaN), 'bad-port');

  const newPort = await freePort();
  await app.controller.setPort(newPort);
  assert.deepEqual(app.controller.serverStatus, { state: 'running', port: newPort });
  assert.equal(app.settings.read().port, newPort);
  assert.equal((await hostKeyLogin(`http://127.0.0.1:${newPort}/`, 'alice', 'pw')).status, 200);
  await assert.rejects(hostKeyLogin(oldBase, 'alice', 'pw'), /ECONNREFUSED/);
});

test('stop and start; a start that fails reports an error with its reason', async (t) => {
  const app = await createTestApp(t);
  await app.controller.addUser('alice', 'pw');
  const base = app.base();
  await app.controller.stop();
  assert.deepEqual(app.controller.serverStatus, { state: 'stopped' });
  await assert.rejects(hostKeyLogin(base, 'alice', 'pw'), /ECONNREFUSED/);
  await app.controller.start();
  assert.equal((await hostKeyLogin(base, 'alice', 'pw')).status, 200);

  await app.controller.stop();
  const port = app.settings.read().port;
  const other = await occupyPort(port);
  t.after(() => new Promise<void>((resolve) => other.close(() => resolve())));
  await rejectsWith(app.controller.start(), 'port-in-use');
  const status = app.controller.serverStatus;
  assert.equal(status.state, 'error');
  assert.match(status.state === 'error' ? status.reason : '', new RegExp(`^Port ${port} is already used by another program`));
  const state = await app.controller.state();
  assert.ok(state.activity.some((entry) => entry.isError && entry.message.startsWith(`Port ${port}`)));

  // The learner's answer, another port, starts it.
  const free = await freePort();
  await app.controller.setPort(free);
  assert.deepEqual(app.controller.serverStatus, { state: 'running', port: free });
  assert.equal((await hostKeyLogin(app.base(), 'alice', 'pw')).status, 200);
});

test("the storage folder: Anki's own refused, a new one used after a restart of the server", async (t) => {
  const app = await createTestApp(t);
  await app.controller.addUser('alice', 'pw');
  await rejectsWith(app.controller.setStorageFolder(join(app.folder, 'Anki2', 'User 1')), 'anki-folder');
  const elsewhere = join(app.folder, 'elsewhere');
  await app.controller.setStorageFolder(elsewhere);
  assert.equal((await app.controller.state()).settings.storageFolder, elsewhere);
  assert.equal((await hostKeyLogin(app.base(), 'alice', 'pw')).status, 200);
  assert.ok(existsSync(join(elsewhere, 'alice', 'media')), "the account's folder is in the new place");
});

test('a relaunch serves the same accounts from the settings file, once the first server is gone', async (t) => {
  const app = await createTestApp(t);
  await app.controller.addUser('alice', 'pw');
  const again = app.relaunch();
  t.after(() => again.controller.shutdown());
  // Two servers on one folder would both write its collections: the second is refused.
  const error = await rejectsWith(again.controller.start(), 'folder-in-use');
  assert.match(error.message, /^Another sync server is using the storage folder/);
  await app.controller.stop();
  await again.controller.start();
  assert.equal((await hostKeyLogin(again.base(), 'alice', 'pw')).status, 200);
});

test('state snapshots are numbered when taken, so the window can drop one that arrives late (seen in CI: "stopping" after "stopped")', async (t) => {
  const app = await createTestApp(t);
  await app.controller.addUser('alice', 'correct horse');
  // Taken first, finished last: the numbers still say which is newer.
  const first = app.controller.state();
  await app.controller.stop();
  const second = await app.controller.state();
  const older = await first;
  assert.ok(second.revision > older.revision);
  assert.equal(second.server.state, 'stopped');
});
