// Clients upload their collection in journal_mode DELETE (header bytes 18/19 =
// 1); the live collection is WAL. The upload check leaves the accepted spool
// file in WAL already (collection/upload-check.ts), so the first open after the
// install makes no durable journal-mode change of its own (issue 29: three
// fsyncs through a rollback journal in the account's next request).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { prepareUploadedCollection } from '../../../src-main/server/collection/upload-check.js';
import { openDatabase } from '../../../src-main/server/storage/sqlite.js';
import { copyRealAnkiFixture } from '../../support/real-anki-fixtures.js';

const journalBytes = (path: string): number[] => [...readFileSync(path).subarray(18, 20)];

function inDeleteMode(name: string): string {
  const path = copyRealAnkiFixture(name);
  const db = openDatabase(path);
  db.pragma('journal_mode = DELETE');
  db.close();
  assert.deepEqual(journalBytes(path), [1, 1]);
  return path;
}

for (const fixture of ['v18-two-decks-16-notes.anki2', 'v11-mediacheck.anki2']) {
  test(`an accepted upload (${fixture}) is left in WAL mode, whole and at schema 18`, () => {
    const path = inDeleteMode(fixture);
    assert.deepEqual(prepareUploadedCollection(path), { ok: true, schema: 18 });
    assert.deepEqual(journalBytes(path), [2, 2]);
    const db = openDatabase(path, { fileMustExist: true });
    try {
      assert.equal(db.prepare('SELECT ver FROM col').pluck().get(), 18);
      assert.equal(db.prepare('PRAGMA integrity_check').pluck().get(), 'ok');
    } finally {
      db.close();
    }
  });
}

test('a refused upload is left as it came', () => {
  const path = inDeleteMode('v1-too-old.anki2');
  const before = readFileSync(path);
  assert.equal(prepareUploadedCollection(path).ok, false);
  assert.deepEqual(readFileSync(path), before);
});
