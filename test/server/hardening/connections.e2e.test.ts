// Issue 10, item 8: connections are bounded in number, per address and in
// idleness, while a slow body that keeps moving still gets through.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { plainUser, startTestServer } from '../../support/test-server.js';
import { eventually, idleSocket, rawRequest, statusWithin, withDeadline } from '../../support/attacks.js';
import { httpRequest } from '../../support/http-raw.js';
import { V11Client } from '../../support/v11-client.js';
import { syncHeaderValue } from '../../support/v11-transport.js';

const alice = plainUser('alice', 'alice-pass');
const bob = plainUser('bob', 'bob-pass');

test('one address gets at most MAX_SYNC_CONNECTIONS_PER_IP connections; the rest are answered 503; other addresses are served', async () => {
  const server = await startTestServer({ users: [alice], config: { limits: { maxConnectionsPerIp: 8 } } });
  try {
    const sockets = Array.from({ length: 12 }, () => idleSocket(server.port));
    const statuses = await withDeadline(Promise.all(sockets.slice(8).map((s) => s.status)), 'the four over the cap are answered');
    assert.deepEqual(statuses, [503, 503, 503, 503]);
    assert.equal((await httpRequest(`${server.baseUrl}health`, { method: 'GET' })).status, 200);
    await new V11Client(server.baseUrl).login('alice', 'alice-pass');
    for (const s of sockets) s.socket.destroy();
    // Once they close, the address may connect again.
    await eventually(
      async () =>
        (await withDeadline(
          idleSocket(server.port).sent.then(() => true),
          'connect',
        )) === true,
      'reconnect',
    );
  } finally {
    await server.close();
  }
});

test('the connection cap for everyone holds whatever the addresses: idle sockets can never use up file descriptors', async () => {
  const server = await startTestServer({ users: [alice], config: { limits: { maxConnections: 20, maxConnectionsPerIp: 8 } } });
  try {
    const sockets = Array.from({ length: 24 }, (_, i) => idleSocket(server.port, `127.0.0.${10 + (i % 4)}`));
    const over = await withDeadline(Promise.all(sockets.map((s) => statusWithin(s, 1_500))), 'answers');
    assert.equal(over.filter((status) => status === 503).length, 4, over.join(','));
    for (const s of sockets) s.socket.destroy();
    await eventually(async () => (await httpRequest(`${server.baseUrl}health`, { method: 'GET' })).status === 200, 'served again');
  } finally {
    await server.close();
  }
});

test('an idle connection is closed after SYNC_IDLE_TIMEOUT_SECS, but a body that keeps moving, slower than that in total, is not idle', async () => {
  const server = await startTestServer({ users: [alice], config: { limits: { idleTimeoutSecs: 5 } } });
  try {
    const hostKey = await new V11Client(server.baseUrl).login('alice', 'alice-pass');
    const idle = idleSocket(server.port);
    let idleClosed = false;
    idle.socket.once('close', () => (idleClosed = true));
    // A request whose body trickles one chunk per second for 8 s: zstd of `null`, split up.
    const header = syncHeaderValue({ k: hostKey, s: 'slow' });
    const slow = rawRequest(
      server.port,
      `POST /sync/abort HTTP/1.1\r\nHost: x\r\nanki-sync: ${header}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n`,
      '127.0.0.1',
    );
    const { Compressor } = await import('zstd-napi');
    const body = new Compressor().compress(Buffer.from('{}'));
    for (let i = 0; i < body.length; i++) {
      await new Promise((resolve) => setTimeout(resolve, 8_000 / body.length));
      slow.socket.write(`1\r\n${body.subarray(i, i + 1).toString('latin1')}\r\n`, 'latin1');
    }
    slow.socket.write('0\r\n\r\n');
    assert.equal(await withDeadline(slow.status, 'the slow request is answered'), 200);
    await eventually(() => idleClosed, 'the idle socket was closed');
  } finally {
    await server.close();
  }
});

test('behind a proxy (SYNC_IP_HEADER) sockets from the proxy are not capped, requests per forwarded address are', async () => {
  const server = await startTestServer({ users: [alice, bob], config: { ipHeader: 'XRealIp', limits: { maxConnectionsPerIp: 4 } } });
  try {
    const hostKey = await new V11Client(server.baseUrl).login('alice', 'alice-pass').catch(() => '');
    assert.equal(hostKey, '', 'without the header a login is a 500, as officially');
    // Six stalled requests, all from the proxy's address, all for one forwarded client.
    const head = (ip: string, key = alice.hostKey): string =>
      `POST /sync/upload HTTP/1.1\r\nHost: x\r\nx-real-ip: ${ip}\r\nanki-sync: ${syncHeaderValue({ k: key, s: 'a' })}\r\nTransfer-Encoding: chunked\r\n\r\n`;
    const stalled = Array.from({ length: 6 }, () => rawRequest(server.port, head('10.0.0.9'), '127.0.0.1'));
    const answered = await withDeadline(Promise.all(stalled.map((s) => statusWithin(s, 1_500))), 'answers');
    assert.equal(answered.filter((status) => status === 429).length, 2, answered.join(','));
    // Another forwarded client (another account: alice's four request slots are taken) through the same proxy is served.
    const other = rawRequest(server.port, head('10.0.0.10', bob.hostKey).replace('/sync/upload', '/sync/abort'), '127.0.0.1');
    const { Compressor } = await import('zstd-napi');
    const body = new Compressor().compress(Buffer.from('{}'));
    other.socket.write(Buffer.concat([Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from('\r\n0\r\n\r\n')]));
    assert.equal(await withDeadline(other.status, 'the other client is answered'), 200);
    for (const s of [...stalled, other]) s.socket.destroy();
  } finally {
    await server.close();
  }
});
