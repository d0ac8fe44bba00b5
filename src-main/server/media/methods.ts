// The `/msync/{method}` handlers. Each gets the user and its parsed input
// (requests.ts; method-table.ts pairs them); the envelope (v11 zstd or legacy
// multipart) wraps their replies.
import { BadRequestError } from '../errors.js';
import { incompressibleReply, type RequestBody, type SyncReply, type SyncRequest } from '../protocol.js';
import type { User } from '../user.js';
import { mediaResult } from './media-result.js';
import type { ZipSource } from './upload/zip-archive.js';

export const begin = (user: User, _input: { clientVersion: string }, request: SyncRequest): SyncReply =>
  // `sk` was once a session key; legacy clients send it back as `sk` on later
  // calls, so it must be the host key they authenticated with.
  mediaResult({ usn: user.mediaStore().lastUsn(), sk: request.hostKey });

export const mediaChanges = (user: User, { lastUsn }: { lastUsn: number }): SyncReply =>
  mediaResult(user.mediaStore().changesAfter(lastUsn));

export const uploadChanges = async (user: User, body: RequestBody, request: SyncRequest): Promise<SyncReply> => {
  const result = await user.mediaStore().uploadChanges(zipSource(user, body));
  request.reportFiles?.(result.processed);
  if (result.outcomes.some((outcome) => outcome === 'added' || outcome === 'replaced' || outcome === 'removed')) user.noteChanged();
  return mediaResult([result.processed, result.currentUsn]);
};

export const downloadFiles = async (user: User, { files }: { files: string[] }, request: SyncRequest): Promise<SyncReply> => {
  request.reportFiles?.(files.length);
  return incompressibleReply(await user.mediaStore().downloadFiles(files));
};

export const mediaSanity = (user: User, { local }: { local: number }, request: SyncRequest): SyncReply => {
  const store = user.mediaStore();
  const answer = store.sanityCheck(local);
  recordMediaSync(user, request, store.takeTally(), answer);
  return mediaResult(answer);
};

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
