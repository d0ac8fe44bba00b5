// `download` (full download): EmptyInput → the whole collection file. As the
// reference does, usn and mod are bumped first, so the client's next minUsn
// and mod match the server's. The file is streamed from disk while the user's
// lock is held (the dispatcher releases it after the last byte), so no other
// request can change it mid-stream, and it is never held whole in memory.
import { existsSync, statSync } from 'node:fs';
import { ServerFaultError } from '../errors.js';
import type { MethodHandler, SyncReply } from '../protocol.js';
import { requestJsonObject } from '../json-body.js';
import { abortActiveSync } from './active-sync.js';
import { openUserCollection } from './open.js';
import { legacyDownload } from './legacy-download.js';

export const download: MethodHandler = (user, request): SyncReply | Promise<SyncReply> => {
  requestJsonObject(request.body);
  abortActiveSync(user);
  // Legacy clients need a schema-11 file in DELETE journal mode (docs/protocol/collection-sync.md §5.2).
  if (request.transportVersion < 11) return legacyDownload(user, request);
  const db = openUserCollection(user);
  db.transaction(() => {
    db.prepare('UPDATE col SET usn = usn + 1, mod = ?').run(Date.now());
  })();
  // Everything into the main file, then close: the file alone is the collection.
  db.pragma('wal_checkpoint(TRUNCATE)');
  user.closeCollection();
  const path = user.paths.collection;
  if (existsSync(`${path}-wal`) && statSync(`${path}-wal`).size > 0) {
    throw new ServerFaultError('download: the collection still has a WAL after closing');
  }
  const size = statSync(path).size;
  user.record({ kind: 'full-download', username: user.username, clientIp: request.clientIp, at: Date.now(), detail: `${size} bytes` });
  return { kind: 'file', path, size, dispose: async () => undefined };
};
