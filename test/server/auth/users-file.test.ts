// SYNC_USERS_FILE's lines are read by SYNC_USERn's rules (same host key for the
// same value), with blank lines and comments skipped; every mistake names the
// file's line and never repeats the line's text, which holds a password.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseUsersFile, readUsersFile } from '../../../src-main/server/auth/users-file.js';
import { UserConfigError, usersFromEnv } from '../../../src-main/server/auth/users-from-env.js';
import { makeTempFolder } from '../../support/temp-folder.js';
import { plainUser } from '../../support/test-server.js';

const PBKDF2_PASS = '$pbkdf2-sha256$i=600000,l=32$tonuvYGpksNFQBlEmm3lxg$oQ1sqlkoU7Qn72xNoIq+NHyW3yOOER8EZ6mIJiv5GYc';

function refused(text: string, hashed: boolean, message: RegExp, secret?: string): void {
  assert.throws(
    () => parseUsersFile(text, hashed, []),
    (error: unknown) => {
      assert.ok(error instanceof UserConfigError);
      assert.match(error.message, message);
      if (secret !== undefined) assert.ok(!error.message.includes(secret), `"${error.message}" repeats the secret`);
      return true;
    },
  );
}

test('a line is an account as SYNC_USERn would give it; blank lines, comments, CRLF and a BOM are skipped', () => {
  const text = '\uFEFF# the family\r\nalice:secret one\r\n\r\n   \n  # bob left\nbob:pa:ss\ncarol:x';
  const { users, warnings } = parseUsersFile(text, false, []);
  assert.deepEqual(warnings, []);
  assert.deepEqual(
    users.map((user) => [user.name, user.secret]),
    [
      ['alice', { kind: 'plain', password: 'secret one' }],
      ['bob', { kind: 'plain', password: 'pa:ss' }],
      ['carol', { kind: 'plain', password: 'x' }],
    ],
  );
  // The host key of SYNC_USER1=alice:secret one: a device logged in either way stays logged in.
  const fromEnv = usersFromEnv({ SYNC_USER1: 'alice:secret one' }).users[0]!;
  assert.equal(users[0]!.hostKey, fromEnv.hostKey);
  assert.equal(users[0]!.hostKey, plainUser('alice', 'secret one').hostKey);
});

test('with PASSWORDS_HASHED each line holds a PHC hash; a hash the official server cannot verify loads with a warning', () => {
  const { users, warnings } = parseUsersFile(`alice:${PBKDF2_PASS}\nold:$pbkdf2$i=1000$c2FsdHNhbHQ$AAAA\n`, true, []);
  assert.deepEqual(users[0]!.secret, { kind: 'phc', phc: PBKDF2_PASS });
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /SYNC_USERS_FILE line 2: "pbkdf2" hashes are not supported/);
});

test('mistakes name the line and never repeat its text', () => {
  refused('alice:ok\n\nhunter2-without-a-colon\n', false, /^SYNC_USERS_FILE line 3 should be in 'username:password' format\.$/, 'hunter2');
  refused('alice:not-a-hash\n', true, /^SYNC_USERS_FILE line 1: PASSWORDS_HASHED is set, but .* not a valid password hash/, 'not-a-hash');
  refused('../evil:pw\n', false, /^SYNC_USERS_FILE line 1: the username "\.\.\/evil" cannot be a folder name/);
  refused('alice:1\nbob:2\nAlice:3\n', false, /^SYNC_USERS_FILE line 3: the username "Alice" is already used by SYNC_USERS_FILE line 1 /);
});

test('no name may be both in SYNC_USERn and in the file', () => {
  assert.throws(
    () => parseUsersFile('# mine\nbob:x\nalice:y\n', false, [plainUser('alice', 'pw')]),
    /^Error: SYNC_USERS_FILE line 3: the username "alice" is already used by SYNC_USER1 /,
  );
  const { users } = parseUsersFile('bob:x\n', false, [plainUser('alice', 'pw')]);
  assert.deepEqual(
    users.map((user) => user.name),
    ['bob'],
  );
});

test('an empty file, or one of comments only, lists no accounts', () => {
  assert.deepEqual(parseUsersFile('', false, []).users, []);
  assert.deepEqual(parseUsersFile('# nobody yet\n\n', false, []).users, []);
});

test('a file that cannot be read says why, with its path', () => {
  const folder = makeTempFolder('ahs-users-file-');
  const missing = join(folder, 'users.txt');
  assert.throws(
    () => readUsersFile({ path: missing, hashed: false }, []),
    /SYNC_USERS_FILE \(.*users\.txt\) cannot be read: there is no such file/,
  );
  mkdirSync(join(folder, 'dir'));
  assert.throws(() => readUsersFile({ path: join(folder, 'dir'), hashed: false }, []), /cannot be read: it is a folder/);
  const huge = join(folder, 'huge.txt');
  writeFileSync(huge, Buffer.alloc(2 * 1024 * 1024, 'a'));
  assert.throws(() => readUsersFile({ path: huge, hashed: false }, []), /more than a list of accounts can be/);
  if (process.platform !== 'win32' && process.getuid?.() !== 0) {
    const locked = join(folder, 'locked.txt');
    writeFileSync(locked, 'alice:pw\n');
    chmodSync(locked, 0o000);
    assert.throws(() => readUsersFile({ path: locked, hashed: false }, []), /permission denied/);
  }
});
