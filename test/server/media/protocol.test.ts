// The /msync methods' request and answer shapes over real HTTP (v11: anki-sync
// header, zstd both ways), checked against what the reference client parses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { MediaHttpError, envelopeData } from '../../support/media-api.js';
import { buildUploadZip, buildZip, buildZipWithMeta } from '../../support/media-zips.js';
import { readDownloadZip } from '../../support/media-zip-reader.js';
import { withMediaServer } from '../../support/media-server.js';

const MiB = 1024 * 1024;
const sha1hex = (data: Buffer | string) => createHash('sha1').update(data).digest('hex');

async function status(promise: Promise<unknown>): Promise<number> {
  try {
    await promise;
    return 200;
  } catch (error) {
    if (error instanceof MediaHttpError) return error.status;
    throw error;
  }
}

test('begin answers {"data": {"usn", "sk": <the host key>}, "err": ""}', async () => {
  await withMediaServer(async (server) => {
    const raw = await server.transport().call('begin', Buffer.from(JSON.stringify({ v: 'anki,26.08.1 (abc),linux' })));
    assert.deepEqual(JSON.parse(raw.toString()), { data: { usn: 0, sk: server.hostKey }, err: '' });
  });
});

test('begin without a client version is a 400; a wrong host key is a 403', async () => {
  await withMediaServer(async (server) => {
    assert.equal(await status(server.transport().call('begin', Buffer.from('{}'))), 400);
    assert.equal(await status(server.transport().call('begin', Buffer.from('{"v": ""}'))), 400);
    assert.equal(await status(server.transport('0'.repeat(40)).call('begin', Buffer.from('{"v": "x"}'))), 403);
    assert.equal(
      await status(server.transport('0'.repeat(40)).call('mediaChanges', Buffer.from('not json'))),
      403,
      'auth wins over bad JSON',
    );
  });
});

test('media bodies of the wrong shape are a 400', async () => {
  await withMediaServer(async (server) => {
    const call = (method: 'mediaChanges' | 'downloadFiles' | 'mediaSanity', body: string) =>
      status(server.transport().call(method, Buffer.from(body)));
    assert.equal(await call('mediaChanges', '{}'), 400);
    assert.equal(await call('mediaChanges', '{"lastUsn": "0"}'), 400);
    assert.equal(await call('mediaChanges', '{"lastUsn": 1.5}'), 400);
    assert.equal(await call('downloadFiles', '{"files": "a"}'), 400);
    assert.equal(await call('downloadFiles', '{"files": [1]}'), 400);
    assert.equal(await call('mediaSanity', '{"local": -1}'), 400);
    assert.equal(await call('mediaSanity', '[]'), 400);
  });
});

test('mediaChanges: [fname, usn, sha1] ascending, lowercase hex, "" for deletions; err always present', async () => {
  await withMediaServer(async (server) => {
    const api = server.api();
    await api.uploadChanges(
      await buildUploadZip([
        ['b.jpg', Buffer.from('bee')],
        ['a.jpg', Buffer.from('ay')],
      ]),
    );
    await api.uploadChanges(await buildUploadZip([['b.jpg', null]]));
    const raw = JSON.parse((await server.transport().call('mediaChanges', Buffer.from('{"lastUsn": 0}'))).toString()) as unknown;
    assert.deepEqual(raw, {
      data: [
        ['a.jpg', 2, sha1hex('ay')],
        ['b.jpg', 3, ''],
      ],
      err: '',
    });
    assert.deepEqual(await api.mediaChanges(3), []);
    assert.deepEqual(await api.mediaChanges(99), []);
  });
});

test('uploadChanges answers [processed, current_usn] in the envelope', async () => {
  await withMediaServer(async (server) => {
    const raw = await server.transport().call(
      'uploadChanges',
      await buildUploadZip([
        ['x', Buffer.from('x')],
        ['gone', null],
      ]),
    );
    assert.deepEqual(JSON.parse(raw.toString()), { data: [2, 1], err: '' });
    assert.deepEqual(envelopeData(await server.transport().call('mediaSanity', Buffer.from('{"local": 1}'))), 'OK');
  });
});

test('downloadFiles is a raw zip: members in request order, _meta a map', async () => {
  await withMediaServer(async (server) => {
    const api = server.api();
    await api.uploadChanges(
      await buildUploadZip([
        ['one', Buffer.from('1')],
        ['two', Buffer.from('2')],
        ['三', Buffer.from('3')],
      ]),
    );
    const zip = await readDownloadZip(await api.downloadFiles(['三', 'one', 'two']));
    assert.deepEqual(zip.order, ['0', '1', '2', '_meta']);
    assert.deepEqual(zip.meta, { '0': '三', '1': 'one', '2': 'two' });
    assert.deepEqual(
      zip.members.map((m) => m.data.toString()),
      ['3', '1', '2'],
    );
  });
});

test('downloadFiles of three 2 MiB files returns the first two', async () => {
  await withMediaServer(async (server) => {
    const api = server.api();
    const data = [1, 2, 3].map((n) => Buffer.alloc(2 * MiB, n));
    await api.uploadChanges(
      await buildUploadZip([
        ['f1', data[0]!],
        ['f2', data[1]!],
        ['f3', data[2]!],
      ]),
    );
    const zip = await readDownloadZip(await api.downloadFiles(['f1', 'f2', 'f3']));
    assert.deepEqual(zip.meta, { '0': 'f1', '1': 'f2' });
    assert.deepEqual(zip.members[1]!.data, data[1]);
  });
});

test('downloadFiles: 26 names 400; unknown 409; deleted 409; missing on disk 409 and forgotten', async () => {
  await withMediaServer(async (server) => {
    const api = server.api();
    await api.uploadChanges(
      await buildUploadZip([
        ['live', Buffer.from('l')],
        ['dead', Buffer.from('d')],
        ['lost', Buffer.from('x')],
      ]),
    );
    await api.uploadChanges(await buildUploadZip([['dead', null]]));
    assert.equal(await status(api.downloadFiles(Array.from({ length: 26 }, () => 'live'))), 400);
    assert.equal(await status(api.downloadFiles(['live', 'unknown'])), 409);
    assert.equal(await status(api.downloadFiles(['dead'])), 409);
    assert.equal(await status(api.downloadFiles(['../media.db'])), 409);
    assert.equal(await api.mediaSanity(2), 'OK');
    rmSync(join(server.paths.mediaFolder, 'lost'));
    assert.equal(await status(api.downloadFiles(['live', 'lost'])), 409);
    assert.equal(await api.mediaSanity(1), 'OK', 'the row is gone');
    assert.ok(!(await api.mediaChanges(0)).some(([fname]) => fname === 'lost'));
    assert.deepEqual((await readDownloadZip(await api.downloadFiles(['live']))).meta, { '0': 'live' });
  });
});

const hostileZips: [string, () => Promise<Buffer>][] = [
  ['26 entries', () => buildUploadZip(Array.from({ length: 26 }, (_, i) => [`f${i}`, Buffer.from('x')] as const))],
  ['a non-NFC name', () => buildUploadZip([['e\u0301.jpg', Buffer.from('x')]])],
  ['a name with /', () => buildUploadZip([['dir/x.jpg', Buffer.from('x')]])],
  ['a relative path', () => buildUploadZip([['../escape.jpg', Buffer.from('x')]])],
  ['an absolute path', () => buildUploadZip([['/tmp/escape.jpg', Buffer.from('x')]])],
  ['a backslash path', () => buildUploadZip([['..\\escape.jpg', Buffer.from('x')]])],
  ['"."', () => buildUploadZip([['.', Buffer.from('x')]])],
  ['".."', () => buildUploadZip([['..', Buffer.from('x')]])],
  ['a NUL', () => buildUploadZip([['a\u0000b', Buffer.from('x')]])],
  ['CON', () => buildUploadZip([['CON', Buffer.from('x')]])],
  ['aux.jpg', () => buildUploadZip([['aux.jpg', Buffer.from('x')]])],
  ['a 256-byte name', () => buildUploadZip([['n'.repeat(256), Buffer.from('x')]])],
  ['a zero-length member', () => buildUploadZip([['empty', Buffer.alloc(0)]])],
  ['a missing member', () => buildZipWithMeta('[["a.jpg", "7"]]')],
  ['no _meta', () => buildZip([['0', Buffer.from('x')]])],
  ['a corrupt zip', async () => Buffer.from('PK\u0003\u0004 definitely not a zip')],
  [
    'a zip cut short',
    async () => {
      const zip = await buildUploadZip([['ok.jpg', Buffer.alloc(10_000, 1)]]);
      return zip.subarray(0, zip.length - 30);
    },
  ],
];

for (const [name, build] of hostileZips) {
  test(`uploadChanges refuses ${name} with 400 and applies nothing`, async () => {
    await withMediaServer(async (server) => {
      const api = server.api();
      await api.uploadChanges(await buildUploadZip([['existing.jpg', Buffer.from('before')]]));
      const before = {
        changes: await api.mediaChanges(0),
        files: readdirSync(server.paths.mediaFolder),
        all: readdirSync(server.baseFolder),
      };
      assert.equal(await status(api.uploadChanges(await build())), 400);
      assert.deepEqual(await api.mediaChanges(0), before.changes);
      assert.deepEqual(readdirSync(server.paths.mediaFolder), before.files);
      assert.deepEqual(readdirSync(server.baseFolder), before.all);
      assert.ok(!existsSync(join(server.baseFolder, 'escape.jpg')));
      assert.ok(!existsSync('/tmp/escape.jpg'));
      assert.equal((await api.begin()).usn, 1);
    });
  });
}

test('a zip damaged after a valid file is refused as a whole', async () => {
  await withMediaServer(async (server) => {
    const api = server.api();
    const zip = await buildUploadZip([
      ['good.jpg', Buffer.alloc(50_000, 1)],
      ['bad.jpg', Buffer.from('the bytes the client meant to send')],
    ]);
    zip.write('THE BYTES', zip.indexOf(Buffer.from('the bytes the client')), 'latin1');
    assert.equal(await status(api.uploadChanges(zip)), 400);
    assert.deepEqual(await api.mediaChanges(0), []);
    assert.deepEqual(readdirSync(server.paths.mediaFolder), []);
  });
});
