// The media store inside the running server: media.db at start-up, media_usn in
// meta, the activity list, and a second server refused on the same folder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { REAL_ANKI_FIXTURES } from '../../support/fixture-paths.js';
import { SyncServer } from '../../../src-main/server/server.js';
import { silentLogger } from '../../../src-main/server/report/log.js';
import { buildUploadZip } from '../../support/media-zips.js';
import { startMediaServer } from '../../support/media-server.js';
import { plainUser } from '../../support/test-server.js';
import { V11Client } from '../../support/v11-client.js';

test('every user gets a folder, media/ and a version-4 media.db at start-up', async () => {
  const server = await startMediaServer();
  try {
    assert.ok(existsSync(server.paths.mediaFolder));
    assert.ok(existsSync(server.paths.mediaDb));
    await server.test.server.stop(); // releases media.db, keeps the folder
    const db = new Database(server.paths.mediaDb, { readonly: true, fileMustExist: true });
    try {
      assert.equal(db.pragma('user_version', { simple: true }), 4);
    } finally {
      db.close();
    }
  } finally {
    await server.stop();
  }
});

test('meta reports media_usn from the media store', async () => {
  const server = await startMediaServer();
  try {
    // meta needs a collection; a copy of one written by real Anki will do.
    copyFileSync(join(REAL_ANKI_FIXTURES, 'v18-empty-stock-notetypes.anki2'), server.paths.collection);
    const client = new V11Client(server.baseUrl, { hostKey: server.hostKey });
    assert.equal((await client.meta()).media_usn, 0);
    await server.api().uploadChanges(
      await buildUploadZip([
        ['a', Buffer.from('1')],
        ['b', Buffer.from('2')],
      ]),
    );
    await server.api().uploadChanges(await buildUploadZip([['a', null]]));
    assert.equal((await client.meta()).media_usn, 3);
    // A 23.10+ client starts its media sync from this number and skips begin.
    const device = server.device('d');
    const report = await device.sync((await client.meta()).media_usn);
    assert.equal(report.calls[0], 'mediaChanges');
    assert.deepEqual(device.fileNames(), ['b']);
  } finally {
    await server.stop();
  }
});

test('a media sync that moved files is listed once, at its mediaSanity', async () => {
  const server = await startMediaServer();
  try {
    const one = server.device('one');
    one.addFile('x.jpg', 'x');
    one.addFile('y.jpg', 'y');
    await one.sync();
    const two = server.device('two');
    await two.sync();
    const media = server.test.activity.filter((event) => event.kind === 'media-sync');
    assert.equal(media.length, 2);
    assert.equal(media[0]!.username, 'user');
    assert.match(media[0]!.detail ?? '', /2 files received/);
    assert.match(media[1]!.detail ?? '', /2 files sent/);
  } finally {
    await server.stop();
  }
});

test('a second server on the same folder refuses to start: media.db is held', async () => {
  const server = await startMediaServer();
  try {
    const second = new SyncServer(
      { host: '127.0.0.1', port: 0, baseFolder: server.baseFolder, maxPayloadMegs: 100, users: [plainUser('user', 'pass')] },
      { logger: silentLogger },
    );
    await assert.rejects(second.start(), /media\.db.*in use/);
    await second.stop();
  } finally {
    await server.stop();
  }
});
