// `applyGraves` (docs/protocol/collection-sync.md §3.4): the client's deletions, in chunks.
import { jsonReply, type MethodHandler } from '../protocol.js';
import { requestJsonObject } from '../json-body.js';
import { withSyncSession } from './session-guard.js';
import { applyGravesInTurns, graveCount } from './sync-data/graves.js';
import { member, parseGraves } from './sync-data/wire.js';

export const applyGraves: MethodHandler = (user, request) =>
  withSyncSession(user, request, async (session) => {
    const graves = parseGraves(member(requestJsonObject(request.body), 'chunk'));
    await applyGravesInTurns(session.db, graves, session.serverUsn);
    session.moved.fromClient += graveCount(graves);
    return jsonReply(null);
  });
