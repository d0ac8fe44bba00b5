// A request answered before its body was read (an unknown host key, a full
// server, a missing storage folder) must still reach a client that is busy
// sending: the server reads and drops the rest of the body, within a budget,
// before it closes anything. Closing at once makes the kernel answer the
// client's next bytes with a reset, which throws away the answer still waiting
// in the client's buffer: the learner sees "connection reset", not the reason.
// The client here stops reading while it sends, as a client busy uploading
// does, so the answer waits in its buffer when the rest of the body arrives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestServer } from '../../support/test-server.js';

test('an upload refused before its body is read: the client still sending gets the 403, not a reset', async () => {
  const server = await startTestServer();
  try {
    const socket = connect(server.port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const errors: Error[] = [];
    socket.on('error', (error) => errors.push(error));
    socket.pause();
    const part = Buffer.alloc(64 * 1024, 7);
    const header = JSON.stringify({ v: 11, k: 'f'.repeat(40), s: 'abcdef', c: '25.02,1a2b3c4d,linux' });
    socket.write(
      `POST /sync/upload HTTP/1.1\r\nHost: 127.0.0.1\r\nanki-sync: ${header}\r\n` +
        `content-type: application/octet-stream\r\ncontent-length: ${part.length * 4}\r\n\r\n`,
    );
    socket.write(part);
    // The server has answered by now; the answer waits, unread, in this socket's buffer.
    await sleep(300);
    for (let i = 1; i < 4; i++) socket.write(part);
    await sleep(300);
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.resume();
    await sleep(300);
    socket.destroy();
    const answer = Buffer.concat(chunks).toString('latin1');
    assert.match(
      answer,
      /^HTTP\/1\.1 403 /,
      `got ${JSON.stringify(answer.slice(0, 80))} and ${errors.map(String).join(', ') || 'no error'}`,
    );
  } finally {
    await server.close();
  }
});
