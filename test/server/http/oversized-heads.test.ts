// Heads too large for the parser get a status line, not a reset: 431 for a
// header section over the limit, 414 for a request line that alone is, and
// the server carries on. Sent with Node's HTTP client, which writes the whole
// head before it reads: it sees the answer only if the server reads on
// instead of cutting the connection.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { startTestServer, type TestServer } from '../../support/test-server.js';
import { httpRequest } from '../../support/http-raw.js';
import { clientErrorStatus } from '../../../src-main/server/http/client-error.js';

let server: TestServer;
before(async () => (server = await startTestServer()));
after(() => server.close());

function post(path: string, headers: Record<string, string>): Promise<number | string> {
  return new Promise((resolve) => {
    const req = request(
      { host: '127.0.0.1', port: server.port, path, method: 'POST', headers: { 'content-length': '0', ...headers } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) => resolve(`connection error ${error.code}`));
    req.end();
  });
}

test('a 20 KB and a 200 KB header are answered 431, a 70 KB URL 414, and the server stays up', async () => {
  assert.equal(await post('/sync/meta', { 'x-big': 'a'.repeat(20_000) }), 431);
  assert.equal(await post('/sync/meta', { 'x-big': 'a'.repeat(200_000) }), 431);
  assert.equal(await post(`/${'a'.repeat(70_000)}`, {}), 414);
  assert.equal((await httpRequest(`${server.baseUrl}health`, { method: 'GET' })).status, 200);
});

test('which parser errors get which status', () => {
  assert.equal(clientErrorStatus('HPE_HEADER_OVERFLOW', Buffer.from(`GET /${'a'.repeat(100)}`)), 414);
  assert.equal(clientErrorStatus('HPE_HEADER_OVERFLOW', Buffer.from('GET / HTTP/1.1\r\nX: aaaa')), 431);
  assert.equal(clientErrorStatus('HPE_HEADER_OVERFLOW', Buffer.from('aaaaaaaa')), 431);
  assert.equal(clientErrorStatus('HPE_INVALID_METHOD', undefined), 400);
  assert.equal(clientErrorStatus('ERR_HTTP_REQUEST_TIMEOUT', undefined), 408);
});
