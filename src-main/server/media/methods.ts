// The `/msync/{method}` table. Handlers see only the user and the decoded request;
// the envelope (v11 zstd or legacy multipart) wraps their replies.
import { BadRequestError } from '../errors.js';
import { rawReply, type MethodTable, type RequestBody, type SyncRequest } from '../protocol.js';
import type { User } from '../user.js';
import { mediaResult } from './media-result.js';
import { parseBeginRequest, parseDownloadFilesRequest, parseMediaChangesRequest, parseMediaSanityRequest } from './requests.js';
import type { ZipSource } from './upload/zip-archive.js';

export const mediaMethods = {
  begin: (user, request) => {
    const fromJson = parseBeginRequest(request.body).clientVersion;
    // Legacy clients send their version as a form field (or GET query), not in
    // the JSON; like the reference router, that value takes precedence there.
    const clientVersion = request.transportVersion < 11 && request.clientVersion !== '' ? request.clientVersion : fromJson;
    if (clientVersion === '') throw new BadRequestError('missing client version');
    // `sk` was once a session key; legacy clients send it back as `sk` on later
    // calls, so it must be the host key they authenticated with.
    return mediaResult({ usn: user.mediaStore().lastUsn(), sk: request.hostKey });
  },

  mediaChanges: (user, request) => {
    const { lastUsn } = parseMediaChangesRequest(request.body);
    return mediaResult(user.mediaStore().changesAfter(lastUsn));
  },

  uploadChanges: async (user, request) => {
    const result = await user.mediaStore().uploadChanges(zipSource(user, request.body));
    request.reportFiles?.(result.processed);
    return mediaResult([result.processed, result.currentUsn]);
  },

  downloadFiles: async (user, request) => {
    const { files } = parseDownloadFilesRequest(request.body);
    request.reportFiles?.(files.length);
    return rawReply(await user.mediaStore().downloadFiles(files));
  },

  mediaSanity: (user, request) => {
    const { local } = parseMediaSanityRequest(request.body);
    const store = user.mediaStore();
    const answer = store.sanityCheck(local);
    recordMediaSync(user, request, store.takeTally(), answer);
    return mediaResult(answer);
  },
} satisfies MethodTable;

/**
 * Upload zips are spooled to a file and read from there, so a large batch is
 * never held in memory; the pipeline removes the file afterwards. A body cut
 * off at the payload limit arrives with size = the limit.
 */
function zipSource(user: User, body: RequestBody): ZipSource {
  if (body.kind === 'buffer') return body.data;
  if (body.size >= user.limits.maxUncompressedBytes) throw new BadRequestError('uploadChanges: zip over the payload limit');
  return { path: body.path };
}

/** Clients call mediaSanity once, at the end of a media sync that moved something. */
function recordMediaSync(
  user: User,
  request: SyncRequest,
  tally: { filesReceived: number; deletionsReceived: number; filesSent: number },
  answer: string,
): void {
  const moved = [
    tally.filesReceived > 0 ? `${tally.filesReceived} files received` : '',
    tally.deletionsReceived > 0 ? `${tally.deletionsReceived} deletions received` : '',
    tally.filesSent > 0 ? `${tally.filesSent} files sent` : '',
  ].filter((part) => part !== '');
  const outcome = answer === 'OK' ? '' : '; counts differ, the device will start its media sync again';
  user.record({
    kind: 'media-sync',
    username: user.username,
    clientIp: request.clientIp,
    at: Date.now(),
    detail: `${moved.length > 0 ? moved.join(', ') : 'no files moved'}${outcome}`,
  });
}
