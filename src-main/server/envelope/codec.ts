// Chooses the envelope for each request and reply. A request with the
// `anki-sync` header is version 11 (and a broken header is a 400, never a
// fallback); any other request is legacy multipart. The reply is encoded for
// the request's transportVersion.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DecodedRequest, PayloadLimits, SyncReply } from '../protocol.js';
import { parseSyncHeader, SYNC_HEADER } from './sync-header.js';
import { decodeV11Request, writeV11Reply } from './v11.js';
import { decodeLegacyRequest } from './legacy-multipart.js';
import { writeLegacyReply } from './legacy-reply.js';
import type { BodyTarget } from './body-sink.js';

export interface DecodeOptions {
  readonly limits: PayloadLimits;
  /**
   * Where the payload should go, given the host key the request carries. The
   * route decides (a full upload spools to the user's folder); an unknown key
   * gets 'discard' or 'memory', since auth fails after decoding anyway.
   */
  bodyTarget(hostKey: string): BodyTarget;
}

export async function decodeRequest(req: IncomingMessage, options: DecodeOptions): Promise<DecodedRequest> {
  const header = req.headers[SYNC_HEADER];
  if (header !== undefined) {
    const syncHeader = parseSyncHeader(header);
    return decodeV11Request(req, syncHeader, options.bodyTarget(syncHeader.k), options.limits);
  }
  return decodeLegacyRequest(req, options);
}

export function writeReply(res: ServerResponse, reply: SyncReply, transportVersion: number): Promise<void> {
  return transportVersion >= 11 ? writeV11Reply(res, reply) : writeLegacyReply(res, reply);
}
