// Full sync: one side's whole collection replaces the other's
// (docs/protocol/collection-sync.md §5). The reference keeps these in
// rslib/src/sync/collection/{upload,download}.rs.
import { existsSync, statSync } from 'node:fs';
import { copyFile, rm, stat, writeFile } from 'node:fs/promises';
import { ServerFaultError } from '../errors.js';
import { rawReply, type MethodHandler, type RequestBody, type SyncReply, type SyncRequest } from '../protocol.js';
import { installDatabaseFile, removeDatabaseFiles } from '../storage/database-files.js';
import { copyCollection, downgradeFileToSchema11 } from '../storage/downgrade.js';
import { spoolPath } from '../storage/spool-files.js';
import type { User } from '../user.js';
import { prepareUploadInBackground } from './prepare-upload.js';
import { backUpCollection, pruneBackups } from './replaced-collections.js';

export const UPLOAD_OK = 'OK';
export const UPLOAD_TOO_LARGE = 'collection exceeds size limit';
/** Old clients show this text; current ones show it as a server message. */
export const CORRUPT_MESSAGE = 'Your upload was corrupt. Please use Check Database, or restore from backup.';

/**
 * `upload`: the client's whole collection file → `OK`, or one of the
 * reference's sentences, both as a 200 that the client shows to the user. The
 * old collection stays untouched unless the new one is sound.
 */
export const upload: MethodHandler<RequestBody> = async (user, body, request): Promise<SyncReply> => {
  user.abortSync();
  const file = await uploadedFile(user, body);
  try {
    // A body cut off at the cap arrives with size = the cap, so it lands here too.
    if (file.size >= user.limits.maxUncompressedBytes) return rawReply(UPLOAD_TOO_LARGE);
    const verdict = await prepareUploadInBackground(file.path);
    if (!verdict.ok) {
      user.record({
        kind: 'error',
        username: user.username,
        clientIp: request.clientIp,
        at: Date.now(),
        detail: `full upload refused: ${verdict.reason}`,
      });
      return rawReply(CORRUPT_MESSAGE);
    }
    await installCollection(user, file.path);
    user.record({ kind: 'full-upload', username: user.username, clientIp: request.clientIp, at: Date.now(), detail: `${file.size} bytes` });
    return rawReply(UPLOAD_OK);
  } finally {
    await removeDatabaseFiles(file.path);
  }
};

/** The payload as a file in the user's folder (legacy decoders may hand it over in memory). */
async function uploadedFile(user: User, body: RequestBody): Promise<{ path: string; size: number }> {
  if (body.kind === 'file') return { path: body.path, size: body.size };
  const path = spoolPath(user.paths.folder, 'upload');
  await writeFile(path, body.data, { flag: 'wx', mode: 0o600 });
  return { path, size: body.data.length };
}

/**
 * Puts a validated upload (a file in the same folder) in place of the live
 * collection so that, whenever the process stops, the folder holds either the
 * old collection or the new one, complete, and never a WAL that belongs to the
 * other (storage/database-files.ts). The old one is kept in backups/.
 */
async function installCollection(user: User, uploaded: string): Promise<void> {
  user.closeCollection();
  await installDatabaseFile(uploaded, user.paths.collection, async (old) => {
    if ((await stat(old)).size > 0) await backUpCollection(old, user.paths.backups);
  });
  if (existsSync(user.paths.backups)) await pruneBackups(user.paths.backups);
}

/**
 * `download`: EmptyInput → the whole collection file. As the reference does,
 * usn and mod are bumped first, so the client's next minUsn and mod match the
 * server's. A copy of the file is made under the user's lock and streamed from
 * disk after it is released, so no other request can change what is sent, a
 * client that reads slowly holds nobody up, and the file is never held whole
 * in memory.
 */
export const download: MethodHandler<null> = async (user, _input, request): Promise<SyncReply> => {
  user.abortSync();
  // Legacy clients need a schema-11 file in DELETE journal mode (§5.2).
  if (request.transportVersion < 11) return await legacyDownload(user, request);
  bumpUsnAndMod(user);
  // Everything into the main file, then close: the file alone is the collection.
  user.withCollection((db) => db.pragma('wal_checkpoint(TRUNCATE)'));
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

/**
 * `download` for legacy clients (sync versions 8–10): they can only open
 * schema 11 in DELETE journal mode (§5.2, §6.6.2). The reference closes its own
 * collection "as schema 11"; we keep the live file at schema 18 and downgrade a
 * self-contained copy instead, which is sent and then deleted. Only the
 * reference's usn/mod bump touches the live collection.
 */
async function legacyDownload(user: User, request: SyncRequest): Promise<SyncReply> {
  bumpUsnAndMod(user);
  const copy = spoolPath(user.paths.folder, 'download');
  const dispose = (): Promise<void> => removeDatabaseFiles(copy);
  try {
    user.withCollection((db) => copyCollection(db, copy));
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

/** The reference's bump before a full download, so the client's next minUsn and mod match the server's. */
function bumpUsnAndMod(user: User): void {
  user.withCollection((db) => db.prepare('UPDATE col SET usn = usn + 1, mod = ?').run(Date.now()));
}
