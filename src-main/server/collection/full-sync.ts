// Full sync: one side's whole collection replaces the other's
// (docs/protocol/collection-sync.md §5). The reference keeps these in
// rslib/src/sync/collection/{upload,download}.rs.
import { statSync } from 'node:fs';
import { stat, writeFile } from 'node:fs/promises';
import { isOutOfSpace, ServerFaultError } from '../errors.js';
import { rawReply, type RequestBody, type SyncReply, type SyncRequest } from '../protocol.js';
import { installDatabaseFile, removeDatabaseFiles } from '../storage/database-files.js';
import { copyCollection, downgradeFileToSchema11, schema11InMemory } from '../storage/schema/downgrade.js';
import { collectionImage, type CollectionImage } from '../storage/collection-image.js';
import { spoolPath } from '../storage/spool-files.js';
import type { User } from '../user.js';
import { prepareUploadInBackground } from './prepare-upload.js';

export const UPLOAD_OK = 'OK';
export const UPLOAD_TOO_LARGE = 'collection exceeds size limit';
/** Old clients show this text; current ones show it as a server message. */
export const CORRUPT_MESSAGE = 'Your upload was corrupt. Please use Check Database, or restore from backup.';

/**
 * `upload`: the client's whole collection file → `OK`, or one of the
 * reference's sentences, both as a 200 that the client shows to the user. The
 * old collection stays untouched unless the new one is sound.
 */
export const upload = async (user: User, body: RequestBody, request: SyncRequest): Promise<SyncReply> => {
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
    user.noteChanged();
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
 * other (storage/database-files.ts). The old one is kept as a
 * 'before-full-upload' snapshot (storage/snapshots/), durably, before it is replaced.
 */
async function installCollection(user: User, uploaded: string): Promise<void> {
  user.closeCollection();
  await installDatabaseFile(uploaded, user.paths.collection, async (old) => {
    if ((await stat(old)).size > 0) await user.keepReplaced?.(old, user.mediaStore());
  });
}

/**
 * `download`: EmptyInput → the whole collection file. As the reference does,
 * usn and mod are bumped first, so the client's next minUsn and mod match the
 * server's. The file is sent as it stands under the user's lock, streamed after
 * the lock is released: no other request can change what is sent, a client
 * that reads slowly holds nobody up, the file is never held whole in memory,
 * and no copy is written, so a download works on a full disk. While another
 * reader holds the WAL, a copy is sent instead when the disk has room for it
 * (storage/collection-image.ts).
 */
export const download = async (user: User, _input: null, request: SyncRequest): Promise<SyncReply> => {
  user.abortSync();
  // Legacy clients need a schema-11 file in DELETE journal mode (§5.2).
  if (request.transportVersion < 11) return await legacyDownload(user, request);
  bumpUsnAndMod(user);
  const image = user.withCollection((db) =>
    collectionImage(db, user.paths.collection, {
      exclusive: user.collectionHeldExclusively(),
      scratchPath: () => spoolPath(user.paths.folder, 'image'),
    }),
  );
  user.record({
    kind: 'full-download',
    username: user.username,
    clientIp: request.clientIp,
    at: Date.now(),
    detail: `${imageSize(image)} bytes`,
  });
  if (image.kind === 'memory') return rawReply(image.data);
  return {
    kind: 'file',
    path: user.paths.collection,
    fd: image.fd,
    size: image.size,
    dispose: async () => image.release(),
  };
};

function imageSize(image: CollectionImage): number {
  return image.kind === 'memory' ? image.data.length : image.size;
}

/**
 * `download` for legacy clients (sync versions 8–10): they can only open
 * schema 11 in DELETE journal mode (§5.2, §6.6.2). The reference closes its own
 * collection "as schema 11"; we keep the live file at schema 18 and downgrade a
 * self-contained copy instead, which is sent and then deleted. Only the
 * reference's usn/mod bump touches the live collection. On a full disk, or with
 * the collection held exclusively, the copy is made in memory instead.
 */
async function legacyDownload(user: User, request: SyncRequest): Promise<SyncReply> {
  bumpUsnAndMod(user);
  const reply = user.collectionHeldExclusively() ? null : await legacyCopyOnDisk(user);
  const sent = reply ?? rawReply(user.withCollection((db) => schema11InMemory(db)));
  const size = sent.kind === 'file' ? sent.size : sent.kind === 'raw' ? sent.data.length : 0;
  user.record({
    kind: 'full-download',
    username: user.username,
    clientIp: request.clientIp,
    at: Date.now(),
    detail: `${size} bytes, schema 11`,
  });
  return sent;
}

/** The schema-11 copy as a spool file, or null when the disk has no room for it. */
async function legacyCopyOnDisk(user: User): Promise<SyncReply | null> {
  const copy = spoolPath(user.paths.folder, 'download');
  const dispose = (): Promise<void> => removeDatabaseFiles(copy);
  try {
    user.withCollection((db) => copyCollection(db, copy));
    downgradeFileToSchema11(copy, { scratch: true });
  } catch (error) {
    await dispose();
    if (isOutOfSpace(error)) return null;
    throw new ServerFaultError('download: making the schema-11 copy', { cause: error });
  }
  return { kind: 'file', path: copy, size: statSync(copy).size, dispose };
}

/**
 * The reference's bump before a full download, so the client's next minUsn and
 * mod match the server's. On a full disk it cannot be written and is left out:
 * the download is still the server's collection, whole, and the usn it carries
 * is already above every object's.
 */
function bumpUsnAndMod(user: User): void {
  try {
    user.withCollection((db) => db.prepare('UPDATE col SET usn = usn + 1, mod = ?').run(Date.now()));
  } catch (error) {
    if (!isOutOfSpace(error)) throw error;
  }
}
