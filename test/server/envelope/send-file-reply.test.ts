// A legacy full download is sent through two buffers that take turns
// (envelope/send-file-reply.ts). Over real HTTP on loopback: the bytes arrive
// exactly, from a path or the reply's own descriptor; a client that goes away
// ends the send with an error instead of leaving it waiting for a write that
// never completes; a file shorter than announced is an error, not a short reply.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ConnectionClosedError, sendFileReply } from '../../../src-main/server/envelope/send-file-reply.js';
import { makeTempFolder } from '../../support/temp-folder.js';

type FileReply = Parameters<typeof sendFileReply>[1];

/** A server whose every request is answered by `send`; its outcome is kept. */
async function serve(send: (res: ServerResponse) => Promise<void>) {
  const outcomes: Promise<void>[] = [];
  const server = createServer((req, res) => {
    req.resume();
    const outcome = send(res);
    outcome.catch(() => undefined); // looked at by the test, later
    outcomes.push(outcome);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    outcome: () => outcomes[0]!,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function get(port: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    request({ port, host: '127.0.0.1' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve(Buffer.concat(chunks)));
      res.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}

function fileWith(t: { after(fn: () => void): void }, data: Buffer): string {
  const folder = makeTempFolder('ahs-send-file-');
  t.after(() => rmSync(folder, { recursive: true, force: true }));
  const path = join(folder, 'reply');
  writeFileSync(path, data);
  return path;
}

test('a file of several buffers arrives byte for byte, from its path or its descriptor, and every byte is reported', async (t) => {
  const data = randomBytes(5.5 * 1024 * 1024 + 123);
  const path = fileWith(t, data);
  for (const fd of [undefined, openSync(path, 'r')]) {
    let reported = 0;
    const reply: FileReply = { kind: 'file', path, size: data.length, dispose: async () => undefined, ...(fd === undefined ? {} : { fd }) };
    const server = await serve(async (res) => {
      res.writeHead(200, { 'content-length': String(data.length) });
      await sendFileReply(res, reply, (bytes) => (reported += bytes));
    });
    try {
      assert.ok((await get(server.port)).equals(data));
      await server.outcome();
      assert.equal(reported, data.length);
    } finally {
      await server.close();
      if (fd !== undefined) closeSync(fd);
    }
  }
});

test('an empty file is an empty reply', async (t) => {
  const path = fileWith(t, Buffer.alloc(0));
  const server = await serve(async (res) => {
    res.writeHead(200, { 'content-length': '0' });
    await sendFileReply(res, { kind: 'file', path, size: 0, dispose: async () => undefined });
  });
  try {
    assert.equal((await get(server.port)).length, 0);
    await server.outcome();
  } finally {
    await server.close();
  }
});

test('a client that goes away mid-reply ends the send with an error, not a wait', async (t) => {
  const size = 64 * 1024 * 1024; // far more than the socket buffers hold, so the send must wait on the client
  const path = fileWith(t, Buffer.alloc(size, 7));
  const server = await serve(async (res) => {
    res.writeHead(200, { 'content-length': String(size) });
    await sendFileReply(res, { kind: 'file', path, size, dispose: async () => undefined });
  });
  try {
    await new Promise<void>((resolve) => {
      const req = request({ port: server.port, host: '127.0.0.1' }, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', () => undefined);
      req.end();
    });
    await assert.rejects(server.outcome(), ConnectionClosedError);
  } finally {
    await server.close();
  }
});

test('a file shorter than the size announced is an error, not a short reply', async (t) => {
  const path = fileWith(t, randomBytes(3 * 1024 * 1024));
  const server = await serve(async (res) => {
    res.writeHead(200, { 'content-length': String(4 * 1024 * 1024) });
    try {
      await sendFileReply(res, { kind: 'file', path, size: 4 * 1024 * 1024, dispose: async () => undefined });
    } finally {
      res.destroy();
    }
  });
  try {
    await assert.rejects(get(server.port));
    await assert.rejects(server.outcome(), /ended at 3145728 of 4194304 bytes/);
  } finally {
    await server.close();
  }
});
