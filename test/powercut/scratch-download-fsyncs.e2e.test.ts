// A legacy download's schema-11 copy is a scratch file, sent and deleted
// (docs/architecture.md, the fsync list): downgrading it makes no fsync at all.
// Counted on the forgetful file system, which sees every fsync. It made four
// (leaving WAL under openDatabase's synchronous = FULL) before issue 29.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase } from '../../src-main/server/storage/sqlite.js';
import { copyCollection, downgradeFileToSchema11 } from '../../src-main/server/storage/schema/downgrade.js';
import { ForgetfulFs, forgetfulFsUnavailable } from '../support/powercut/forgetful-fs.js';
import { copyRealAnkiFixture } from '../support/real-anki-fixtures.js';

const unavailable = forgetfulFsUnavailable();
if (unavailable !== null) console.log(`﹣ ${unavailable}; the power-cut tests are skipped.`);

test('the scratch downgrade of a legacy download makes no fsync', { skip: unavailable ?? false }, async (t: TestContext) => {
  const fs = await ForgetfulFs.mount('posix');
  t.after(() => fs.close());
  const live = join(fs.root, 'collection.anki2');
  copyFileSync(copyRealAnkiFixture('v18-two-decks-16-notes.anki2'), live);
  const copy = join(fs.root, 'download.anki2');
  const db = openDatabase(live);
  try {
    db.pragma('journal_mode = WAL');
    db.exec('UPDATE col SET mod = 12345');
    copyCollection(db, copy);
  } finally {
    db.close();
  }
  await fs.arm(1_000_000); // counts from here; the power never goes
  downgradeFileToSchema11(copy, { scratch: true });
  const { ops, syncs } = await fs.operations();
  assert.ok(ops > 0, 'the downgrade wrote the file');
  assert.deepEqual(syncs, [], `fsyncs among the downgrade's ${ops} operations`);
  assert.deepEqual([...readFileSync(copy).subarray(18, 20)], [1, 1], 'the copy left WAL, as legacy clients need');
  const copied = openDatabase(copy, { fileMustExist: true });
  try {
    assert.deepEqual(copied.prepare('SELECT ver, mod FROM col').get(), { ver: 11, mod: 12345 });
    assert.equal(copied.prepare('PRAGMA integrity_check').pluck().get(), 'ok');
  } finally {
    copied.close();
  }
});
