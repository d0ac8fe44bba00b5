// Replies to legacy requests (and GET begin) are the payload as it is: no
// compression, no anki-original-size header (docs/protocol/transport-auth-media.md §1.5, pitfall 3).
// The bytes are the same as a v11 payload before zstd (reply-bytes.ts).
import type { ServerResponse } from 'node:http';
import type { SyncReply } from '../protocol.js';
import { endResponse, replyBytes, type FileBytesListener } from './reply-bytes.js';
import { sendFileReply } from './send-file-reply.js';

/** Writes a 200 reply in the legacy encoding. The caller disposes a file reply. */
export async function writeLegacyReply(response: ServerResponse, reply: SyncReply, onFileBytes?: FileBytesListener): Promise<void> {
  if (reply.kind === 'file') {
    response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(reply.size) });
    await sendFileReply(response, reply, onFileBytes);
    return;
  }
  const bytes = replyBytes(reply);
  response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(bytes.length) });
  await endResponse(response, bytes);
}
