// `download` for legacy clients (sync versions 8–10): they can only open
// schema 11 in DELETE journal mode (docs/protocol/collection-sync.md §5.2, §6.6.2). The
// reference closes its own collection "as schema 11"; we keep the live file at
// schema 18 and downgrade a self-contained copy instead, which is sent and then
// deleted. Only the reference's usn/mod bump touches the live collection.
import { statSync } from 'node:fs';
import { ServerFaultError } from '../errors.js';
import type { SyncReply, SyncRequest, UserContext } from '../protocol.js';
import { copyCollection, downgradeFileToSchema11 } from '../storage/downgrade.js';
import { openUserCollection } from './open.js';
import { spoolPath } from '../storage/spool-files.js';
import { removeDatabaseFiles } from '../storage/database-files.js';

export async function legacyDownload(user: UserContext, request: SyncRequest): Promise<SyncReply> {
  const db = openUserCollection(user);
  db.transaction(() => {
    db.prepare('UPDATE col SET usn = usn + 1, mod = ?').run(Date.now());
  })();
  const copy = spoolPath(user.paths.folder, 'download');
  const dispose = (): Promise<void> => removeDatabaseFiles(copy);
  try {
    copyCollection(db, copy);
    downgradeFileToSchema11(copy);
  } catch (error) {
    await dispose();
    throw new ServerFaultError('download: making the schema-11 copy', { cause: error });
  }
  const size = statSync(copy).size;
  user.record({
    kind: 'full-download',
    username: user.username,
    clientIp: request.clientIp,
    at: Date.now(),
    detail: `${size} bytes, schema 11`,
  });
  return { kind: 'file', path: copy, size, dispose };
}
