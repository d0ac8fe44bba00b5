// `download` (full download): EmptyInput → the whole collection file. As the
// reference does, usn and mod are bumped first, so the client's next minUsn
// and mod match the server's. A copy of the file is made under the user's lock
// and streamed from disk after it is released, so no other request can change
// what is sent, a client that reads slowly holds nobody up, and the file is
// never held whole in memory.
import { existsSync, statSync } from 'node:fs';
import { copyFile, rm } from 'node:fs/promises';
import { spoolPath } from '../storage/spool-files.js';
import { ServerFaultError } from '../errors.js';
import type { MethodHandler, SyncReply } from '../protocol.js';
import { requestJsonObject } from '../json-body.js';
import { abortActiveSync } from './active-sync.js';
import { openUserCollection } from './open.js';
import { legacyDownload } from './legacy-download.js';

export const download: MethodHandler = async (user, request): Promise<SyncReply> => {
  requestJsonObject(request.body);
  abortActiveSync(user);
  // Legacy clients need a schema-11 file in DELETE journal mode (docs/protocol/collection-sync.md §5.2).
  if (request.transportVersion < 11) return await legacyDownload(user, request);
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
  const copy = spoolPath(user.paths.folder, 'download');
  const dispose = (): Promise<void> => rm(copy, { force: true });
  try {
    await copyFile(path, copy);
  } catch (error) {
    await dispose();
    throw new ServerFaultError('download: copying the collection', { cause: error });
  }
  const size = statSync(copy).size;
  user.record({ kind: 'full-download', username: user.username, clientIp: request.clientIp, at: Date.now(), detail: `${size} bytes` });
  return { kind: 'file', path: copy, size, dispose };
};
