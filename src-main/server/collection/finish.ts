// `finish` (docs/protocol/collection-sync.md §3.9): stamps the collection, bumps its usn
// once, commits the session's transaction, and tells the client the new
// modification time, which both sides then share.
import { jsonReply, type MethodHandler } from '../protocol.js';
import { requestJsonObject } from '../json-body.js';
import { withSyncSession } from './session-guard.js';

export const finish: MethodHandler = (user, request) =>
  withSyncSession(user, request, (session) => {
    requestJsonObject(request.body);
    const now = Date.now();
    session.db.prepare('UPDATE col SET ls = ?, mod = ?, usn = usn + 1').run(now, now);
    session.commit();
    user.activeSync = null;
    const { fromClient, toClient } = session.moved;
    const detail = `${fromClient} ${fromClient === 1 ? 'change' : 'changes'} from the device, ${toClient} to it`;
    user.record({ kind: 'normal-sync', username: user.username, clientIp: request.clientIp, at: now, detail });
    return jsonReply(now);
  });
