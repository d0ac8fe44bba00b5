// Replies to legacy requests (and GET begin) are the payload as it is: no
// compression, no anki-original-size header (transport spec §1.5, pitfall 3).
import { createReadStream } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { SyncReply } from '../protocol.js';
import { stringifyJson } from '../storage/json.js';

/** The bytes of a JSON or raw reply, exactly as a legacy client reads them. */
export function legacyReplyBytes(reply: Exclude<SyncReply, { kind: 'file' }>): Buffer {
  // stringifyJson: JSON.stringify that writes 64-bit integers (bigint) exactly (storage/json.ts)
  return reply.kind === 'json' ? Buffer.from(stringifyJson(reply.value), 'utf8') : reply.data;
}

/** Writes a 200 reply in the legacy encoding; a file reply is streamed and then disposed. */
export async function writeLegacyReply(response: ServerResponse, reply: SyncReply): Promise<void> {
  if (reply.kind === 'file') {
    try {
      response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': reply.size });
      await pipeline(createReadStream(reply.path), response);
    } finally {
      await reply.dispose();
    }
    return;
  }
  const bytes = legacyReplyBytes(reply);
  response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes.length });
  response.end(bytes);
}
