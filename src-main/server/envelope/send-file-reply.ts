// Sends a file reply as it is (the legacy envelope's full download) through two
// buffers that take turns: one is read into while the other is on its way to
// the socket. A read stream allocated a new 1 MiB buffer for every read, so an
// 11 MiB collection cost 11 MiB outside V8's heap per download: timed one by
// one, each legacy download of 5,000 notes brought about three full garbage
// collections, and its body took 34-42 ms to send instead of 11-14 ms.
// A buffer is read into again only once the socket has taken what was written
// from it (the write's callback). The buffers belong to this one reply, so
// nothing another request does can touch them.
import { read } from 'node:fs';
import { open } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { finished } from 'node:stream/promises';
import type { SyncReply } from '../protocol.js';
import type { FileBytesListener } from './reply-bytes.js';

const BUFFER_BYTES = 1 << 20;

export class ConnectionClosedError extends Error {
  constructor() {
    super('the connection closed before the reply was sent');
  }
}

/** Writes the file's `reply.size` bytes to `res` and ends it; rejects if the file is shorter or the connection closes first. */
export async function sendFileReply(
  res: ServerResponse,
  reply: Extract<SyncReply, { kind: 'file' }>,
  onBytes?: FileBytesListener,
): Promise<void> {
  // A descriptor is the reply's own (dispose() closes it); a path is opened here.
  const handle = reply.fd === undefined ? await open(reply.path, 'r') : null;
  const fd = reply.fd ?? handle!.fd;
  // A write's callback never comes once the socket is gone, so every wait also ends at 'close'.
  const closed = new Promise<never>((_, reject) => res.once('close', () => reject(new ConnectionClosedError())));
  closed.catch(() => undefined);
  const untilSent = <T>(step: Promise<T>): Promise<T> => Promise.race([step, closed]);
  const buffers = [Buffer.allocUnsafe(Math.min(BUFFER_BYTES, reply.size)), Buffer.allocUnsafe(Math.min(BUFFER_BYTES, reply.size))];
  const inFlight: Promise<void>[] = [Promise.resolve(), Promise.resolve()];
  try {
    for (let position = 0, turn = 0; position < reply.size; turn ^= 1) {
      const buffer = buffers[turn]!;
      await untilSent(inFlight[turn]!);
      const bytes = await readAt(fd, buffer, Math.min(buffer.length, reply.size - position), position);
      if (bytes === 0) throw new Error(`the reply's file ended at ${position} of ${reply.size} bytes`);
      position += bytes;
      onBytes?.(bytes);
      const written = new Promise<void>((resolve, reject) => {
        res.write(buffer.subarray(0, bytes), (error) => {
          // A write into a socket already destroyed fails before 'close' is emitted: the same event.
          if (error) reject(res.destroyed ? new ConnectionClosedError() : error);
          else resolve();
        });
      });
      written.catch(() => undefined); // awaited at this buffer's next turn, or at the end
      inFlight[turn] = written;
      if (res.writableNeedDrain) await untilSent(new Promise<void>((resolve) => res.once('drain', () => resolve())));
    }
    await untilSent(Promise.all(inFlight));
    res.end();
    await finished(res);
  } finally {
    await handle?.close();
  }
}

function readAt(fd: number, buffer: Buffer, length: number, position: number): Promise<number> {
  return new Promise((resolve, reject) => {
    read(fd, buffer, 0, length, position, (error, bytes) => (error ? reject(error) : resolve(bytes)));
  });
}
