// The steps of a normal sync after `meta` (docs/protocol/collection-sync.md §3),
// in the order a client sends them, each given its parsed input
// (sync-data/wire.ts). Each step after `start` runs inside the user's sync
// session (user.ts, withSyncSession; method-table.ts puts it there): its key
// is checked, and a failure rolls the whole sync back. The reference keeps the same steps in
// rslib/src/sync/collection/{start,graves,changes,chunks,sanity,finish}.rs.
import { stringifyJson } from '../json.js';
import { jsonReply, rawReply, type SyncReply, type SyncRequest } from '../protocol.js';
import type { User } from '../user.js';
import type { NormalSyncSession } from './normal-sync-session.js';
import { changeCount, gatherChanges, mergeChanges, type DecodedChanges } from './sync-data/changes.js';
import { chunkableIds, chunkObjectCount, loadChunk, takeChunkIds, writeChunkRows } from './sync-data/chunks.js';
import { applyGravesInTurns, graveCount, pendingGraves } from './sync-data/graves.js';
import { sanityCounts } from './sync-data/sanity-counts.js';
import type { Chunk, Graves, SanityCounts, StartInput } from './sync-data/wire.js';

/**
 * `start` (§3.3): replaces any sync in progress with a new session, and answers
 * with the server's graves the client has not seen. Those are gathered before
 * the legacy graves some old clients send in this same request are applied, so
 * a client never gets its own deletions back.
 */
export const start = (
  user: User,
  { sessionKey, minUsn, clientIsNewer, legacyGraves }: StartInput,
  request: SyncRequest,
): Promise<SyncReply> => {
  user.startSync(sessionKey, minUsn, clientIsNewer);
  return user.withSyncSession(request, async (session) => {
    const serverGraves = pendingGraves(session.db, session.clientUsn);
    session.moved.toClient += graveCount(serverGraves);
    if (legacyGraves) {
      await applyGravesInTurns(session.db, legacyGraves, session.serverUsn);
      session.moved.fromClient += graveCount(legacyGraves);
    }
    return jsonReply(serverGraves);
  });
};

/** `applyGraves` (§3.4): the client's deletions, in chunks. */
export const applyGraves = async (session: NormalSyncSession, graves: Graves): Promise<SyncReply> => {
  await applyGravesInTurns(session.db, graves, session.serverUsn);
  session.moved.fromClient += graveCount(graves);
  return jsonReply(null);
};

/**
 * `applyChanges` (§3.5): notetypes, decks, deck configs, tags and config, both
 * ways in one request. The server's side is gathered before anything of the
 * client's is merged, so nothing is echoed back. JSON is parsed and written
 * losslessly: i64 ids in notetypes and config survive.
 */
export const applyChanges = (session: NormalSyncSession, incoming: DecodedChanges): SyncReply => {
  const ours = gatherChanges(session.db, session.clientUsn, null, !session.clientIsNewer);
  mergeChanges(session.db, incoming, session.serverUsn);
  session.moved.toClient += changeCount(ours);
  session.moved.fromClient += incoming.notetypes.length + incoming.decks.length + incoming.deckConfigs.length + incoming.tags.length;
  return rawReply(stringifyJson(ours));
};

/**
 * `chunk` (§3.6): the server's changed revlog, cards and notes, 250 at a time.
 * The ids are gathered on the first call, after graves and unchunked changes
 * but before anything from `applyChunk`.
 */
export const chunk = (session: NormalSyncSession): SyncReply => {
  session.serverChunkIds ??= chunkableIds(session.db, session.clientUsn);
  const outgoing = loadChunk(session.db, takeChunkIds(session.serverChunkIds), null);
  session.moved.toClient += chunkObjectCount(outgoing);
  return jsonReply(outgoing);
};

/** `applyChunk` (§3.7): the client's revlog, cards and notes. */
export const applyChunk = (session: NormalSyncSession, incoming: Chunk): SyncReply => {
  writeChunkRows(session.db, incoming, session.clientUsn);
  session.moved.fromClient += chunkObjectCount(incoming);
  return jsonReply(null);
};

export interface SanityCheckResponse {
  status: 'ok' | 'bad';
  c: SanityCounts | null;
  s: SanityCounts | null;
}

/** Due counts and graves are not compared (§4.9). */
function comparable(counts: SanityCounts): SanityCounts {
  const [, cards, notes, revlog, , notetypes, decks, deckConfigs] = counts;
  return [[0, 0, 0], cards, notes, revlog, 0, notetypes, decks, deckConfigs];
}

export function compareSanityCounts(client: SanityCounts, server: SanityCounts | null): SanityCheckResponse {
  if (server === null) return { status: 'bad', c: client, s: null };
  const c = comparable(client);
  const s = comparable(server);
  return { status: JSON.stringify(c) === JSON.stringify(s) ? 'ok' : 'bad', c, s };
}

/**
 * `sanityCheck2` (§3.8): both sides' object counts must agree before the server
 * commits. A mismatch is a 200 with "bad"; the server rolls back at once and
 * the client, seeing it, forces a full sync next time.
 */
export const sanityCheck2 = (session: NormalSyncSession, client: SanityCounts): SyncReply => {
  const response = compareSanityCounts(client, sanityCounts(session.db));
  if (response.status === 'bad') session.rollbackKeepingSession();
  return jsonReply(response);
};

/**
 * `finish` (§3.9): stamps the collection, bumps its usn once, commits the
 * session's transaction, and tells the client the new modification time,
 * which both sides then share.
 */
export const finish = (session: NormalSyncSession, _input: null, user: User, request: SyncRequest): SyncReply => {
  const now = Date.now();
  session.db.prepare('UPDATE col SET ls = ?, mod = ?, usn = usn + 1').run(now, now);
  session.commit();
  const { fromClient, toClient } = session.moved;
  if (fromClient > 0) user.noteChanged();
  const detail = `${fromClient} ${fromClient === 1 ? 'change' : 'changes'} from the device, ${toClient} to it`;
  user.record({ kind: 'normal-sync', username: user.username, clientIp: request.clientIp, at: now, detail });
  return jsonReply(now);
};

/** `abort`: EmptyInput → null. Rolls back whatever sync is in progress, without comparing session keys. */
export const abort = (user: User): SyncReply => {
  user.abortSync();
  return jsonReply(null);
};
