// Replies to legacy (multipart) requests: the payload as it is, no compression,
// no size header (transport spec §1.5).
import type { ServerResponse } from 'node:http';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { SyncReply } from '../protocol.js';
import { replyBytes } from './reply-bytes.js';
import { endResponse } from './v11.js';

export async function writeRawReply(res: ServerResponse, reply: SyncReply): Promise<void> {
  if (reply.kind === 'file') {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(reply.size) });
    const source =
      reply.size === 0
        ? Readable.from([])
        : createReadStream(reply.path, { highWaterMark: 1 << 20, start: 0, end: reply.size - 1 });
    await pipeline(source, res);
    return;
  }
  const body = replyBytes(reply);
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(body.length) });
  await endResponse(res, body);
}
