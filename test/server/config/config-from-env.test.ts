import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { chmodSync, writeFileSync } from 'node:fs';
import { configFromEnv, ConfigError } from '../../../src-main/server/config/config-from-env.js';
import { makeTempFolder } from '../../support/temp-folder.js';

const home = (): string => '/home/learner';
const PBKDF2_PASS = '$pbkdf2-sha256$i=600000,l=32$tonuvYGpksNFQBlEmm3lxg$oQ1sqlkoU7Qn72xNoIq+NHyW3yOOER8EZ6mIJiv5GYc';

test('defaults: 0.0.0.0:8080, ~/.syncserver, 100 MiB', () => {
  const { config } = configFromEnv({ SYNC_USER1: 'user:pass' }, home);
  assert.equal(config.host, '0.0.0.0');
  assert.equal(config.port, 8080);
  assert.equal(config.baseFolder, join('/home/learner', '.syncserver'));
  assert.equal(config.maxPayloadMegs, 100);
  assert.equal(config.ipHeader, undefined);
});

test('users: stop at the first gap, split on the first colon, host key over the whole value', () => {
  const { config } = configFromEnv({ SYNC_USER1: 'user:pass', SYNC_USER2: 'bob:pa:ss', SYNC_USER4: 'ghost:x' }, home);
  assert.deepEqual(
    config.users.map((user) => user.name),
    ['user', 'bob'],
  );
  assert.deepEqual(config.users[1]!.secret, { kind: 'plain', password: 'pa:ss' });
  assert.equal(config.users[0]!.hostKey, 'b2619aa1529dfdc4248e6edbf3c1b2a2b014cf6d');
});

test('PASSWORDS_HASHED is presence-based, even empty or 0', () => {
  for (const value of ['', '0', '1']) {
    const { config } = configFromEnv({ SYNC_USER1: `user:${PBKDF2_PASS}`, PASSWORDS_HASHED: value }, home);
    assert.deepEqual(config.users[0]!.secret, { kind: 'phc', phc: PBKDF2_PASS });
  }
});

test('a well-formed hash the official server cannot verify loads with a warning', () => {
  const { warnings } = configFromEnv({ SYNC_USER1: 'user:$pbkdf2$i=1000$c2FsdHNhbHQ$AAAA', PASSWORDS_HASHED: '' }, home);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /SYNC_USER1/);
});

test('every bad setting is refused with its variable named', () => {
  const cases: Array<[NodeJS.ProcessEnv, RegExp]> = [
    [{}, /SYNC_USER1 env var should be set/],
    [{ SYNC_USER2: 'a:b' }, /SYNC_USER1/],
    [{ SYNC_USER1: 'nocolon' }, /SYNC_USER1 should be in 'username:password' format/],
    [{ SYNC_USER1: 'user:pass', SYNC_USER2: 'bad' }, /SYNC_USER2/],
    [{ SYNC_USER1: 'user:not-a-phc', PASSWORDS_HASHED: '1' }, /SYNC_USER1: PASSWORDS_HASHED is set/],
    [{ SYNC_USER1: 'user:pass', SYNC_HOST: 'localhost' }, /SYNC_HOST must be an IP address/],
    [{ SYNC_USER1: 'user:pass', SYNC_PORT: '-1' }, /SYNC_PORT/],
    [{ SYNC_USER1: 'user:pass', SYNC_PORT: '65536' }, /SYNC_PORT/],
    [{ SYNC_USER1: 'user:pass', MAX_SYNC_PAYLOAD_MEGS: '1.5' }, /MAX_SYNC_PAYLOAD_MEGS/],
    [{ SYNC_USER1: 'user:pass', MAX_SYNC_PAYLOAD_MEGS: '0' }, /MAX_SYNC_PAYLOAD_MEGS/],
    [{ SYNC_USER1: 'user:pass', SYNC_BASE: '' }, /SYNC_BASE/],
    [{ SYNC_USER1: 'user:pass', SYNC_IP_HEADER: 'X-Real-IP' }, /SYNC_IP_HEADER must be one of/],
    [{ SYNC_USER1: '..:pw' }, /SYNC_USER1.*folder/],
    [{ SYNC_USER1: 'a/b:pw' }, /SYNC_USER1/],
    [{ SYNC_USER1: ':pw' }, /SYNC_USER1/],
    [{ SYNC_USER1: 'alice:1', SYNC_USER2: 'Alice:2' }, /SYNC_USER2.*already used/],
    [{ SYNC_USER1: 'alice:1', SYNC_USER2: 'alice:1' }, /SYNC_USER2.*already used/],
  ];
  for (const [env, message] of cases) {
    assert.throws(
      () => configFromEnv(env, home),
      (error: unknown) => error instanceof ConfigError && message.test(error.message),
      JSON.stringify(env),
    );
  }
});

test('IPv6 hosts, explicit ports, a relative SYNC_BASE and SYNC_IP_HEADER are taken', () => {
  const { config } = configFromEnv(
    {
      SYNC_USER1: 'u:p',
      SYNC_HOST: '::1',
      SYNC_PORT: '27701',
      SYNC_BASE: 'data',
      MAX_SYNC_PAYLOAD_MEGS: '7',
      SYNC_IP_HEADER: 'RightmostXForwardedFor',
    },
    home,
  );
  assert.equal(config.host, '::1');
  assert.equal(config.port, 27701);
  assert.equal(config.baseFolder, resolve('data'));
  assert.equal(config.maxPayloadMegs, 7);
  assert.equal(config.ipHeader, 'RightmostXForwardedFor');
});

test('SYNC_USERS_FILE: its accounts follow SYNC_USERn, and SYNC_USER1 is then optional', () => {
  const folder = makeTempFolder('ahs-env-users-');
  const path = join(folder, 'users.txt');
  writeFileSync(path, 'bob:b\ncarol:c\n', { mode: 0o600 });
  const both = configFromEnv({ SYNC_USER1: 'alice:a', SYNC_USERS_FILE: path }, home);
  assert.deepEqual(
    both.config.users.map((user) => user.name),
    ['alice', 'bob', 'carol'],
  );
  assert.deepEqual(both.warnings, []);
  assert.equal(both.usersFile?.file.path, path);
  assert.deepEqual(
    both.usersFile?.fixed.map((user) => user.name),
    ['alice'],
  );
  assert.deepEqual(
    both.usersFile?.fromFile.map((user) => user.name),
    ['bob', 'carol'],
  );
  assert.equal(configFromEnv({ SYNC_USER1: 'alice:a' }, home).usersFile, null);

  const fileOnly = configFromEnv({ SYNC_USERS_FILE: path }, home);
  assert.deepEqual(
    fileOnly.config.users.map((user) => user.name),
    ['bob', 'carol'],
  );
  // PASSWORDS_HASHED applies to the file's lines as to SYNC_USERn.
  writeFileSync(path, `bob:${PBKDF2_PASS}\n`);
  const hashed = configFromEnv({ SYNC_USERS_FILE: path, PASSWORDS_HASHED: '' }, home);
  assert.deepEqual(hashed.config.users[0]!.secret, { kind: 'phc', phc: PBKDF2_PASS });
});

test('SYNC_USERS_FILE: no accounts yet, or plain passwords others can read, start with a warning', () => {
  const folder = makeTempFolder('ahs-env-users-');
  const path = join(folder, 'users.txt');
  writeFileSync(path, '# nobody yet\n', { mode: 0o600 });
  const empty = configFromEnv({ SYNC_USERS_FILE: path }, home);
  assert.deepEqual(empty.config.users, []);
  assert.match(empty.warnings.join('\n'), /SYNC_USERS_FILE lists no accounts yet; nobody can log in until a line is added/);
  if (process.platform !== 'win32') {
    writeFileSync(path, 'bob:b\n');
    chmodSync(path, 0o644);
    assert.match(configFromEnv({ SYNC_USERS_FILE: path }, home).warnings.join('\n'), /holds plain passwords and every account/);
    writeFileSync(path, `bob:${PBKDF2_PASS}\n`);
    assert.deepEqual(configFromEnv({ SYNC_USERS_FILE: path, PASSWORDS_HASHED: '1' }, home).warnings, []);
  }
});

test('SYNC_USERS_FILE: a mistake stops the start, naming the file and its line', () => {
  const folder = makeTempFolder('ahs-env-users-');
  const path = join(folder, 'users.txt');
  writeFileSync(path, 'bob:b\nalice:x\n', { mode: 0o600 });
  const cases: Array<[NodeJS.ProcessEnv, RegExp]> = [
    [{ SYNC_USERS_FILE: '' }, /^SYNC_USERS_FILE is set but empty/],
    [{ SYNC_USERS_FILE: join(folder, 'missing.txt') }, /^SYNC_USERS_FILE \(.*missing\.txt\) cannot be read: there is no such file/],
    [{ SYNC_USER1: 'alice:a', SYNC_USERS_FILE: path }, /^SYNC_USERS_FILE line 2: the username "alice" is already used by SYNC_USER1/],
    [{ SYNC_USERS_FILE: path, PASSWORDS_HASHED: '1' }, /^SYNC_USERS_FILE line 1: PASSWORDS_HASHED is set/],
  ];
  for (const [env, message] of cases) {
    assert.throws(
      () => configFromEnv(env, home),
      (error: unknown) => error instanceof ConfigError && message.test(error.message),
      JSON.stringify(env),
    );
  }
});
