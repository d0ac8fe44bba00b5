// `chunk` (docs/protocol/collection-sync.md §3.6): the server's changed revlog, cards and
// notes, 250 at a time. The ids are gathered on the first call, after graves
// and unchunked changes but before anything from `applyChunk`.
import { jsonReply, type MethodHandler } from '../protocol.js';
import { requestJsonObject } from '../json-body.js';
import { withSyncSession } from './session-guard.js';
import { chunkableIds, chunkObjectCount, loadChunk, takeChunkIds } from './sync-data/chunks.js';

export const chunk: MethodHandler = (user, request) =>
  withSyncSession(user, request, (session) => {
    requestJsonObject(request.body); // EmptyInput: `{"_pad":null}`, `{}` or nothing
    session.serverChunkIds ??= chunkableIds(session.db, session.clientUsn);
    const outgoing = loadChunk(session.db, takeChunkIds(session.serverChunkIds), null);
    session.moved.toClient += chunkObjectCount(outgoing);
    return jsonReply(outgoing);
  });
