// Legacy clients (sync versions 9 and 10) against the real server: login,
// meta's version rules, full upload of schema-11 files (upgraded to 18 before
// install) and full download of a schema-11 copy (the live file stays 18).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startTestServer, plainUser, type TestServer } from '../../support/test-server.js';
import { LegacyClient } from '../../support/legacy-client.js';
import { V11Client } from '../../support/v11-client.js';
import { SyncHttpError } from '../../support/v11-transport.js';
import { copyRealAnkiFixture } from '../../support/real-anki-fixtures.js';
import { collectionContent, colStamps, integrityCheck } from '../../support/collection-rows.js';
import { collectionObjects } from '../../support/collection-objects.js';
import { upgradeFileToSchema18 } from '../../../src-main/server/storage/schema/upgrade.js';
import { downgradeFileToSchema11 } from '../../../src-main/server/storage/schema/downgrade.js';
import { openDatabase } from '../../../src-main/server/storage/sqlite.js';
import { SCHEMA18_DOWNGRADE_SQL } from '../../../src-main/server/storage/schema/schema18.js';
import { deckConfigConfigCodec } from '../../../src-main/server/storage/proto-codec.js';
import { CORRUPT_MESSAGE } from '../../../src-main/server/collection/full-sync.js';
import { V2_SCHEDULER_MESSAGE, V2_TIMEZONE_MESSAGE } from '../../../src-main/server/collection/legacy-version-rules.js';
import { makeTempFolder } from '../../support/temp-folder.js';

const USER = plainUser('user', 'pass');

function tempPath(name = 'collection.anki2'): string {
  return join(makeTempFolder('ahs-legacy-'), name);
}

/** A schema-11 copy of a schema-18 file, as a legacy client would hold it. */
function schema11Copy(schema18: string): string {
  const path = tempPath();
  copyFileSync(schema18, path);
  downgradeFileToSchema11(path);
  return path;
}

/** What a legacy client checks before it replaces its collection with a download (2.1.16 FullSyncer.download). */
function assertOpensAsLegacyFile(bytes: Buffer): string {
  const path = tempPath();
  writeFileSync(path, bytes);
  assert.equal(bytes.subarray(0, 16).toString('latin1'), 'SQLite format 3\0');
  // Header bytes 18/19: 1 = rollback journal (DELETE), 2 = WAL. Old clients need 1.
  assert.deepEqual([bytes[18], bytes[19]], [1, 1]);
  // Plain SQLite, no unicase collation: what Python's sqlite3 module has.
  const db = new Database(path, { fileMustExist: true });
  try {
    assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
    assert.equal(db.prepare('SELECT ver FROM col').pluck().get(), 11);
    assert.equal(db.pragma('journal_mode', { simple: true }), 'delete');
    const schemaSql = (db.prepare('SELECT group_concat(sql) FROM sqlite_master').pluck().get() as string) ?? '';
    assert.doesNotMatch(schemaSql, /unicase/i);
    for (const column of ['models', 'decks', 'dconf', 'conf', 'tags']) {
      const text = db.prepare(`SELECT ${column} FROM col`).pluck().get() as string;
      assert.equal(typeof JSON.parse(text), 'object', `col.${column} is JSON`);
    }
  } finally {
    db.close();
  }
  return path;
}

for (const style of ['python', 'rust'] as const) {
  for (const syncVersion of [9, 10]) {
    describe(`legacy full sync, ${style} client, sync version ${syncVersion}`, () => {
      let server: TestServer;
      before(async () => {
        server = await startTestServer({ users: [USER] });
      });
      after(() => server.close());

      test('login: the same host key as v11, and 403 for a wrong password', async () => {
        const client = new LegacyClient(server.baseUrl, { style, syncVersion });
        assert.equal(await client.login('user', 'pass'), USER.hostKey);
        await assert.rejects(new LegacyClient(server.baseUrl, { style }).login('user', 'nope'), (e: SyncHttpError) => e.status === 403);
      });

      test('meta of a new server collection lets the client go on, raw JSON', async () => {
        const client = new LegacyClient(server.baseUrl, { style, syncVersion, hostKey: USER.hostKey });
        const meta = (await client.meta()) as Record<string, unknown>;
        assert.equal(meta.cont, true);
        assert.equal(meta.msg, '');
        assert.equal(meta.hostNum, 0);
        assert.equal(meta.mod, 0);
        assert.equal(meta.empty, true);
        for (const key of ['scm', 'usn', 'ts']) assert.equal(typeof meta[key], 'number');
      });

      test('full upload of a schema-11 file, then a schema-11 download holding the same rows and objects', async () => {
        const client = new LegacyClient(server.baseUrl, { style, syncVersion, hostKey: USER.hostKey });
        const device = schema11Copy(copyRealAnkiFixture('v18-two-decks-16-notes.anki2'));
        const stamps = colStamps(device);
        assert.equal(await client.fullUpload(device), 'OK');

        // Installed as schema 18, its stamps kept: the uploader sees "no changes".
        const live = server.paths('user').collection;
        assert.equal(collectionContent(live).ver, 18);
        assert.deepEqual(integrityCheck(live), ['ok']);
        const meta = (await client.meta()) as { mod: number; scm: number; usn: number };
        assert.deepEqual([meta.mod, meta.scm, meta.usn], [stamps.mod, stamps.scm, stamps.usn]);

        const liveBefore = readFileSync(live);
        const downloaded = assertOpensAsLegacyFile(await client.fullDownload(tempPath()));
        // The live file is still schema 18 (only the reference's usn/mod bump reached it),
        // and the schema-11 copy that was sent is gone.
        assert.equal(collectionContent(live).ver, 18);
        // (The server removes it once the last byte is handed over, which may be just after we have it.)
        const copies = () => readdirSync(server.paths('user').folder).filter((name) => name.startsWith('download-'));
        for (let tries = 0; copies().length > 0 && tries < 100; tries++) await new Promise((resolve) => setTimeout(resolve, 20));
        assert.deepEqual(copies(), []);
        assert.ok(statSync(live).size > 0 && liveBefore.length > 0);
        assert.equal(colStamps(live).usn, stamps.usn + 1);

        const got = collectionContent(downloaded);
        const want = collectionContent(device);
        assert.deepEqual(got.notes, want.notes);
        assert.deepEqual(got.cards, want.cards);
        assert.deepEqual(got.revlog, want.revlog);

        // Upgraded back, the download holds the objects the server holds.
        upgradeFileToSchema18(downloaded, { server: false });
        assert.deepEqual(collectionObjects(downloaded), collectionObjects(live));
        assert.deepEqual(integrityCheck(downloaded), ['ok']);
      });

      test('a corrupt upload is refused with the reference sentence and changes nothing', async () => {
        const client = new LegacyClient(server.baseUrl, { style, syncVersion, hostKey: USER.hostKey });
        const live = server.paths('user').collection;
        const before = readFileSync(live);
        const garbage = tempPath();
        writeFileSync(garbage, Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(5000, 7)]));
        assert.equal(await client.fullUpload(garbage), CORRUPT_MESSAGE);
        assert.ok(readFileSync(live).equals(before));
      });
    });
  }
}

describe('legacy version rules and the mixed pair', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ users: [USER] });
  });
  after(() => server.close());

  test('meta: 8 is refused on a v2-scheduler collection; 9 on a creationOffset collection; 7 and 12 get 501', async () => {
    const v8 = new LegacyClient(server.baseUrl, { syncVersion: 8, hostKey: USER.hostKey });
    const refused = (await v8.meta()) as { cont: boolean; msg: string };
    assert.deepEqual([refused.cont, refused.msg], [false, V2_SCHEDULER_MESSAGE]);
    for (const version of [7, 12]) {
      const client = new LegacyClient(server.baseUrl, { syncVersion: version, hostKey: USER.hostKey });
      await assert.rejects(client.meta(), (e: SyncHttpError) => e.status === 501);
    }
    // A desktop-made collection carries creationOffset (the v2 timezone).
    const v11 = new V11Client(server.baseUrl, { hostKey: USER.hostKey });
    assert.equal(await v11.fullUpload(copyRealAnkiFixture('v18-empty-stock-notetypes.anki2')), 'OK');
    const v9 = (await new LegacyClient(server.baseUrl, { syncVersion: 9, hostKey: USER.hostKey }).meta()) as { cont: boolean; msg: string };
    assert.deepEqual([v9.cont, v9.msg], [false, V2_TIMEZONE_MESSAGE]);
    const v10 = (await new LegacyClient(server.baseUrl, { syncVersion: 10, hostKey: USER.hostKey }).meta()) as { cont: boolean };
    assert.equal(v10.cont, true);
  });

  test('a missing or unknown k is a 403, as the reference answers an unknown host key', async () => {
    const noKey = new LegacyClient(server.baseUrl, { syncVersion: 10 });
    await assert.rejects(noKey.call('meta', { v: 10, cv: 'x' }), (e: SyncHttpError) => e.status === 403);
    const wrongKey = new LegacyClient(server.baseUrl, { syncVersion: 10, hostKey: 'f'.repeat(40) });
    await assert.rejects(wrongKey.meta(), (e: SyncHttpError) => e.status === 403);
    await assert.rejects(wrongKey.fullDownload(tempPath()), (e: SyncHttpError) => e.status === 403);
  });

  test('a v11 upload is downloaded as schema 11 by a legacy device, and a legacy upload as schema 18 by a v11 device', async () => {
    const v11 = new V11Client(server.baseUrl, { hostKey: USER.hostKey });
    const legacy = new LegacyClient(server.baseUrl, { syncVersion: 10, hostKey: USER.hostKey });
    const original = copyRealAnkiFixture('v18-two-decks-16-notes.anki2');
    assert.equal(await v11.fullUpload(original), 'OK');
    const asLegacy = assertOpensAsLegacyFile(await legacy.fullDownload(tempPath()));
    assert.deepEqual(collectionContent(asLegacy).notes, collectionContent(original).notes);

    // The legacy device uploads what it has (schema 11); the v11 device gets 18.
    assert.equal(await legacy.fullUpload(asLegacy), 'OK');
    const asV11 = tempPath();
    await v11.fullDownload(asV11);
    assert.equal(collectionContent(asV11).ver, 18);
    assert.deepEqual(collectionContent(asV11).cards, collectionContent(original).cards);
    upgradeFileToSchema18(asLegacy, { server: false });
    assert.deepEqual(collectionObjects(asV11), collectionObjects(asLegacy));
  });

  test('a schema-15 file over the legacy envelope is upgraded to 18 before it is installed, the old one backed up', async () => {
    const legacy = new LegacyClient(server.baseUrl, { syncVersion: 10, hostKey: USER.hostKey });
    const path = copyRealAnkiFixture('v18-two-decks-16-notes.anki2');
    const want = collectionObjects(path);
    const db = openDatabase(path);
    try {
      // Rewound to what Anki 2.1.28-era files held (as in the storage upgrade test).
      db.exec(SCHEMA18_DOWNGRADE_SQL);
      db.exec('DROP TABLE tags; CREATE TABLE tags (tag text NOT NULL PRIMARY KEY COLLATE unicase, usn integer NOT NULL) without rowid');
      for (const row of db.prepare('SELECT id, config FROM deck_config').all() as { id: number; config: Buffer }[]) {
        const config = deckConfigConfigCodec.decode(row.config);
        config.initial_ease = Math.fround(config.initial_ease * 100);
        db.prepare('UPDATE deck_config SET config = ? WHERE id = ?').run(deckConfigConfigCodec.encode(config), row.id);
      }
      db.exec('UPDATE col SET ver = 15');
      db.pragma('journal_mode = DELETE');
    } finally {
      db.close();
    }
    await server.server.snapshotsSettled();
    const keptBefore = (await server.server.snapshots('user').list()).filter((entry) => entry.kind === 'before-full-upload').length;
    assert.equal(await legacy.fullUpload(path), 'OK');
    const live = server.paths('user').collection;
    assert.equal(collectionContent(live).ver, 18);
    assert.deepEqual(integrityCheck(live), ['ok']);
    assert.deepEqual(collectionObjects(live), want);
    await server.server.snapshotsSettled();
    const keptAfter = (await server.server.snapshots('user').list()).filter((entry) => entry.kind === 'before-full-upload').length;
    assert.equal(keptAfter, keptBefore + 1, 'the replaced collection is kept as a snapshot (issue 24)');
  });

  test('a schema-11 collection written by real Anki uploads over the legacy envelope and comes back to v11 as 18', async () => {
    const legacy = new LegacyClient(server.baseUrl, { syncVersion: 10, hostKey: USER.hostKey });
    const file = copyRealAnkiFixture('v11-mediacheck.anki2');
    const want = collectionContent(file);
    assert.equal(await legacy.fullUpload(file), 'OK');
    const back = tempPath();
    await new V11Client(server.baseUrl, { hostKey: USER.hostKey }).fullDownload(back);
    assert.equal(collectionContent(back).ver, 18);
    assert.deepEqual(collectionContent(back).notes, want.notes);
  });
});
