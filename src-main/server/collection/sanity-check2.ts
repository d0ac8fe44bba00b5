// `sanityCheck2` (docs/protocol/collection-sync.md §3.8, §4.9): both sides' object counts
// must agree before the server commits. Due counts and graves are not
// compared. A mismatch is a 200 with "bad"; the server rolls back at once and
// the client, seeing it, forces a full sync next time.
import { jsonReply, type MethodHandler } from '../protocol.js';
import { requestJsonObject } from '../json-body.js';
import { withSyncSession } from './session-guard.js';
import { sanityCounts } from './sync-data/sanity-counts.js';
import { member, parseSanityCounts, type SanityCounts } from './sync-data/wire.js';

export interface SanityCheckResponse {
  status: 'ok' | 'bad';
  c: SanityCounts | null;
  s: SanityCounts | null;
}

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

export const sanityCheck2: MethodHandler = (user, request) =>
  withSyncSession(user, request, (session) => {
    const client = parseSanityCounts(member(requestJsonObject(request.body), 'client'));
    const response = compareSanityCounts(client, sanityCounts(session.db));
    if (response.status === 'bad') session.rollbackKeepingSession();
    return jsonReply(response);
  });
