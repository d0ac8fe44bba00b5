// Turns an uploadChanges zip into a list of changes whose new contents already sit
// in temporary files next to the media folder, checking the whole archive before
// the caller applies anything: a zip that fails any check changes nothing.
import { createHash } from 'node:crypto';
import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { BadRequestError, ServerFaultError } from '../../errors.js';
import { FILES_IN_FLIGHT, mapInParallel } from '../in-parallel.js';
import { invalidNewMediaFilenameReason } from '../../storage/media-file-path.js';
import { MAX_INDIVIDUAL_MEDIA_FILE_SIZE, MAX_UPLOAD_META_BYTES, MAX_UPLOAD_ZIP_MEMBERS } from '../limits.js';
import type { UploadedChange } from '../database/usn-rules.js';
import { CorruptZipError, readZipStream, ZipArchive, type ZipSource } from './zip-archive.js';
import { InvalidUploadMetaError, parseUploadMeta, type UploadMetaEntry } from './upload-meta.js';

/** An add whose bytes are staged in `tempPath`, inside the media folder, so a rename moves it even when media/ is a mount of its own. */
export type StagedChange =
  Extract<UploadedChange, { kind: 'delete' }> | (Extract<UploadedChange, { kind: 'add' }> & { readonly tempPath: string });

export interface StagedUpload {
  /** In `_meta` order; duplicates are kept and applied in sequence. */
  readonly changes: readonly StagedChange[];
  /** Where the staged files live; removed, with whatever is left in it, by discard(). */
  readonly stagingDir: string;
  discard(): Promise<void>;
}

/**
 * The prefix of per-upload staging folders inside the media folder. Clients
 * cannot create folders (a media name has no `/`), so a folder with this prefix
 * is always ours.
 */
export const STAGING_PREFIX = '.media-upload-';

/** Up to this much of a member is gathered before it is written; memory stays bounded whatever the member's size. */
const WRITE_BATCH_BYTES = 1 << 20;

/**
 * Validates the zip (in memory, or the file it was spooled to) and stages its
 * added files in a new folder inside `mediaFolder`.
 * Throws BadRequestError for anything wrong with the upload, ServerFaultError if
 * staging fails on our side; either way nothing is left behind.
 */
export async function stageUploadZip(zip: ZipSource, mediaFolder: string): Promise<StagedUpload> {
  const archive = await openArchive(zip);
  let stagingDir: string | null = null;
  try {
    const entries = await readMeta(archive);
    for (const entry of entries) {
      const reason = invalidNewMediaFilenameReason(entry.fname);
      if (reason !== null) throw new BadRequestError(`unzip files: media filename ${JSON.stringify(entry.fname)}: ${reason}`);
      if (entry.member !== null) checkMember(archive, entry.member);
    }
    stagingDir = await makeStagingDir(mediaFolder);
    const dir = stagingDir;
    const changes = await mapInParallel(entries, FILES_IN_FLIGHT, async (entry, index): Promise<StagedChange> => {
      if (entry.member === null) return { kind: 'delete', fname: entry.fname };
      const tempPath = join(dir, `${index}`);
      const { sha1, size } = await stageMember(archive, entry.member, tempPath);
      return { kind: 'add', fname: entry.fname, sha1, size, tempPath };
    });
    return { changes, stagingDir: dir, discard: () => rm(dir, { recursive: true, force: true }) };
  } catch (error) {
    if (stagingDir !== null) await rm(stagingDir, { recursive: true, force: true });
    throw asSyncError(error);
  } finally {
    archive.close();
  }
}

async function openArchive(zip: ZipSource): Promise<ZipArchive> {
  try {
    return await ZipArchive.open(zip, MAX_UPLOAD_ZIP_MEMBERS);
  } catch (error) {
    throw asSyncError(error);
  }
}

async function readMeta(archive: ZipArchive): Promise<UploadMetaEntry[]> {
  const meta = archive.members.get('_meta');
  if (meta === undefined) throw new BadRequestError('unzip files: no _meta member');
  // Like the reference, read only the first 50 KiB: a longer _meta is cut off and fails to parse.
  return parseUploadMeta(await archive.readMemberPrefix(meta, MAX_UPLOAD_META_BYTES));
}

function checkMember(archive: ZipArchive, name: string): void {
  const member = archive.members.get(name);
  if (member === undefined) throw new BadRequestError(`unzip files: member ${JSON.stringify(name)} is missing`);
  if (member.uncompressedSize > MAX_INDIVIDUAL_MEDIA_FILE_SIZE) {
    throw new BadRequestError(`unzip files: member ${JSON.stringify(name)} is larger than 100 MiB`);
  }
  if (member.uncompressedSize === 0) throw new BadRequestError(`unzip files: member ${JSON.stringify(name)} is empty`);
}

async function makeStagingDir(mediaFolder: string): Promise<string> {
  try {
    return await mkdtemp(join(mediaFolder, STAGING_PREFIX));
  } catch (error) {
    throw new ServerFaultError(`staging media upload: ${(error as Error).message}`, { cause: error });
  }
}

/** A deflated member up to this size is inflated in one call when the zip is in memory (zip-archive.ts, memberContent). */
const INFLATE_AT_ONCE_BYTES = 4 << 20;

/**
 * Copies a member to `tempPath`, hashing as it goes, and flushes it to disk:
 * durable before any rename can publish it. From a zip held in memory, the
 * member is taken whole (a stored one without a copy); from a spooled zip, it
 * is streamed, so memory stays bounded.
 */
async function stageMember(archive: ZipArchive, name: string, tempPath: string): Promise<{ sha1: Buffer; size: number }> {
  const member = archive.members.get(name)!;
  const whole = await archive.memberContent(member, INFLATE_AT_ONCE_BYTES);
  const stream = whole === null ? await archive.openMember(member) : null;
  const hash = createHash('sha1');
  let crc = 0;
  let size = 0;
  // yauzl hands out 64 KiB pieces; one write per piece would be one trip to the thread pool each.
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const file = await open(tempPath, 'wx').catch((error: Error) => {
    stream?.destroy();
    throw new ServerFaultError(`staging media upload: ${error.message}`, { cause: error });
  });
  try {
    const pieces: AsyncIterable<Buffer> | Buffer[] = stream === null ? [whole!] : readZipStream(stream);
    for await (const chunk of pieces) {
      size += chunk.length;
      // yauzl already holds the member to its declared size (checked above); this
      // bound holds whatever the header says.
      if (size > MAX_INDIVIDUAL_MEDIA_FILE_SIZE)
        throw new BadRequestError(`unzip files: member ${JSON.stringify(name)} is larger than 100 MiB`);
      hash.update(chunk);
      crc = crc32(chunk, crc);
      pending.push(chunk);
      pendingBytes += chunk.length;
      if (pendingBytes >= WRITE_BATCH_BYTES) {
        await writeAll(file, pending);
        pending = [];
        pendingBytes = 0;
      }
    }
    await writeAll(file, pending);
    if (size === 0) throw new BadRequestError(`unzip files: member ${JSON.stringify(name)} is empty`);
    // yauzl does not check CRCs; a stored member damaged in transit would otherwise be kept as it came.
    if (crc !== member.crc32) throw new BadRequestError(`unzip files: member ${JSON.stringify(name)} fails its CRC check`);
    await file.datasync().catch(fault);
  } finally {
    stream?.destroy();
    await file.close();
  }
  return { sha1: hash.digest(), size };
}

/** Writes `chunks` in order, in as few calls as the system allows. */
async function writeAll(file: FileHandle, chunks: Buffer[]): Promise<void> {
  try {
    const rest = chunks.filter((chunk) => chunk.length > 0);
    while (rest.length > 0) {
      let { bytesWritten } = await file.writev(rest);
      if (bytesWritten === 0) throw new Error('the disk took no bytes');
      // A short write: drop what went out and try again with the remainder.
      while (rest.length > 0 && bytesWritten >= rest[0]!.length) bytesWritten -= rest.shift()!.length;
      if (rest.length > 0 && bytesWritten > 0) rest[0] = rest[0]!.subarray(bytesWritten);
    }
  } catch (error) {
    fault(error);
  }
}

function fault(error: unknown): never {
  throw new ServerFaultError(`staging media upload: ${(error as Error).message}`, { cause: error });
}

function asSyncError(error: unknown): unknown {
  if (error instanceof CorruptZipError || error instanceof InvalidUploadMetaError) {
    return new BadRequestError(`unzip files: ${error.message}`, { cause: error });
  }
  return error;
}
