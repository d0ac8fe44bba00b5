// An account's files close after a quiet period (SYNC_IDLE_CLOSE_SECS,
// src-main/server/storage/quiet-timer.ts), never while a request runs or a normal sync
// is open, and reopen on the next use. Real files; the clock is Node's mock
// timers, so the quiet period passes when the test says so. Whether a file is
// open is read from this process's descriptors.
import { mock, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readlinkSync } from 'node:fs';
import { payloadLimits } from '../../src-main/server/server.js';
import { createUserFolders, userPaths } from '../../src-main/server/storage/user-paths.js';
import { User } from '../../src-main/server/user.js';
import { makeTempFolder } from '../support/temp-folder.js';

const QUIET_MS = 60_000;

function newUser(): User {
  const paths = userPaths(makeTempFolder('ahs-user-idle-'), 'alice');
  createUserFolders(paths);
  return new User('alice', paths, payloadLimits(100), () => undefined, null, QUIET_MS);
}

/** True when this process holds `path` open. */
function isOpen(path: string): boolean {
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) === path) return true;
    } catch {
      // Closed while listing.
    }
  }
  return false;
}

const filesOpen = (user: User): [boolean, boolean] => [isOpen(user.paths.collection), isOpen(user.paths.mediaDb)];

test('the collection and media.db close after the quiet period, and reopen on the next request', async (t) => {
  mock.timers.enable({ apis: ['setTimeout'] });
  t.after(() => mock.timers.reset());
  const user = newUser();
  await user.withLock(async () => {
    user.withCollection((db) => db.prepare('SELECT ver FROM col').get());
    user.mediaStore().lastUsn();
  });
  assert.deepEqual(filesOpen(user), [true, true]);
  mock.timers.tick(QUIET_MS - 1);
  assert.deepEqual(filesOpen(user), [true, true], 'not before the period is over');
  mock.timers.tick(1);
  assert.deepEqual(filesOpen(user), [false, false]);
  const ver = await user.withLock(async () => user.withCollection((db) => db.prepare('SELECT ver FROM col').pluck().get()));
  assert.equal(ver, 18);
  assert.equal(isOpen(user.paths.collection), true);
  await user.withLock(async () => user.retire());
});

test('each request starts the quiet period again, and none closes while a request runs', async (t) => {
  mock.timers.enable({ apis: ['setTimeout'] });
  t.after(() => mock.timers.reset());
  const user = newUser();
  await user.withLock(async () => user.withCollection(() => undefined));
  mock.timers.tick(QUIET_MS / 2);
  await user.withLock(async () => user.withCollection(() => undefined));
  mock.timers.tick(QUIET_MS / 2);
  assert.equal(isOpen(user.paths.collection), true, 'the second request restarted the period');
  let release!: () => void;
  const running = user.withLock(async () => {
    user.withCollection(() => undefined);
    await new Promise<void>((resolve) => (release = resolve));
  });
  await new Promise((resolve) => setImmediate(resolve));
  mock.timers.tick(QUIET_MS * 3);
  assert.equal(isOpen(user.paths.collection), true, 'a request in progress keeps the files');
  release();
  await running;
  mock.timers.tick(QUIET_MS);
  assert.equal(isOpen(user.paths.collection), false);
  await user.withLock(async () => user.retire());
});

test('an open normal sync keeps the collection past the quiet period; its transaction survives', async (t) => {
  mock.timers.enable({ apis: ['setTimeout'] });
  t.after(() => mock.timers.reset());
  const user = newUser();
  await user.withLock(async () => user.startSync('session', 0, false));
  mock.timers.tick(QUIET_MS * 5);
  assert.equal(isOpen(user.paths.collection), true);
  const request = { sessionKey: 'session', method: 'applyGraves' } as Parameters<User['withSyncSession']>[0];
  const inTransaction = await user.withLock(async () => user.withSyncSession(request, () => user.withCollection((db) => db.inTransaction)));
  assert.equal(inTransaction, true, 'the sync goes on in the transaction it began');
  await user.withLock(async () => user.abortSync());
  mock.timers.tick(QUIET_MS);
  assert.equal(isOpen(user.paths.collection), false, 'closed once the sync is over');
  await user.withLock(async () => user.retire());
});

test('0 keeps the files open', async (t) => {
  mock.timers.enable({ apis: ['setTimeout'] });
  t.after(() => mock.timers.reset());
  const paths = userPaths(makeTempFolder('ahs-user-idle-'), 'bob');
  createUserFolders(paths);
  const user = new User('bob', paths, payloadLimits(100), () => undefined, null, 0);
  await user.withLock(async () => user.withCollection(() => undefined));
  mock.timers.tick(10 * 86_400_000);
  assert.equal(isOpen(paths.collection), true);
  await user.withLock(async () => user.retire());
});
