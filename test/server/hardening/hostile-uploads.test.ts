// Full uploads that are valid SQLite but not a collection a real client writes:
// each gets the reference's "Your upload was corrupt" answer, and the live
// collection stays exactly as it was, still serving meta and downloads.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startLoggedIn, type TestServer } from '../../support/test-server.js';
import { V11Client } from '../../support/v11-client.js';
import { copyRealAnkiFixture } from '../../support/real-anki-fixtures.js';
import { CORRUPT_MESSAGE } from '../../../src-main/server/collection/full-sync.js';
import { openDatabase } from '../../../src-main/server/storage/sqlite.js';
import { makeTempFolder } from '../../support/temp-folder.js';
import { collectionContent } from '../../support/collection-rows.js';

let server: TestServer;
let client: V11Client;
before(async () => {
  ({ server, client } = await startLoggedIn());
  assert.equal(await client.fullUpload(copyRealAnkiFixture('v18-two-decks-16-notes.anki2')), 'OK');
});
after(() => server.close());

const sha1 = (path: string): string => createHash('sha1').update(readFileSync(path)).digest('hex');

/** The real 16-note collection with `sql` run on it. */
function tampered(sql: string, fixture = 'v18-two-decks-16-notes.anki2'): string {
  const path = copyRealAnkiFixture(fixture);
  const db = openDatabase(path);
  try {
    db.exec(sql);
  } finally {
    db.close();
  }
  return path;
}

const HOSTILE: [string, string][] = [
  ['a trigger on col that deletes every note', 'CREATE TRIGGER wipe AFTER UPDATE ON col BEGIN DELETE FROM notes; END;'],
  ['a trigger that calls load_extension', "CREATE TRIGGER ext AFTER UPDATE ON col BEGIN SELECT load_extension('/tmp/evil.so'); END;"],
  ['the notes table dropped', 'DROP TABLE notes;'],
  ['a view', 'CREATE VIEW everything AS SELECT * FROM notes;'],
  ['an extra table', 'CREATE TABLE extra (x);'],
  ['an extra index', 'CREATE INDEX extra_ix ON notes (flds);'],
  ['an index missing', 'DROP INDEX ix_notes_csum;'],
  [
    'a column with another type',
    'ALTER TABLE revlog RENAME TO old; CREATE TABLE revlog (id integer PRIMARY KEY, cid text, usn integer NOT NULL, ease integer NOT NULL, ivl integer NOT NULL, lastIvl integer NOT NULL, factor integer NOT NULL, time integer NOT NULL, type integer NOT NULL); INSERT INTO revlog SELECT * FROM old; DROP TABLE old; CREATE INDEX ix_revlog_usn ON revlog (usn); CREATE INDEX ix_revlog_cid ON revlog (cid);',
  ],
  ['an extra column', 'ALTER TABLE cards ADD COLUMN extra integer;'],
  [
    'graves with a rowid again',
    'ALTER TABLE graves RENAME TO g; CREATE TABLE graves (oid integer NOT NULL, type integer NOT NULL, usn integer NOT NULL, PRIMARY KEY (oid, type)); INSERT INTO graves SELECT * FROM g; DROP TABLE g; CREATE INDEX idx_graves_pending ON graves (usn);',
  ],
];

for (const [what, sql] of HOSTILE) {
  test(`an upload with ${what} is refused as corrupt, and the live collection is untouched`, async () => {
    const live = server.paths('user').collection;
    const before = sha1(live);
    assert.equal(await client.fullUpload(tampered(sql)), CORRUPT_MESSAGE);
    assert.equal(sha1(live), before, 'the live collection is byte-identical');
    // The account still works: meta, then a download with every note.
    await client.meta();
    const device = join(makeTempFolder('ahs-device-'), 'collection.anki2');
    await client.fullDownload(device);
    assert.equal(collectionContent(device).notes.length, 16);
    const refusal = server.activity.filter((event) => event.kind === 'error').at(-1);
    assert.match(refusal?.detail ?? '', /full upload refused/);
  });
}

test('a schema-11 upload with a trigger is refused before the upgrade to 18 could fire it', async () => {
  const path = tampered('CREATE TRIGGER wipe AFTER UPDATE ON col BEGIN DELETE FROM notes; END;', 'v11-mediacheck.anki2');
  assert.equal(await client.fullUpload(path), CORRUPT_MESSAGE);
});

test('the files real Anki wrote still upload, sqlite_stat1 and all', async () => {
  for (const name of ['v18-empty-stock-notetypes.anki2', 'v11-mediacheck.anki2', 'v18-two-decks-16-notes.anki2']) {
    assert.equal(await client.fullUpload(copyRealAnkiFixture(name)), 'OK', name);
  }
});
