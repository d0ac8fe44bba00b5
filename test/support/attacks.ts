// What an attacker or a broken client does to a server, over real sockets on
// loopback. Attacks come from 127.0.0.2 (any 127/8 address reaches a server on
// 127.0.0.1 on Linux), so the legitimate clients on 127.0.0.1 are another
// address, as a learner's phone is.
import { connect, type Socket } from 'node:net';
import { request } from 'node:http';
import { randomBytes } from 'node:crypto';
import { Compressor } from 'zstd-napi';
import { ANKI_BOUNDARY } from './legacy-form.js';
import { syncHeaderValue } from './v11-transport.js';

export const ATTACKER = '127.0.0.2';

export interface OpenRequest {
  readonly socket: Socket;
  /** The status line's code once the server answers (0 if it closes without one). */
  readonly status: Promise<number>;
  /** Resolves once everything given so far has been handed to the kernel. */
  readonly sent: Promise<void>;
}

function open(port: number, localAddress: string, first: Buffer): OpenRequest {
  const socket = connect({ port, host: '127.0.0.1', localAddress });
  socket.on('error', () => undefined);
  let head = '';
  const status = new Promise<number>((resolve) => {
    socket.on('data', (chunk: Buffer) => {
      head += chunk.toString('latin1');
      const match = /^HTTP\/1\.1 (\d{3})/.exec(head);
      if (match) resolve(Number(match[1]));
    });
    socket.on('close', () => resolve(0));
  });
  const sent = new Promise<void>((resolve) => socket.write(first, () => resolve()));
  return { socket, status, sent };
}

/**
 * A legacy form whose `data` part comes first (as the old Rust client sends
 * it), `dataBytes` of it, and then nothing: the form never ends, so no key is
 * ever read.
 */
export function stalledLegacyDataFirst(port: number, dataBytes: number, localAddress = ATTACKER): OpenRequest {
  const partHead = `--${ANKI_BOUNDARY}\r\nContent-Disposition: form-data; name="data"; filename="data"\r\nContent-Type: application/octet-stream\r\n\r\n`;
  const length = partHead.length + dataBytes + 1000;
  const head =
    `POST /sync/upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=${ANKI_BOUNDARY}\r\n` +
    `Content-Length: ${length}\r\n\r\n${partHead}`;
  return open(port, localAddress, Buffer.concat([Buffer.from(head, 'latin1'), randomBytes(dataBytes)]));
}

/** One zstd frame of `decodedBytes` zeros: a few KiB on the wire. */
export function zstdBomb(decodedBytes: number): Buffer {
  const compressor = new Compressor();
  compressor.setParameters({ compressionLevel: 19 });
  return compressor.compress(Buffer.alloc(decodedBytes));
}

/**
 * A v11 request with a valid header whose zstd body decodes to `bomb`'s size,
 * sent chunked and never ended.
 */
export function stalledV11Body(port: number, hostKey: string, method: string, body: Buffer, localAddress = ATTACKER): OpenRequest {
  const header = syncHeaderValue({ k: hostKey, s: 'attack' });
  const head =
    `POST /sync/${method} HTTP/1.1\r\nHost: 127.0.0.1\r\nanki-sync: ${header}\r\nContent-Type: application/octet-stream\r\n` +
    `Transfer-Encoding: chunked\r\n\r\n${body.length.toString(16)}\r\n`;
  return open(port, localAddress, Buffer.concat([Buffer.from(head, 'latin1'), body, Buffer.from('\r\n')]));
}

/** A connection that sends nothing at all. */
export function idleSocket(port: number, localAddress = ATTACKER): OpenRequest {
  return open(port, localAddress, Buffer.alloc(0));
}

/** Sends a request head of our own; the body is up to the caller. */
export function rawRequest(port: number, head: string, localAddress = ATTACKER): OpenRequest {
  return open(port, localAddress, Buffer.from(head, 'latin1'));
}

/** Resolves when `condition` holds, polling; rejects after `deadlineMs` (a deadline for an outcome, not a speed check). */
export async function eventually(condition: () => boolean | Promise<boolean>, what: string, deadlineMs = 20_000): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error(`still not so after ${deadlineMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** `promise`, or a rejection after `deadlineMs`: a test must never hang on a server that does not answer. */
export async function withDeadline<T>(promise: Promise<T>, what: string, deadlineMs = 30_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no outcome after ${deadlineMs} ms: ${what}`)), deadlineMs);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** A v11 login from `localAddress`; resolves with the status. */
export function loginFrom(port: number, username: string, password: string, localAddress = ATTACKER): Promise<number> {
  const body = new Compressor().compress(Buffer.from(JSON.stringify({ u: username, p: password })));
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/sync/hostKey',
        method: 'POST',
        localAddress,
        agent: false,
        headers: { 'anki-sync': syncHeaderValue({ k: '', s: 'x' }), 'content-length': body.length },
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Repeats `attack` until the time `until` (or until `until()` says stop); never throws. */
export async function keepAttacking(until: number | (() => boolean), attack: () => Promise<unknown>): Promise<number> {
  const going = typeof until === 'number' ? () => Date.now() < until : () => !until();
  let rounds = 0;
  while (going()) {
    await attack().catch(() => undefined);
    rounds++;
  }
  return rounds;
}

/** Opens `make()` requests, waits for their answers (or a short while), then closes them. */
export async function wave(make: () => OpenRequest[], holdMs = 1_500): Promise<void> {
  const open = make();
  await Promise.race([Promise.all(open.map((request) => request.status)), new Promise((resolve) => setTimeout(resolve, holdMs))]);
  for (const request of open) request.socket.destroy();
}

/** The request's status if it is answered within `ms`, else -1 (still open: not refused). */
export function statusWithin(request: OpenRequest, ms: number): Promise<number> {
  return Promise.race([request.status, new Promise<number>((resolve) => setTimeout(() => resolve(-1), ms))]);
}
