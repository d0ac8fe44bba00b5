// Chooses the envelope for each request and reply. A request with the
// `anki-sync` header is version 11 (and a broken header is a 400, never a
// fallback); any other request is legacy multipart. The reply is encoded for
// the request's transportVersion.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SyncReply } from '../protocol.js';
import { parseSyncHeader, SYNC_HEADER, writeV11Reply, type SyncHeader } from './v11.js';
import { writeLegacyReply } from './legacy-reply.js';
import type { FileBytesListener } from './reply-bytes.js';

/** The v11 header of a request, or null for a legacy (multipart) one. */
export function syncHeaderOf(req: IncomingMessage): SyncHeader | null {
  const header = req.headers[SYNC_HEADER];
  return header === undefined ? null : parseSyncHeader(header);
}

export function writeReply(
  res: ServerResponse,
  reply: SyncReply,
  transportVersion: number,
  onFileBytes?: FileBytesListener,
): Promise<void> {
  return transportVersion >= 11 ? writeV11Reply(res, reply, onFileBytes) : writeLegacyReply(res, reply, onFileBytes);
}
