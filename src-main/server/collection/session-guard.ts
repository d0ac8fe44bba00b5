// The rules every step after `start` shares (docs/protocol/collection-sync.md §2.3): the
// session key must be present (400) and name the active sync (409); a failure
// while the step runs rolls the whole sync back, forgets it, and answers 400,
// which tells the client to run Check Database rather than retry blindly. The
// step parses its request too, so a malformed row or id list is such a
// failure: nothing of the sync so far is kept.
import { BadRequestError, ConflictError } from '../errors.js';
import type { SyncRequest, UserContext } from '../protocol.js';
import { abortActiveSync } from './active-sync.js';
import { NormalSyncSession } from './normal-sync-session.js';

export function requireSessionKey(request: SyncRequest): string {
  if (request.sessionKey === '') throw new BadRequestError(`${request.method}: missing session key`);
  return request.sessionKey;
}

export async function withSyncSession<T>(
  user: UserContext,
  request: SyncRequest,
  step: (session: NormalSyncSession) => T | Promise<T>,
): Promise<T> {
  const key = requireSessionKey(request);
  const active = user.activeSync;
  if (!(active instanceof NormalSyncSession)) throw new ConflictError(`${request.method}: no active sync`);
  if (active.sessionKey !== key) throw new ConflictError(`${request.method}: another sync is active`);
  if (active.wasRolledBack()) {
    abortActiveSync(user);
    throw new BadRequestError(`${request.method}: the sync was already rolled back`);
  }
  if (!active.isUsableWith(user.collection())) {
    // The collection was closed under the session: its transaction is gone, as after a restart.
    abortActiveSync(user);
    throw new ConflictError(`${request.method}: the sync's transaction no longer exists`);
  }
  try {
    return await step(active);
  } catch (error) {
    abortActiveSync(user);
    if (error instanceof BadRequestError) throw error;
    throw new BadRequestError(`${request.method} failed: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
}
