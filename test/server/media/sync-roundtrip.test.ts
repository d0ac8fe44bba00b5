// Two devices syncing media through a real server over real HTTP, each running
// the reference client's algorithm against its own media folder
// (rslib sync/media/tests.rs: sanity_check, media_roundtrip, parallel_requests).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { ResyncRequiredError } from '../../support/media-client.js';
import { buildUploadZip } from '../../support/media-zips.js';
import { createMediaDevice, startMediaServer, withMediaServer } from '../../support/media-server.js';

const sha1hex = (data: Buffer | string) => createHash('sha1').update(data).digest('hex');

test('sanity_check: after a sync, mediaSanity says OK for the right count and mediaSanity for one more', async () => {
  await withMediaServer(async (server) => {
    const device = server.device('one');
    device.addFile('a.jpg', 'a');
    device.addFile('b.jpg', 'b');
    await device.sync();
    assert.equal(await device.api.mediaSanity(2), 'OK');
    assert.equal(await device.api.mediaSanity(3), 'mediaSanity');
  });
});

test('media_roundtrip: adds, a change and deletions travel both ways until both folders are empty', async () => {
  await withMediaServer(async (server) => {
    const one = server.device('one');
    const two = server.device('two');
    await one.sync();
    await two.sync();
    one.addFile('manual1', 'manual1');
    one.addFile('auto1', 'auto1');
    one.addFile('manual2', 'manual2');
    await one.sync();
    const received = await two.sync();
    assert.deepEqual(received.downloaded.sort(), ['auto1', 'manual1', 'manual2']);
    assert.equal(two.readFile('manual2').toString(), 'manual2');

    two.addFile('manual1', 'changed1');
    two.removeFile('manual2');
    await two.sync();
    await one.sync();
    assert.equal(one.readFile('manual1').toString(), 'changed1');
    assert.deepEqual(one.fileNames(), ['auto1', 'manual1']);

    one.removeFile('manual1');
    two.removeFile('auto1');
    await one.sync();
    await two.sync();
    await one.sync();
    assert.deepEqual(one.fileNames(), []);
    assert.deepEqual(two.fileNames(), []);
    // Deleted files stay on the server as tombstones, each with its own usn.
    const changes = await one.api.mediaChanges(0);
    assert.deepEqual(changes.map(([fname, , sha1]) => [fname, sha1]).sort(), [
      ['auto1', ''],
      ['manual1', ''],
      ['manual2', ''],
    ]);
  });
});

test('parallel_requests: identical re-uploads and repeated deletions take no usn; the first sync wins a conflict', async () => {
  await withMediaServer(async (server) => {
    const one = server.device('one');
    const two = server.device('two');
    one.addFile('auto', 'auto');
    two.addFile('auto', 'auto');
    await one.sync();
    // A second device uploading the same name and bytes, as if syncing in parallel.
    const before = (await one.api.begin()).usn;
    const same = await one.api.uploadChanges(await buildUploadZip([['auto', Buffer.from('auto')]]));
    assert.deepEqual(same, { processed: 1, currentUsn: before });
    assert.equal((await one.api.begin()).usn, before);

    one.removeFile('auto');
    two.removeFile('auto');
    await one.sync();
    const afterDelete = (await one.api.begin()).usn;
    const again = await one.api.uploadChanges(await buildUploadZip([['auto', null]]));
    assert.deepEqual(again, { processed: 1, currentUsn: afterDelete });
    assert.equal((await one.api.begin()).usn, afterDelete);

    one.addFile('diff', '1');
    two.addFile('diff', '2');
    await one.sync();
    await two.sync();
    assert.equal(one.readFile('diff').toString(), '1');
    assert.equal(two.readFile('diff').toString(), '1', 'server (first sync) content wins');
  });
});

test('an idle sync makes no changes: begin only, no mediaChanges, no upload, no mediaSanity', async () => {
  await withMediaServer(async (server) => {
    const device = server.device('one');
    device.addFile('x.png', 'x');
    await device.sync();
    const usn = (await device.api.begin()).usn;
    const idle = await device.sync();
    assert.deepEqual(idle.calls, ['begin']);
    const idleWithMetaUsn = await device.sync(usn);
    assert.deepEqual(idleWithMetaUsn.calls, [], 'with media_usn from meta, not even begin');
    assert.equal((await device.api.begin()).usn, usn);
  });
});

test('real names: unicode, spaces and double dots arrive byte for byte with lowercase sha1', async () => {
  await withMediaServer(async (server) => {
    const one = server.device('one');
    const two = server.device('two');
    const files: [string, string][] = [
      ['日本語 ✓.png', 'unicode'],
      ['name with spaces.mp3', 'spaces'],
      ['a..b.jpg', 'dots'],
      ['ünïcødé.ogg', 'accents'],
    ];
    for (const [name, content] of files) one.addFile(name, content);
    await one.sync();
    const changes = await one.api.mediaChanges(0);
    for (const [name, content] of files) {
      assert.ok(
        changes.some(([fname, , sha1]) => fname === name && sha1 === sha1hex(content)),
        name,
      );
    }
    await two.sync();
    for (const [name, content] of files) assert.equal(two.readFile(name).toString(), content, name);
  });
});

test('deletions both ways: each side deletes a file the other then loses', async () => {
  await withMediaServer(async (server) => {
    const one = server.device('one');
    const two = server.device('two');
    one.addFile('from-one.jpg', '1');
    two.addFile('from-two.jpg', '2');
    await one.sync();
    await two.sync();
    await one.sync();
    assert.deepEqual(one.fileNames(), ['from-one.jpg', 'from-two.jpg']);
    assert.deepEqual(two.fileNames(), ['from-one.jpg', 'from-two.jpg']);
    one.removeFile('from-two.jpg');
    two.removeFile('from-one.jpg');
    await one.sync();
    await two.sync();
    await one.sync();
    assert.deepEqual(one.fileNames(), []);
    assert.deepEqual(two.fileNames(), []);
    assert.equal(await one.api.mediaSanity(0), 'OK');
  });
});

test('a re-upload of identical bytes by a device that lost its media state leaves the usn unchanged', async () => {
  await withMediaServer(async (server) => {
    const one = server.device('one');
    for (let i = 0; i < 5; i++) one.addFile(`f${i}.jpg`, `content ${i}`);
    await one.sync();
    const usn = (await one.api.begin()).usn;
    // A second device holding the same files syncs for the first time: it fetches
    // the server's records, finds the same checksums, and uploads nothing.
    const two = server.device('two');
    for (let i = 0; i < 5; i++) two.addFile(`f${i}.jpg`, `content ${i}`);
    const report = await two.sync();
    assert.deepEqual(report.uploadReplies, []);
    assert.deepEqual(report.downloaded, []);
    assert.equal((await two.api.begin()).usn, usn);
  });
});

test('a device pointed at a fresh server: mediaSanity, "sync again", then everything is uploaded and OK', async () => {
  const first = await startMediaServer();
  const device = createMediaDevice(first.transport());
  for (let i = 0; i < 3; i++) device.addFile(`kept${i}.jpg`, `kept ${i}`);
  await device.sync();
  await first.stop();

  const fresh = await startMediaServer();
  try {
    device.withTransport(fresh.transport());
    device.addFile('new.jpg', 'new');
    await assert.rejects(device.sync(), (error: unknown) => error instanceof ResyncRequiredError);
    assert.equal(device.lastUsn(), 0, 'the client wiped its media state');
    const second = await device.sync();
    assert.equal(second.calls.at(-1), 'mediaSanity');
    assert.equal(await device.api.mediaSanity(4), 'OK');
    assert.equal((await fresh.device('two').sync()).downloaded.length, 4);
  } finally {
    device.remove();
    await fresh.stop();
  }
});
