// Durable before acknowledged (issue 28): every SQLite connection commits to
// disk before it returns, and every folder the server or the app creates has
// its name fsynced into its parent. The power-cut tests (test/powercut/) show
// the effect; these pin the two rules where they are applied.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { filesBelow } from '../../support/files-below.js';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { openDatabase } from '../../../src-main/server/storage/sqlite.js';
import { openCollection } from '../../../src-main/server/storage/collection-file.js';
import { MediaDatabase } from '../../../src-main/server/media/database/media-database.js';
import { makeFolder, makeFolderSync, writeFileDurablySync } from '../../../src-main/server/storage/durable.js';
import { makeTempFolder } from '../../support/temp-folder.js';
import { REPO_ROOT } from '../../support/fixture-paths.js';

const FULL = 2;

test('every kind of database the server opens commits with synchronous = FULL (WAL included)', () => {
  const folder = makeTempFolder('ahs-durable-');
  const collection = openCollection(join(folder, 'collection.anki2'));
  const media = MediaDatabase.open(join(folder, 'media.db'));
  const plain = openDatabase(join(folder, 'other.db'));
  const readOnly = openDatabase(join(folder, 'collection.anki2'), { readonly: true });
  try {
    assert.equal(collection.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(collection.pragma('synchronous', { simple: true }), FULL, 'collection');
    // better-sqlite3 lowers WAL's default to NORMAL: media.db answered uploads before they were on disk.
    assert.equal(media.connectionSetting('journal_mode'), 'wal');
    assert.equal(media.connectionSetting('synchronous'), FULL, 'media.db');
    assert.equal(plain.pragma('synchronous', { simple: true }), FULL, 'any other database (upload check, backup, restore)');
    assert.equal(readOnly.pragma('synchronous', { simple: true }), FULL, 'a read-only connection (its checkpoints)');
  } finally {
    collection.close();
    media.close();
    plain.close();
    readOnly.close();
  }
});

test('makeFolder creates every missing parent, private, and leaves an existing folder alone', async () => {
  const base = makeTempFolder('ahs-durable-');
  makeFolderSync(join(base, 'a', 'b', 'c'));
  await makeFolder(join(base, 'x', 'y'));
  await makeFolder(join(base, 'x', 'y'));
  for (const folder of ['a', 'a/b', 'a/b/c', 'x', 'x/y']) {
    assert.ok(statSync(join(base, folder)).isDirectory(), folder);
    if (process.platform !== 'win32') assert.equal(statSync(join(base, folder)).mode & 0o777, 0o700, folder);
  }
});

test('writeFileDurablySync replaces a file whole and leaves no temp file', () => {
  const base = makeTempFolder('ahs-durable-');
  const path = join(base, 'settings.json');
  writeFileDurablySync(path, 'first');
  writeFileDurablySync(path, Buffer.from('second'));
  assert.equal(readFileSync(path, 'utf8'), 'second');
  assert.deepEqual(readdirSync(base), ['settings.json']);
});

// A folder made any other way is not fsynced into its parent, so a power cut can take it and
// everything synced inside it (the first upload on a new SYNC_BASE vanished that way).
const FOLDER_CREATION = /\b(?:mkdir|mkdirSync|mkdtemp|mkdtempSync)\s*\(/;
const ALLOWED: Record<string, string> = {
  'server/storage/durable.ts': 'the one helper',
  'server/media/upload/read-upload-zip.ts': "a media upload's staging folder: its name is fsynced by writeJournal before any file moves",
  'app/log-file.ts': "the app's log folder: no learner's data",
  'controller/login-item.ts': "the desktop's autostart folder: the system's, not ours",
  'server/storage/export/unpacked-package.ts':
    "a snapshot unpacked for its export, in the system's temp folder: removed at once, nothing acknowledged lives there",
};

test('every folder the server or the app creates goes through makeFolder', () => {
  const root = join(REPO_ROOT, 'src-main');
  assert.ok(existsSync(root));
  const offenders = filesBelow(root, /\.(c|m)?ts$/)
    .map((path) => relative(root, path).replace(/\\/g, '/'))
    .filter((file) => !(file in ALLOWED))
    .filter((file) => FOLDER_CREATION.test(readFileSync(join(root, file), 'utf8')));
  assert.deepEqual(offenders, []);
});
