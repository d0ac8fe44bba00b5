// Media sync for clients before 2.1.57 (multipart forms, answers raw): the
// reference's legacy scenarios (rslib sync/media/tests.rs) and uploads recorded
// from Anki 2.1.16, through the same /msync handlers the v11 clients use.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { httpRequest, sendRawRequest } from '../../support/http-raw.js';
import { ANKI_BOUNDARY, legacyFormParts, multipartBody } from '../../support/legacy-form.js';
import { LEGACY_FIXTURES, withFieldValue } from '../../support/legacy-fixtures.js';
import { legacyMediaTransport } from '../../support/legacy-media-transport.js';
import { createMediaDevice, withMediaServer } from '../../support/media-server.js';

const form = (fields: Parameters<typeof legacyFormParts>[0]) => ({
  headers: { 'content-type': `multipart/form-data; boundary=${ANKI_BOUNDARY}` },
  body: multipartBody(legacyFormParts(fields)),
});

test('begin_supports_get: GET /msync/begin?k=&v= answers raw JSON with the usn and the host key as sk', async () => {
  await withMediaServer(async (server) => {
    const url = new URL('msync/begin', server.baseUrl);
    url.search = new URLSearchParams({ k: server.hostKey, v: 'anki,2.1.50 (abc),linux' }).toString();
    const response = await httpRequest(url.toString(), { method: 'GET' });
    assert.equal(response.status, 200);
    assert.deepEqual(JSON.parse(response.body.toString()), { data: { usn: 0, sk: server.hostKey }, err: '' });
  });
});

test('begin_supports_version_in_form: multipart c=0, v, k and no data part', async () => {
  await withMediaServer(async (server) => {
    const response = await httpRequest(new URL('msync/begin', server.baseUrl).toString(), {
      ...form({ k: server.hostKey, v: 'client', compress: false }),
      method: 'POST',
    });
    assert.equal(response.status, 200);
    assert.deepEqual(JSON.parse(response.body.toString()), { data: { usn: 0, sk: server.hostKey }, err: '' });
  });
});

test('legacy_session_key_works: mediaChanges with sk and data as a plain field', async () => {
  await withMediaServer(async (server) => {
    const response = await httpRequest(new URL('msync/mediaChanges', server.baseUrl).toString(), {
      ...form({ sk: server.hostKey, v: 'client', compress: false, data: '{"lastUsn": 0}', dataAsField: true }),
      method: 'POST',
    });
    assert.equal(response.status, 200);
    assert.deepEqual(JSON.parse(response.body.toString()), { data: [], err: '' });
  });
});

test('uploads recorded from Anki 2.1.16 (deflated zip, "" deletions, c=0) are applied', async () => {
  await withMediaServer(async (server) => {
    const replay = (name: string) =>
      sendRawRequest(server.test.port, withFieldValue(readFileSync(join(LEGACY_FIXTURES, `${name}.request.raw`)), 'sk', server.hostKey));
    const adds = await replay('17-msync-uploadChanges-adds');
    assert.equal(adds.status, 200);
    assert.deepEqual(JSON.parse(adds.body.toString()), { data: [14, 14], err: '' });
    const unicode = 'harness-044536236c-ünïcødé 日本語 ✓.png';
    const stored = readFileSync(join(server.paths.mediaFolder, unicode));
    assert.equal(createHash('sha1').update(stored).digest('hex'), '966f50f99104fe9601d33a01deef178739ea3784');

    const deletions = await replay('18-msync-uploadChanges-deletions');
    assert.equal(deletions.status, 200);
    assert.deepEqual(JSON.parse(deletions.body.toString()), { data: [2, 16], err: '' });
    assert.ok(!existsSync(join(server.paths.mediaFolder, unicode)));
    const changes = await server.api().mediaChanges(14);
    assert.deepEqual(
      changes.map(([fname, usn, sha1]) => [fname, usn, sha1]),
      [
        [unicode, 15, ''],
        ['harness-044536236c-batch-07.txt', 16, ''],
      ],
    );
  });
});

for (const [label, options] of [
  ['Python and AnkiDroid (multipart, gzip)', {}],
  ['desktop 2.1.28–2.1.56 (GET begin, nothing compressed)', { rustMedia: true }],
] as const) {
  test(`a legacy device and a v11 device share media: ${label}`, async () => {
    await withMediaServer(async (server) => {
      const old = createMediaDevice(legacyMediaTransport(server.baseUrl, server.hostKey, options));
      try {
        const current = server.device('current');
        old.addFile('old 日本.jpg', 'from the old client');
        old.addFile('gone.mp3', 'soon deleted');
        await old.sync();
        await current.sync();
        assert.equal(current.readFile('old 日本.jpg').toString(), 'from the old client');
        current.addFile('new.png', 'from the new client');
        current.removeFile('gone.mp3');
        await current.sync();
        const report = await old.sync();
        assert.deepEqual(report.calls[0], 'begin');
        assert.deepEqual(old.fileNames(), ['new.png', 'old 日本.jpg']);
        assert.equal(await old.api.mediaSanity(2), 'OK');
      } finally {
        old.remove();
      }
    });
  });
}
