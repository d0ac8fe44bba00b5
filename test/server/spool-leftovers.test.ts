// What a killed server leaves in a user's folder (a spooled upload and the
// -wal/-shm its check opened, a legacy form's .part, a legacy download's copy
// and its journal, a half-built new collection, a replaced collection's copy
// being made whole for its backup) is removed at the next start,
// whatever the suffix; everything else in the folder stays.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SyncServer } from '../../src-main/server/server.js';
import { silentLogger } from '../../src-main/server/report/log.js';
import { userPaths } from '../../src-main/server/storage/user-paths.js';
import { isSpoolLeftover, spoolPath } from '../../src-main/server/storage/spool-files.js';
import { plainUser } from '../support/test-server.js';
import { makeTempFolder } from '../support/temp-folder.js';

test('start-up removes every spool leftover, whatever its suffix, and nothing else', async () => {
  const base = makeTempFolder('ahs-leftovers-');
  const paths = userPaths(base, 'user');
  mkdirSync(paths.folder, { recursive: true });
  const leftovers = [
    'upload-0123456789abcdef.tmp',
    'upload-0123456789abcdef.tmp-wal',
    'upload-0123456789abcdef.tmp-shm',
    'upload-1111111111111111.tmp.part',
    'upload-2222222222222222.tmp-journal',
    'download-3333333333333333.tmp',
    'download-3333333333333333.tmp-journal',
    'backup-4444444444444444.tmp',
    'backup-4444444444444444.tmp-wal',
    'collection.anki2.creating-a1b2c3d4e5f6',
  ];
  const kept = ['collection.anki2', 'upload-notes.txt', 'my-download.tmp', 'upload-0123.tmp'];
  for (const name of [...leftovers, ...kept]) writeFileSync(join(paths.folder, name), 'x');
  const server = new SyncServer(
    { host: '127.0.0.1', port: 0, baseFolder: base, maxPayloadMegs: 100, users: [plainUser('user', 'pass')] },
    { logger: silentLogger },
  );
  await server.start();
  try {
    const left = readdirSync(paths.folder)
      .filter((name) => !name.startsWith('media') && name !== 'backups')
      .sort();
    assert.deepEqual(left, [...kept].sort());
  } finally {
    await server.stop();
  }
});

test('the names the server makes are the names start-up removes', () => {
  for (const kind of ['upload', 'download', 'image', 'backup', 'restore'] as const) {
    const name = spoolPath('/folder', kind).slice('/folder/'.length);
    for (const suffix of ['', '-wal', '-shm', '-journal', '.part']) assert.ok(isSpoolLeftover(`${name}${suffix}`), `${name}${suffix}`);
  }
  assert.equal(isSpoolLeftover('collection.anki2'), false);
});
