// Replies to legacy requests (and GET begin) are the payload as it is: no
// compression, no anki-original-size header (docs/protocol/transport-auth-media.md §1.5, pitfall 3).
// The bytes are the same as a v11 payload before zstd (reply-bytes.ts).
import { createReadStream } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { SyncReply } from '../protocol.js';
import { replyBytes } from './reply-bytes.js';
import { endResponse } from './v11.js';

/** Writes a 200 reply in the legacy encoding. The caller disposes a file reply. */
export async function writeLegacyReply(response: ServerResponse, reply: SyncReply): Promise<void> {
  if (reply.kind === 'file') {
    response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(reply.size) });
    // `end` pins the byte count to the Content-Length sent, even if the file were to grow.
    const source =
      reply.size === 0 ? Readable.from([]) : createReadStream(reply.path, { highWaterMark: 1 << 20, start: 0, end: reply.size - 1 });
    await pipeline(source, response);
    return;
  }
  const bytes = replyBytes(reply);
  response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(bytes.length) });
  await endResponse(response, bytes);
}
