// A reply's payload before its envelope (the bytes of an in-memory reply, or
// the stream of a file reply, which v11 compresses), and its last step, shared
// by both envelopes. The legacy envelope sends a file as it is, through
// send-file-reply.ts.
import { createReadStream } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { SyncReply } from '../protocol.js';
import { stringifyJson } from '../json.js';

/** The uncompressed payload of an in-memory reply. */
export function replyBytes(reply: Exclude<SyncReply, { kind: 'file' }>): Buffer {
  if (reply.kind === 'raw') return reply.data;
  // A handler with nothing to say means the unit reply (null). stringifyJson is
  // JSON.stringify that also writes 64-bit integers (bigint) exactly: stock
  // notetype field ids exceed 2^53 (server/json.ts).
  return Buffer.from(stringifyJson(reply.value ?? null), 'utf8');
}

/** Told how many bytes of a file reply have been read for sending (a full download's progress). */
export type FileBytesListener = (bytes: number) => void;

/** A file reply's bytes. `end` pins the count to the size announced, even if the file were to grow. */
export function fileReplySource(reply: Extract<SyncReply, { kind: 'file' }>, onBytes?: FileBytesListener): Readable {
  const source =
    reply.size === 0
      ? Readable.from([])
      : createReadStream(reply.path, {
          highWaterMark: 1 << 20,
          start: 0,
          end: reply.size - 1,
          // A descriptor is the reply's own: dispose() closes it.
          ...(reply.fd === undefined ? {} : { fd: reply.fd, autoClose: false }),
        });
  // Attached in the same turn as the pipe that reads it, so no chunk is missed.
  if (onBytes !== undefined) source.on('data', (chunk: Buffer) => onBytes(chunk.length));
  return source;
}

/** Resolves once the body is handed to the socket; rejects if the connection closes first. */
export async function endResponse(res: ServerResponse, body: Buffer): Promise<void> {
  res.end(body);
  await finished(res);
}
