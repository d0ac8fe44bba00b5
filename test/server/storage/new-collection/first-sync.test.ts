// A brand-new user seen through the protocol: the first `meta` creates the
// empty collection, and it tells a fresh client "no changes" (docs/protocol/collection-sync.md §5.3).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase } from '../../../../src-main/server/storage/sqlite.js';
import { startTestServer } from '../../../support/test-server.js';
import { V11Client } from '../../../support/v11-client.js';
import { makeTempFolder } from '../../../support/temp-folder.js';

test('the first meta creates the empty collection; a second device can download it', async () => {
  const server = await startTestServer();
  const device = makeTempFolder('device-');
  try {
    const paths = server.paths('user');
    assert.equal(existsSync(paths.collection), false);
    const client = new V11Client(server.baseUrl);
    await client.login('user', 'pass');
    const before = Date.now();
    const first = await client.meta();
    // A fresh client (mod 0, no cards) compares equal: no full-sync prompt.
    assert.equal(first.mod, 0);
    assert.equal(first.usn, 0);
    assert.equal(first.empty, true);
    assert.ok(first.scm > 0 && first.scm <= Date.now() && first.scm >= before - 1000, `scm ${first.scm}`);
    assert.equal(existsSync(paths.collection), true);
    // The collection is made once: the next meta sees the same one.
    const second = await client.meta();
    assert.equal(second.scm, first.scm);

    const downloaded = join(device, 'collection.anki2');
    await client.fullDownload(downloaded);
    const db = openDatabase(downloaded, { readonly: true });
    try {
      assert.equal(db.prepare('PRAGMA integrity_check').pluck().get(), 'ok');
      assert.equal(db.prepare('SELECT ver FROM col').pluck().get(), 18);
      assert.equal(db.prepare('SELECT count(*) FROM notetypes').pluck().get(), 6);
      assert.equal(db.prepare('SELECT count(*) FROM cards').pluck().get(), 0);
      assert.equal(db.prepare('SELECT scm FROM col').pluck().get(), first.scm);
    } finally {
      db.close();
    }
  } finally {
    await server.close();
    rmSync(device, { recursive: true, force: true });
  }
});
