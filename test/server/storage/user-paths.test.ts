import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  assertSafeUsername,
  createUserFolders,
  UnsafeUsernameError,
  userPaths,
  usernameProblem,
} from '../../../src-main/server/storage/user-paths.js';
import { checkUsernames } from '../../../src-main/server/auth/usernames.js';
import { makeTempFolder } from '../../support/temp-folder.js';

test('ordinary usernames are accepted', () => {
  for (const name of [
    'alice',
    'Jean-Pierre',
    '日本',
    'user_1',
    'o.neil',
    'Zoë Smith',
    '.hidden',
    'a'.repeat(128),
    'con1',
    'com10',
    'nul-terminated',
  ]) {
    assert.equal(usernameProblem(name), null, name);
    assert.doesNotThrow(() => assertSafeUsername(name));
  }
});

test('each hostile or unusable username is refused with a reason', () => {
  const hostile: Array<[string, RegExp]> = [
    ['', /empty/],
    ['.', /current or parent/],
    ['..', /current or parent/],
    ['a/b', /"\/"/],
    ['../etc', /"\/"/],
    ['/abs', /"\/"/],
    ['a\\b', /"\\\\"/],
    ['..\\x', /"\\\\"/],
    ['nul\0byte', /U\+0000/],
    ['tab\there', /U\+0009/],
    ['line\nbreak', /U\+000A/],
    ['del\x7f', /U\+007F/],
    ['c1\u0085', /U\+0085/],
    ['evil\u202Etxt.exe', /U\+202E/],
    ['CON', /device name/],
    ['con', /device name/],
    ['aux', /device name/],
    ['Aux.txt', /device name/],
    ['nul.tar.gz', /device name/],
    ['COM1', /device name/],
    ['lpt9.log', /device name/],
    ['COM¹', /device name/],
    ['prn .txt', /device name/],
    ['trailing.', /ends with a dot or a space/],
    ['trailing ', /ends with a dot or a space/],
    ['   ', /ends with a dot or a space/],
    ['a:b', /":"/],
    ['what?', /"\?"/],
    ['star*', /"\*"/],
    ['pipe|', /"\|"/],
    ['<tag>', /"<"/],
    ['"quoted"', /"\\""/],
    ['a'.repeat(129), /129 bytes/],
    ['日'.repeat(43), /129 bytes/],
    ['lone\uD800', /not valid Unicode/],
  ];
  for (const [name, reason] of hostile) {
    const problem = usernameProblem(name);
    assert.ok(problem !== null, `${JSON.stringify(name)} was accepted`);
    assert.match(problem, reason, JSON.stringify(name));
    assert.throws(
      () => assertSafeUsername(name),
      (error: unknown) => error instanceof UnsafeUsernameError && error.username === name && error.message.includes(JSON.stringify(name)),
    );
    assert.throws(() => userPaths('/srv/sync', name), UnsafeUsernameError);
  }
});

test('usernames sharing a folder on a case-insensitive system are refused', () => {
  assert.equal(checkUsernames(['alice', 'bob', 'Jean-Pierre']), null);
  assert.match(checkUsernames(['alice', 'bob', 'alice']) ?? '', /SYNC_USER3: .* already used by SYNC_USER1 /);
  assert.match(checkUsernames(['Alice', 'alice']) ?? '', /SYNC_USER2: .*ignoring case/);
  // "é" precomposed and decomposed are one folder on macOS.
  assert.match(checkUsernames(['caf\u00e9', 'cafe\u0301']) ?? '', /SYNC_USER2/);
});

test('UserPaths follow the official layout under SYNC_BASE', () => {
  const base = resolve('/srv/sync');
  const paths = userPaths('/srv/sync/', 'alice');
  assert.deepEqual(paths, {
    folder: join(base, 'alice'),
    collection: join(base, 'alice', 'collection.anki2'),
    mediaFolder: join(base, 'alice', 'media'),
    mediaDb: join(base, 'alice', 'media.db'),
    backups: join(base, 'alice', 'backups'),
    snapshots: join(base, 'alice', 'snapshots'),
    mediaTrash: join(base, 'alice', 'media-trash'),
  });
  // A relative SYNC_BASE is resolved once, so later chdirs cannot move the data.
  assert.equal(userPaths('data', '日本').folder, join(resolve('data'), '日本'));
});

test('createUserFolders makes the user folder and media folder', () => {
  const base = makeTempFolder('user-paths-');
  try {
    const paths = userPaths(base, 'Jean-Pierre');
    createUserFolders(paths);
    assert.ok(statSync(paths.folder).isDirectory());
    assert.ok(statSync(paths.mediaFolder).isDirectory());
    assert.equal(existsSync(paths.collection), false);
    // Running it again at the next start-up is harmless.
    createUserFolders(paths);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});
