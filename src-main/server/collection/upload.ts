// `upload` (full upload): the client's whole collection file → `OK`, or one of
// the reference's sentences, both as a 200 that the client shows to the user.
// The old collection stays untouched unless the new one is sound.
import { writeFile } from 'node:fs/promises';
import { rawReply, type MethodHandler, type SyncReply, type UserContext } from '../protocol.js';
import { abortActiveSync } from './active-sync.js';
import { prepareUploadInBackground } from './prepare-upload.js';
import { installCollection } from './install.js';
import { spoolPath } from '../storage/spool-files.js';
import { removeDatabaseFiles } from '../storage/database-files.js';

export const UPLOAD_OK = 'OK';
export const UPLOAD_TOO_LARGE = 'collection exceeds size limit';
/** Old clients show this text; current ones show it as a server message. */
export const CORRUPT_MESSAGE = 'Your upload was corrupt. Please use Check Database, or restore from backup.';

/** The payload as a file in the user's folder (legacy decoders may hand it over in memory). */
async function uploadedFile(user: UserContext, body: Parameters<MethodHandler>[1]['body']): Promise<{ path: string; size: number }> {
  if (body.kind === 'file') return { path: body.path, size: body.size };
  const path = spoolPath(user.paths.folder, 'upload');
  await writeFile(path, body.data, { flag: 'wx', mode: 0o600 });
  return { path, size: body.data.length };
}

export const upload: MethodHandler = async (user, request): Promise<SyncReply> => {
  abortActiveSync(user);
  const file = await uploadedFile(user, request.body);
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
