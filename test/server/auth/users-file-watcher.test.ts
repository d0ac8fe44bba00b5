// SYNC_USERS_FILE edited while a real server runs: accounts are added, removed
// and re-passworded through SyncServer.setUsers (the path the app's account
// changes take), and a file with a mistake, or no file, keeps the last good list.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsersFileWatcher, type UsersReload } from '../../../src-main/server/auth/users-file-watcher.js';
import { readUsersFile, type UsersFile } from '../../../src-main/server/auth/users-file.js';
import { makeTempFolder } from '../../support/temp-folder.js';
import { plainUser, startTestServer, type TestServer } from '../../support/test-server.js';
import { V11Client } from '../../support/v11-client.js';
import { statusOf } from '../../support/v11-transport.js';

interface Watched {
  readonly server: TestServer;
  readonly file: UsersFile;
  /** The next report of the watcher. */
  nextReload(): Promise<UsersReload>;
  /** Replaces the file as an editor does: a new file renamed over the old one. */
  write(text: string): void;
}

async function watched(t: TestContext, text: string): Promise<Watched> {
  const folder = makeTempFolder('ahs-users-watch-');
  const file: UsersFile = { path: join(folder, 'users.txt'), hashed: false };
  writeFileSync(file.path, text);
  const fixed = [plainUser('admin', 'root-pw')];
  const fromFile = readUsersFile(file, fixed).users;
  const server = await startTestServer({ users: [...fixed, ...fromFile] });
  const waiting: ((reload: UsersReload) => void)[] = [];
  const watcher = new UsersFileWatcher(
    file,
    fixed,
    fromFile,
    (users) => server.server.setUsers(users),
    (reload) => waiting.shift()?.(reload),
    { pollMs: 20, settleMs: 20 },
  );
  watcher.start();
  t.after(async () => {
    watcher.stop();
    await server.close();
  });
  let edits = 0;
  return {
    server,
    file,
    nextReload: () => new Promise((resolve) => waiting.push(resolve)),
    write(next) {
      const temp = `${file.path}.${++edits}`;
      writeFileSync(temp, next);
      renameSync(temp, file.path);
    },
  };
}

async function canLogIn(server: TestServer, user: string, password: string): Promise<boolean> {
  const status = await statusOf(new V11Client(server.baseUrl).login(user, password));
  if (status !== 200 && status !== 403) throw new Error(`login answered ${status}`);
  return status === 200;
}

test('an edit adds, removes and re-passwords accounts while the server runs; SYNC_USERn stay', async (t) => {
  const w = await watched(t, 'alice:a1\ncarol:c1\n');
  assert.equal(await canLogIn(w.server, 'carol', 'c1'), true);
  const aliceKey = await new V11Client(w.server.baseUrl).login('alice', 'a1');

  const reload = w.nextReload();
  w.write('alice:a2\n# carol moved out\nbob:b1\n');
  const outcome = await reload;
  assert.ok(outcome.ok);
  assert.deepEqual([outcome.added, outcome.removed, outcome.passwordChanged], [['bob'], ['carol'], ['alice']]);
  assert.deepEqual(w.server.server.status.users, ['admin', 'alice', 'bob']);

  assert.equal(await canLogIn(w.server, 'bob', 'b1'), true, 'the new account logs in');
  assert.equal(await canLogIn(w.server, 'carol', 'c1'), false, 'the removed one does not');
  assert.equal(await canLogIn(w.server, 'alice', 'a1'), false, 'the old password no longer works');
  assert.equal(await canLogIn(w.server, 'alice', 'a2'), true, 'the new one does');
  assert.equal(await canLogIn(w.server, 'admin', 'root-pw'), true, 'SYNC_USER1 stays');
  // A device still holding the key of alice's old password must log in again.
  const stale = new V11Client(w.server.baseUrl, { hostKey: aliceKey });
  assert.equal(await statusOf(stale.meta()), 403);
});

test('a file with a mistake, or no file at all, keeps the last good list and says why', async (t) => {
  const w = await watched(t, 'alice:a1\n');

  let reload = w.nextReload();
  w.write('alice:a1\nbob-without-password\n');
  let outcome = await reload;
  assert.ok(!outcome.ok);
  assert.match(outcome.reason, /^SYNC_USERS_FILE line 2 should be in 'username:password' format/);
  assert.deepEqual(w.server.server.status.users, ['admin', 'alice']);
  assert.equal(await canLogIn(w.server, 'alice', 'a1'), true);

  reload = w.nextReload();
  w.write('admin:other\n');
  outcome = await reload;
  assert.ok(!outcome.ok);
  assert.match(outcome.reason, /SYNC_USERS_FILE line 1: the username "admin" is already used by SYNC_USER1/);
  assert.equal(await canLogIn(w.server, 'alice', 'a1'), true);

  reload = w.nextReload();
  rmSync(w.file.path);
  outcome = await reload;
  assert.ok(!outcome.ok);
  assert.match(outcome.reason, /cannot be read: there is no such file/);
  assert.equal(await canLogIn(w.server, 'alice', 'a1'), true);

  // Put back, corrected: used at once.
  reload = w.nextReload();
  w.write('alice:a1\nbob:b1\n');
  outcome = await reload;
  assert.ok(outcome.ok);
  assert.deepEqual(outcome.added, ['bob']);
  assert.equal(await canLogIn(w.server, 'bob', 'b1'), true);
});
