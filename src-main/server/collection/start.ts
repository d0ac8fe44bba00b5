// `start` (docs/protocol/collection-sync.md §3.3): replaces any sync in progress with a new
// session, and answers with the server's graves the client has not seen.
// Those are gathered before the legacy graves some old clients send in this
// same request are applied, so a client never gets its own deletions back.
import { isJsonObject } from '../json.js';
import { BadRequestError } from '../errors.js';
import { jsonReply, type MethodHandler } from '../protocol.js';
import { NormalSyncSession } from './normal-sync-session.js';
import { openUserCollection } from './open.js';
import { requestJsonObject } from '../json-body.js';
import { abortActiveSync } from './active-sync.js';
import { requireSessionKey, withSyncSession } from './session-guard.js';
import { applyGravesInTurns, graveCount, pendingGraves } from './sync-data/graves.js';
import { member, parseLegacyGraves, strictInt } from './sync-data/wire.js';

export const start: MethodHandler = (user, request) => {
  const sessionKey = requireSessionKey(request);
  const body = requestJsonObject(request.body);
  const minUsn = strictInt(member(body, 'minUsn'), 'start minUsn', -(2 ** 31), 2 ** 31 - 1);
  const lnewer = member(body, 'lnewer');
  if (typeof lnewer !== 'boolean') throw new BadRequestError('start: lnewer must be a boolean');
  const legacyGraves = parseLegacyGraves(isJsonObject(body) ? body.graves : undefined);

  abortActiveSync(user);
  user.activeSync = NormalSyncSession.begin(openUserCollection(user), sessionKey, minUsn, lnewer);

  return withSyncSession(user, request, async (session) => {
    const serverGraves = pendingGraves(session.db, session.clientUsn);
    session.moved.toClient += graveCount(serverGraves);
    if (legacyGraves) {
      await applyGravesInTurns(session.db, legacyGraves, session.serverUsn);
      session.moved.fromClient += graveCount(legacyGraves);
    }
    return jsonReply(serverGraves);
  });
};
