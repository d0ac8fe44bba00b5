// Paths, HTTP methods, the anki-sync header and zstd bodies: what the official
// server answers, status and body, before any method runs (docs/protocol/transport-auth-media.md §1).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { compress } from 'zstd-napi';
import { startTestServer, type TestServer } from '../../support/test-server.js';
import { httpRequest } from '../../support/http-raw.js';
import { postRaw, syncHeaderValue } from '../../support/v11-transport.js';
import { V11Client } from '../../support/v11-client.js';

let server: TestServer;
let hostKey: string;
before(async () => {
  server = await startTestServer();
  hostKey = await new V11Client(server.baseUrl).login('user', 'pass');
});
after(() => server.close());

async function post(
  path: string,
  headers: Record<string, string>,
  body: Buffer,
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  const response = await postRaw(`${server.baseUrl.slice(0, -1)}${path}`, headers, Readable.from(body.length ? [body] : []));
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  return { status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: response.headers };
}

function header(fields: Record<string, unknown>): Record<string, string> {
  return { 'anki-sync': JSON.stringify(fields) };
}

const META = compress(Buffer.from('{"v":11,"cv":"x"}'));

test('/health answers GET and HEAD with an empty 200, and nothing else', async () => {
  const get = await httpRequest(`${server.baseUrl}health`, { method: 'GET' });
  assert.equal(get.status, 200);
  assert.equal(get.body.length, 0);
  assert.equal((await httpRequest(`${server.baseUrl}health`, { method: 'HEAD' })).status, 200);
  assert.equal((await httpRequest(`${server.baseUrl}health`, { method: 'POST', body: Buffer.alloc(0) })).status, 405);
});

test('other paths are 404 with an empty body; a wrong HTTP method on a known path is 405', async () => {
  for (const path of ['/sync/meta/', '//sync/meta', '/sync', '/sync/', '/', '/msync', '/custom/sync/meta']) {
    const response = await httpRequest(`${server.baseUrl.slice(0, -1)}${path}`, { method: 'POST', body: Buffer.alloc(0) });
    assert.equal(response.status, 404, path);
    assert.equal(response.body.length, 0, path);
  }
  for (const path of ['/sync/meta', '/msync/mediaChanges', '/sync/bogus']) {
    const response = await httpRequest(`${server.baseUrl.slice(0, -1)}${path}`, { method: 'GET' });
    assert.equal(response.status, 405, path);
    assert.equal(response.body.length, 0, path);
  }
});

test('an unknown method name is a 400', async () => {
  const response = await post('/sync/bogus', { 'anki-sync': syncHeaderValue({ k: hostKey, s: 'a' }) }, META);
  assert.equal(response.status, 400);
  assert.equal((await post('/msync/bogus', { 'anki-sync': syncHeaderValue({ k: hostKey, s: 'a' }) }, META)).status, 400);
});

test('a bad anki-sync header is a 400 whose body is just the code, never a multipart fallback', async () => {
  const bad: Record<string, string>[] = [
    { 'anki-sync': 'not json' },
    { 'anki-sync': '[]' },
    header({ v: 11, k: hostKey, c: 'x' }),
    header({ v: '11', k: hostKey, c: 'x', s: 'a' }),
    header({ v: 11, k: 1, c: 'x', s: 'a' }),
    header({ v: 7, k: hostKey, c: 'x', s: 'a' }),
    header({ v: 12, k: hostKey, c: 'x', s: 'a' }),
    header({ v: 256, k: hostKey, c: 'x', s: 'a' }),
    { 'anki-sync': `{"v":11,"k":"${hostKey}","c":"café","s":"a"}` },
  ];
  for (const headers of bad) {
    const response = await post('/sync/meta', { ...headers, 'anki-sync': headers['anki-sync']! }, META);
    assert.equal(response.status, 400, JSON.stringify(headers));
    assert.equal(response.body, '400');
    assert.equal(response.headers['anki-original-size'], undefined);
  }
});

test('a body that is not zstd, or a truncated zstd frame, is a 400', async () => {
  const headers = { 'anki-sync': syncHeaderValue({ k: hostKey, s: 'a' }) };
  assert.equal((await post('/sync/meta', headers, Buffer.from('{"v":11,"cv":"x"}'))).status, 400);
  const big = compress(Buffer.from(JSON.stringify({ v: 11, cv: 'x'.repeat(100_000) })));
  assert.equal((await post('/sync/meta', headers, big.subarray(0, big.length - 10))).status, 400);
  assert.equal(
    (await post('/sync/hostKey', { 'anki-sync': syncHeaderValue({ k: '', s: 'a' }) }, Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 1, 2, 3])))
      .status,
    400,
  );
});

test('without the header, a body that is not multipart is a 400', async () => {
  assert.equal((await post('/sync/meta', {}, Buffer.from('{}'))).status, 400);
});

test('the header is checked before the host key; the key before the body, which a stranger never gets decoded', async () => {
  // The reference decodes the body first (bad zstd → 400); we refuse a stranger before decoding anything.
  const stranger = { 'anki-sync': syncHeaderValue({ k: 'nope', s: 'a' }) };
  assert.equal((await post('/sync/meta', { 'anki-sync': 'not json' }, compress(Buffer.from('{}')))).status, 400, 'a bad header wins');
  assert.equal((await post('/sync/meta', stranger, Buffer.from('junk'))).status, 403, 'a bad key wins over bad zstd');
  assert.equal((await post('/sync/meta', stranger, compress(Buffer.from('junk')))).status, 403, 'a bad key wins over bad JSON');
  const known = { 'anki-sync': syncHeaderValue({ k: hostKey, s: 'a' }) };
  assert.equal((await post('/sync/meta', known, compress(Buffer.from('junk')))).status, 400);
});

test('every v11 success carries the exact anki-original-size, even for a null reply', async () => {
  const response = await post(
    '/sync/abort',
    { 'anki-sync': syncHeaderValue({ k: hostKey, s: 'a' }) },
    compress(Buffer.from('{"_pad":null}')),
  );
  assert.equal(response.status, 200);
  assert.equal(response.headers['anki-original-size'], '4');
  assert.equal(response.headers['content-encoding'], undefined);
});

test('abort is idempotent: no sync active, any session key, 200 with null', async () => {
  const client = new V11Client(server.baseUrl, { hostKey });
  assert.equal(await client.abort(), null);
  assert.equal(await new V11Client(server.baseUrl, { hostKey, sessionKey: 'other' }).abort(), null);
});

test('SYNC_IP_HEADER set to a header the request lacks: every sync call is a 500, /health still 200', async () => {
  const proxied = await startTestServer({ config: { ipHeader: 'XRealIp' } });
  try {
    const client = new V11Client(proxied.baseUrl);
    await assert.rejects(client.login('user', 'pass'), (error: { status?: number }) => error.status === 500);
    assert.equal((await httpRequest(`${proxied.baseUrl}health`, { method: 'GET' })).status, 200);
    const withHeader = await postRaw(
      `${proxied.baseUrl}sync/hostKey`,
      { 'anki-sync': syncHeaderValue({ k: '', s: 'a' }), 'x-real-ip': '10.1.2.3' },
      Readable.from([compress(Buffer.from('{"u":"user","p":"pass"}'))]),
    );
    withHeader.resume();
    assert.equal(withHeader.statusCode, 200);
    assert.ok(proxied.activity.some((event) => event.kind === 'login' && event.clientIp === '10.1.2.3'));
  } finally {
    await proxied.close();
  }
});
