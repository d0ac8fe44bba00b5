// `applyChanges` (docs/protocol/collection-sync.md §3.5): notetypes, decks, deck configs,
// tags and config, both ways in one request. The server's side is gathered
// before anything of the client's is merged, so nothing is echoed back. JSON
// is parsed and written losslessly: i64 ids in notetypes and config survive.
import { BadRequestError } from '../errors.js';
import { rawReply, type MethodHandler } from '../protocol.js';
import { isJsonObject, parseJson, stringifyJson, type JsonValue } from '../json.js';
import { withSyncSession } from './session-guard.js';
import { changeCount, decodeChanges, gatherChanges, mergeChanges, parseUnchunkedChanges } from './sync-data/changes.js';

function losslessBody(request: Parameters<MethodHandler>[1]): JsonValue {
  if (request.body.kind !== 'buffer') throw new BadRequestError('applyChanges: expected a JSON body');
  try {
    return parseJson(new TextDecoder('utf-8', { fatal: true }).decode(request.body.data));
  } catch (error) {
    throw new BadRequestError('applyChanges: invalid json', { cause: error });
  }
}

export const applyChanges: MethodHandler = (user, request) =>
  withSyncSession(user, request, (session) => {
    const body = losslessBody(request);
    const incoming = decodeChanges(parseUnchunkedChanges(isJsonObject(body) ? body.changes : undefined));
    const ours = gatherChanges(session.db, session.clientUsn, null, !session.clientIsNewer);
    mergeChanges(session.db, incoming, session.serverUsn);
    session.moved.toClient += changeCount(ours);
    session.moved.fromClient += incoming.notetypes.length + incoming.decks.length + incoming.deckConfigs.length + incoming.tags.length;
    return rawReply(stringifyJson(ours));
  });
