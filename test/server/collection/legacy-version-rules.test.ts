// The version rules on real collections written by Anki.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase } from '../../../src-main/server/storage/sqlite.js';
import { REAL_ANKI_FIXTURES } from '../../support/fixture-paths.js';
import {
  legacyVersionRefusal,
  V2_SCHEDULER_MESSAGE,
  V2_TIMEZONE_MESSAGE,
} from '../../../src-main/server/collection/legacy-version-rules.js';
import { makeTempFolder } from '../../support/temp-folder.js';

function withFixtureCopy(name: string, run: (db: ReturnType<typeof openDatabase>) => void): void {
  const folder = makeTempFolder('version-rules-');
  try {
    const path = join(folder, 'collection.anki2');
    copyFileSync(join(REAL_ANKI_FIXTURES, name), path);
    const db = openDatabase(path);
    try {
      run(db);
    } finally {
      db.close();
    }
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

function setConfig(db: ReturnType<typeof openDatabase>, key: string, value: unknown): void {
  db.prepare('INSERT OR REPLACE INTO config (KEY, usn, mtime_secs, val) VALUES (?, 0, 0, ?)').run(key, Buffer.from(JSON.stringify(value)));
}

test('a desktop-made collection (v2 scheduler, creationOffset) refuses 8 and 9, accepts 10 and 11', () => {
  withFixtureCopy('v18-empty-stock-notetypes.anki2', (db) => {
    const offset = db.prepare("SELECT val FROM config WHERE KEY = 'creationOffset'").get() as { val: Buffer } | undefined;
    assert.ok(offset, 'the fixture carries creationOffset');
    assert.equal(legacyVersionRefusal(db, 8), V2_SCHEDULER_MESSAGE);
    assert.equal(legacyVersionRefusal(db, 9), V2_TIMEZONE_MESSAGE);
    assert.equal(legacyVersionRefusal(db, 10), null);
    assert.equal(legacyVersionRefusal(db, 11), null);
  });
});

test('without creationOffset, version 9 may sync; version 8 only on the v1 scheduler', () => {
  withFixtureCopy('v18-empty-stock-notetypes.anki2', (db) => {
    db.prepare("DELETE FROM config WHERE KEY = 'creationOffset'").run();
    setConfig(db, 'schedVer', 2);
    assert.equal(legacyVersionRefusal(db, 9), null);
    assert.equal(legacyVersionRefusal(db, 8), V2_SCHEDULER_MESSAGE);
    setConfig(db, 'schedVer', 1);
    assert.equal(legacyVersionRefusal(db, 8), null);
    db.prepare("DELETE FROM config WHERE KEY = 'schedVer'").run();
    assert.equal(legacyVersionRefusal(db, 8), null, 'no schedVer reads as v1');
    // The reference's server-made collection writes creationOffset: null, which is unset.
    setConfig(db, 'creationOffset', null);
    assert.equal(legacyVersionRefusal(db, 9), null);
    setConfig(db, 'creationOffset', -60);
    assert.equal(legacyVersionRefusal(db, 9), V2_TIMEZONE_MESSAGE);
  });
});
