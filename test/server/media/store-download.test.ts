// The media store's downloadFiles against a real media folder and media.db.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { BadRequestError, ConflictError } from '../../../src-main/server/errors.js';
import { buildUploadZip } from '../../support/media-zips.js';
import { readDownloadZip } from '../../support/media-zip-reader.js';
import { withMediaStore } from '../../support/temp-user.js';

const MiB = 1024 * 1024;

test('files come back in request order as members 0..n-1 then _meta', async () => {
  await withMediaStore(async (store) => {
    await store.uploadChanges(
      await buildUploadZip([
        ['b.jpg', Buffer.from('bee')],
        ['日本語 ✓.png', Buffer.from('unicode')],
        ['a..b.jpg', Buffer.from('dots')],
      ]),
    );
    const zip = await readDownloadZip(await store.downloadFiles(['a..b.jpg', 'b.jpg', '日本語 ✓.png']));
    assert.deepEqual(zip.order, ['0', '1', '2', '_meta']);
    assert.deepEqual(zip.meta, { '0': 'a..b.jpg', '1': 'b.jpg', '2': '日本語 ✓.png' });
    assert.deepEqual(
      zip.members.map((m) => m.data.toString()),
      ['dots', 'bee', 'unicode'],
    );
  });
});

test('three 2 MiB files: the answer stops after the second, which crosses 2.5 MiB', async () => {
  await withMediaStore(async (store) => {
    const files = ['one', 'two', 'three'].map((name, i) => [name, Buffer.alloc(2 * MiB, i + 1)] as const);
    for (const file of files) await store.uploadChanges(await buildUploadZip([file]));
    const zip = await readDownloadZip(await store.downloadFiles(['one', 'two', 'three']));
    assert.deepEqual(zip.meta, { '0': 'one', '1': 'two' });
    assert.deepEqual(zip.members[1]!.data, files[1]![1]);
    const rest = await readDownloadZip(await store.downloadFiles(['three']));
    assert.deepEqual(rest.meta, { '0': 'three' });
  });
});

test('a single file over 2.5 MiB is still returned', async () => {
  await withMediaStore(async (store) => {
    await store.uploadChanges(
      await buildUploadZip([
        ['big', Buffer.alloc(3 * MiB, 9)],
        ['small', Buffer.from('s')],
      ]),
    );
    const zip = await readDownloadZip(await store.downloadFiles(['big', 'small']));
    assert.deepEqual(zip.meta, { '0': 'big' });
  });
});

test('26 names is a 400; unknown, deleted or hostile names are a 409', async () => {
  await withMediaStore(async (store) => {
    await store.uploadChanges(
      await buildUploadZip([
        ['live', Buffer.from('l')],
        ['dead', Buffer.from('d')],
      ]),
    );
    await store.uploadChanges(await buildUploadZip([['dead', null]]));
    await assert.rejects(store.downloadFiles(Array.from({ length: 26 }, () => 'live')), (e: unknown) => e instanceof BadRequestError);
    for (const name of ['nope', 'dead', '../media.db', '/etc/passwd', 'LIVE']) {
      await assert.rejects(store.downloadFiles(['live', name]), (e: unknown) => e instanceof ConflictError, name);
    }
  });
});

test('a file missing from disk: 409, its row forgotten without a tombstone, sanity count drops', async () => {
  await withMediaStore(async (store, paths) => {
    await store.uploadChanges(
      await buildUploadZip([
        ['keep', Buffer.from('k')],
        ['vanished', Buffer.from('v')],
      ]),
    );
    assert.equal(store.sanityCheck(2), 'OK');
    rmSync(join(paths.mediaFolder, 'vanished'));
    await assert.rejects(store.downloadFiles(['keep', 'vanished']), (e: unknown) => e instanceof ConflictError);
    assert.equal(store.sanityCheck(1), 'OK');
    assert.equal(store.lastUsn(), 2, 'no usn for forgetting');
    assert.deepEqual(
      store.changesAfter(0).map((c) => c[0]),
      ['keep'],
    );
    const retry = await readDownloadZip(await store.downloadFiles(['keep']));
    assert.deepEqual(retry.meta, { '0': 'keep' });
  });
});
