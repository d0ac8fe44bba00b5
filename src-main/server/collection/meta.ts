// `meta`: {"v": sync version, "cv": client version} → the server's status, from
// which the client decides between no sync, a normal sync and a full sync.
import { statSync } from 'node:fs';
import { ClientTooOldError } from '../errors.js';
import { jsonReply, type SyncReply, type SyncRequest } from '../protocol.js';
import type { User } from '../user.js';
import type { MetaInput } from './sync-data/wire.js';
import { legacyVersionRefusal } from './legacy-version-rules.js';

const SYNC_VERSION_MIN = 8;
const SYNC_VERSION_MAX = 11;

interface ColStamps {
  mod: number;
  scm: number;
  usn: number;
}

export const meta = (user: User, { syncVersion: v, clientVersion }: MetaInput, request: SyncRequest): SyncReply => {
  request.reportClient?.(clientVersion);
  user.abortSync();
  return user.withCollection((db) => {
    // Old clients expect 501 for a version the server does not speak.
    if (v < SYNC_VERSION_MIN || v > SYNC_VERSION_MAX) throw new ClientTooOldError('unsupported version');

    const stamps = db.prepare('SELECT mod, scm, usn FROM col').get() as ColStamps;
    const empty = db.prepare('SELECT EXISTS (SELECT 1 FROM cards) AS found').get() as { found: number };
    // A file the client could not download forces a one-way sync, as the reference does.
    const tooBig = statSync(user.paths.collection).size > user.limits.maxUncompressedBytes;
    const refusal = legacyVersionRefusal(db, v);
    return jsonReply({
      mod: stamps.mod,
      scm: tooBig ? Date.now() : stamps.scm,
      usn: stamps.usn,
      ts: Math.floor(Date.now() / 1000),
      // A refusal is all a client that must not sync is told; otherwise a notice it has not had yet, if any.
      msg: refusal ?? user.noticeFor(`${request.clientIp} ${clientVersion}`, stamps.scm),
      cont: refusal === null,
      hostNum: 0,
      empty: empty.found === 0,
      media_usn: user.mediaStore().lastUsn(),
    });
  });
};
