// `applyChunk` (docs/protocol/collection-sync.md §3.7): the client's revlog, cards and notes.
import { jsonReply, type MethodHandler } from '../protocol.js';
import { requestJsonObject } from '../json-body.js';
import { withSyncSession } from './session-guard.js';
import { chunkObjectCount, writeChunkRows } from './sync-data/chunks.js';
import { member, parseChunk } from './sync-data/wire.js';

export const applyChunk: MethodHandler = (user, request) =>
  withSyncSession(user, request, (session) => {
    const incoming = parseChunk(member(requestJsonObject(request.body), 'chunk'));
    writeChunkRows(session.db, incoming, session.clientUsn);
    session.moved.fromClient += chunkObjectCount(incoming);
    return jsonReply(null);
  });
