// The app with its storage folder on a drive that goes away. While the server
// runs, the window says so in its alerts and clears them when the drive is
// back. At a start with the drive gone, the folder is not made afresh on
// another disk (its devices would upload there): the start is refused, in
// words, until the drive is back; so is a start on the empty mount point left
// in its place. A folder chosen afresh in Settings is meant, and starts. Real
// controller, real server, real files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, renameSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../../src-main/controller/errors.js';
import { SyncHttpError } from '../support/v11-transport.js';
import { appWithAlice16Notes } from '../support/controller-harness.js';

test('a storage drive removed: alerted while running, refused at start, and everything as before once it is back', async (t) => {
  const { app, device } = await appWithAlice16Notes(t);
  const unplugged = `${app.storage}-unplugged`;

  // Removed while the server runs.
  renameSync(app.storage, unplugged);
  await assert.rejects(device.meta(), (error) => error instanceof SyncHttpError && error.status === 503);
  const alerts = (await app.controller.state()).alerts;
  assert.equal(alerts.length, 1, alerts.join('\n'));
  assert.match(alerts[0]!, /^The storage folder .* is not there any more\. If it is on a drive, reconnect the drive\./);
  renameSync(unplugged, app.storage);
  assert.equal((await device.meta()).empty, false);
  assert.deepEqual((await app.controller.state()).alerts, [], 'the alert goes once the drive is back');

  // Removed while the server is stopped: the next start is refused, and makes nothing.
  await app.controller.stop();
  renameSync(app.storage, unplugged);
  await assert.rejects(app.controller.start(), (error) => {
    assert.ok(error instanceof AppError && error.code === 'folder-missing', String(error));
    assert.match(error.message, /is not there\. If it is on a drive, connect the drive, then start the server\./);
    return true;
  });
  assert.equal(existsSync(app.storage), false, 'no empty storage folder was made in its place');
  assert.equal(app.controller.serverStatus.state, 'error');

  // The drive's mount point is left behind, empty: refused too, and nothing is made in it.
  mkdirSync(app.storage);
  await assert.rejects(app.controller.start(), (error) => {
    assert.ok(error instanceof AppError && error.code === 'folder-missing', String(error));
    assert.match(error.message, /holds none of Anki Home Sync's files\. If it is on a drive, connect the drive/);
    return true;
  });
  assert.deepEqual(readdirSync(app.storage), []);
  rmdirSync(app.storage);

  renameSync(unplugged, app.storage);
  await app.controller.start();
  const meta = await device.meta();
  assert.equal(meta.empty, false, 'the collection on the drive is served again');

  // A folder chosen afresh in Settings is meant: the server starts there, empty.
  const fresh = join(app.folder, 'new-drive');
  await app.controller.setStorageFolder(fresh);
  assert.equal(app.controller.serverStatus.state, 'running');
  await device.login('alice', 'pw');
  assert.equal((await device.meta()).empty, true);
});
