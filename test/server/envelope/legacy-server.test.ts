// The legacy envelope through the real server: every request a real Anki
// 2.1.16 client sent, replayed in a sensible order (host key and session key
// substituted), and garbage that must get a clear 400 while the server stays up.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestServer, plainUser, type TestServer } from '../../support/test-server.js';
import { recordedRequests, RECORDED_HKEY, withFieldValue, withHostKey } from '../../support/legacy-fixtures.js';
import { httpRequest, sendRawRequest, type RawResponse } from '../../support/http-raw.js';
import { ANKI_BOUNDARY, legacyFormParts, multipartBody } from '../../support/legacy-form.js';
import { collectionContent, integrityCheck } from '../../support/collection-rows.js';
import { makeTempFolder } from '../../support/temp-folder.js';

/** The recording's account was test/secret; the same account here has the same host key. */
const account = plainUser('test', 'secret');

function assertRawReply(response: RawResponse, label: string): void {
  assert.equal(response.status, 200, `${label}: ${response.status} ${response.body.toString()}`);
  assert.equal(response.headers['anki-original-size'], undefined, `${label}: no size header on a legacy reply`);
  assert.equal(response.headers['content-encoding'], undefined, `${label}: not compressed`);
}

describe('the requests a real 2.1.16 client sent, replayed', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ users: [account] });
  });
  after(() => server.close());

  const sessionKey = '85c88e15';
  const replay = (prefix: string): Promise<RawResponse> => {
    const recorded = recordedRequests().find((r) => r.name.startsWith(prefix));
    assert.ok(recorded, prefix);
    const fields = new Map(recorded.fields);
    let raw = withHostKey(recorded.raw, account.hostKey, RECORDED_HKEY);
    // One collection sync: the recorded requests came from several attempts.
    if (fields.has('s')) raw = withFieldValue(raw, 's', sessionKey);
    // Media requests send back what begin returned, which here is the host key.
    if (fields.has('sk')) raw = withFieldValue(raw, 'sk', account.hostKey);
    return sendRawRequest(server.port, raw);
  };
  const json = (response: RawResponse): unknown => JSON.parse(response.body.toString('utf8'));

  test('login, then full upload, meta, full download', async () => {
    assert.equal(account.hostKey, RECORDED_HKEY, 'same SYNC_USER value, same host key');
    const login = await replay('01-');
    assertRawReply(login, 'hostKey');
    assert.deepEqual(json(login), { key: account.hostKey });
    assert.equal((await replay('02-')).status, 403);
    assert.equal((await replay('03-')).status, 403);

    const upload = await replay('05-');
    assertRawReply(upload, 'upload');
    assert.equal(upload.body.toString('latin1'), 'OK');
    const live = server.paths('test').collection;
    assert.equal(collectionContent(live).ver, 18);
    assert.deepEqual(integrityCheck(live), ['ok']);

    const meta = await replay('04-');
    assertRawReply(meta, 'meta');
    const stamps = json(meta) as Record<string, unknown>;
    // The uploaded file's own stamps: the client sees "no changes" next time.
    assert.deepEqual([stamps.mod, stamps.scm, stamps.usn, stamps.cont, stamps.msg], [1795668336469, 1795668336466, 1, true, '']);

    const download = await replay('06-');
    assertRawReply(download, 'download');
    const file = join(makeTempFolder('ahs-replay-'), 'collection.anki2');
    writeFileSync(file, download.body);
    const db = new Database(file, { fileMustExist: true });
    try {
      assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
      assert.equal(db.prepare('SELECT ver FROM col').pluck().get(), 11);
      assert.equal(db.prepare('SELECT count() FROM notes').pluck().get(), 5);
    } finally {
      db.close();
    }
  });

  test('the normal-sync requests, in one session', async () => {
    const start = await replay('07-');
    assertRawReply(start, 'start');
    assert.deepEqual(json(start), { cards: [], decks: [], notes: [] });
    assertRawReply(await replay('08-'), 'applyGraves');
    const changes = await replay('09-');
    assertRawReply(changes, 'applyChanges');
    assert.deepEqual(Object.keys(json(changes) as object).sort(), ['decks', 'models', 'tags']);
    const chunk = await replay('10-');
    assertRawReply(chunk, 'chunk');
    assert.equal((json(chunk) as { done: boolean }).done, true);
    assertRawReply(await replay('11-'), 'applyChunk');
    // The recorded counts belong to the recording's collection, not to this one:
    // the answer is an honest "bad" with both sides' counts, due counts zeroed.
    const sanity = await replay('12-');
    assertRawReply(sanity, 'sanityCheck2');
    const verdict = json(sanity) as { status: string; c: unknown[] };
    assert.equal(verdict.status, 'bad');
    assert.deepEqual(verdict.c[0], [0, 0, 0]);
    // After a bad sanity check the server has rolled back, so finish has nothing to commit.
    assert.equal((await replay('13-')).status, 400);
    const abort = await replay('14-');
    assertRawReply(abort, 'abort');
    assert.equal(abort.body.toString(), 'null');
    assert.deepEqual(integrityCheck(server.paths('test').collection), ['ok']);
  });

  test('media: begin with the form v, then sk requests; answers in {"data","err"}', async () => {
    const begin = await replay('15-');
    assertRawReply(begin, 'begin');
    assert.deepEqual(json(begin), { data: { usn: 0, sk: account.hostKey }, err: '' });
    assert.deepEqual(json(await replay('16-')), { data: [], err: '' });
    assert.deepEqual(json(await replay('17-')), { data: [14, 14], err: '' });
    assert.deepEqual(json(await replay('18-')), { data: [2, 16], err: '' });
    // It asks for files the deletions above removed: the reference's 409.
    assert.equal((await replay('19-')).status, 409);
    const sanity = json(await replay('20-')) as { data: string; err: string };
    assert.equal(sanity.err, '');
    assert.equal(sanity.data, 'mediaSanity', 'the recorded local count (34) is not the 12 files left here');
    const changes = json(await replay('21-')) as { data: unknown[]; err: string };
    assert.deepEqual(changes, { data: [], err: '' }, 'nothing after usn 34 on this server');
  });
});

describe('garbage legacy requests', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ users: [account], maxPayloadMegs: 1 });
  });
  after(() => server.close());

  const post = (path: string, body: Buffer, contentType = `multipart/form-data; boundary=${ANKI_BOUNDARY}`) =>
    httpRequest(new URL(path, server.baseUrl).toString(), { headers: { 'content-type': contentType }, body });
  const form = (fields: Parameters<typeof legacyFormParts>[0]) => multipartBody(legacyFormParts(fields));
  const meta = JSON.stringify({ v: 10, cv: 'ankidroid,2.15' });

  test('bad boundary, bad gzip, truncated form, no multipart, oversized body: 400, and the server keeps serving', async () => {
    const key = account.hostKey;
    const cases: [string, () => Promise<RawResponse>][] = [
      ['wrong boundary', () => post('/sync/meta', form({ k: key, data: meta }), 'multipart/form-data; boundary=other')],
      ['no boundary', () => post('/sync/meta', form({ k: key, data: meta }), 'multipart/form-data')],
      ['not multipart', () => post('/sync/meta', Buffer.from(meta), 'application/json')],
      ['truncated form', () => post('/sync/meta', form({ k: key, data: meta }).subarray(0, 120))],
      [
        'bad gzip',
        () =>
          post(
            '/sync/meta',
            multipartBody([
              { name: 'k', value: key },
              { name: 'c', value: '1' },
              { name: 'data', value: 'not gzip', filename: 'data' },
            ]),
          ),
      ],
      [
        'truncated gzip',
        () =>
          post(
            '/sync/meta',
            multipartBody([
              { name: 'k', value: key },
              { name: 'c', value: '1' },
              { name: 'data', value: gzipSync(meta).subarray(0, 10), filename: 'data' },
            ]),
          ),
      ],
      ['bad JSON', () => post('/sync/meta', form({ k: key, data: '{"v": 10,' }))],
      [
        'body over MAX (1 MiB)',
        () => post('/sync/applyChunk', form({ k: key, s: 's', data: randomBytes(1024 * 1024 + 10), compress: false })),
      ],
      ['GET begin without v', () => httpRequest(new URL(`/msync/begin?k=${key}`, server.baseUrl).toString(), { method: 'GET' })],
    ];
    for (const [label, send] of cases) {
      const response = await send();
      assert.equal(response.status, 400, `${label}: ${response.status} ${response.body.toString()}`);
    }
    const ok = await post('/msync/begin', form({ k: key, v: 'ankidroid,2.15', data: '{}' }));
    assertRawReply(ok, 'begin after the garbage');
  });

  test('a bad gzip under an unknown key is a 403: a stranger’s data is never decoded (the reference decodes first, and says 400)', async () => {
    const body = multipartBody([
      { name: 'k', value: 'nobody' },
      { name: 'c', value: '1' },
      { name: 'data', value: 'xx', filename: 'data' },
    ]);
    assert.equal((await post('/sync/meta', body)).status, 403);
  });

  test('a missing, empty or unknown k is a 403, as the reference answers an unknown host key', async () => {
    for (const k of [undefined, '', 'f'.repeat(40)]) {
      const response = await post('/sync/meta', form({ ...(k === undefined ? {} : { k }), s: 'abcd1234', data: meta }));
      assert.equal(response.status, 403, `k=${String(k)}`);
    }
    const media = await post('/msync/mediaChanges', form({ data: '{"lastUsn":0}' }));
    assert.equal(media.status, 403);
  });

  test('a legacy upload answers exactly OK', async () => {
    const recorded = recordedRequests().find((r) => r.name.startsWith('05-'));
    assert.ok(recorded);
    const response = await sendRawRequest(server.port, withHostKey(recorded.raw, account.hostKey, RECORDED_HKEY));
    assertRawReply(response, 'upload');
    assert.ok(response.body.equals(Buffer.from('OK')));
  });
});
