// Writes a package's members into one zip file, in the reference's order
// (rslib/src/import_export/package/colpkg/export.rs `export_collection`): meta,
// the collection, the placeholder for old Anki (Latest only), the media files "0"…"n-1", then the media list, which can
// only be written once every file's size and SHA-1 are known. Media files are
// taken one at a time: each is opened, read, and handed to the zip, and the
// next waits until the zip has taken it, in chunks through a few buffers
// reused for all of them (media-member.ts), so memory stays flat whatever the
// media's total.
import { open, type FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { CountedFileSink } from './counted-file-sink.js';
import { finished, pipeline } from 'node:stream/promises';
import yazl from 'yazl';
import { compress } from 'zstd-napi';
import type { CollectionCopy } from './collection-copy.js';
import { MediaMemberStream, MemberBuffers } from './media-member.js';
import type { MediaSource } from './package-media.js';
import { LEGACY_COLLECTION_MEMBER, META_MEMBER, MEDIA_MAP_MEMBER, type PackagedMedia, type PackageLayout } from './package-layout.js';

/**
 * An export is the learner's own file, to copy, mail or keep: 0644 as any
 * file they save, not the server's private 0600 (the folder they chose decides
 * who else may reach it).
 */
export const PACKAGE_FILE_MODE = 0o644;

/** A media file that could not be read, named for the learner's sentence; `code` is its cause's. */
export class MediaReadError extends Error {
  readonly code: string | null;
  constructor(
    readonly mediaName: string,
    cause: unknown,
  ) {
    super(`reading media file ${JSON.stringify(mediaName)}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'MediaReadError';
    const code = (cause as { code?: unknown } | null)?.code;
    this.code = typeof code === 'string' ? code : null;
  }
}

// yazl 3 has this; @types/yazl still describes yazl 2.
declare module 'yazl' {
  interface ZipFile {
    /** Bytes given to outputStream so far: where the next byte lands in the file. */
    readonly outputStreamCursor: number;
    addReadStreamLazy(
      metadataPath: string,
      options: Partial<Options>,
      getReadStream: (give: (error: Error | null, stream: NodeJS.ReadableStream) => void) => void,
    ): void;
  }
}

export interface ZipOutcome {
  readonly media: readonly PackagedMedia[];
  /** Listed files that were gone when their turn came (a sync removed them meanwhile). */
  readonly vanished: readonly string[];
}

/** Writes the zip to `path` (a new file), fsynced before this resolves. */
export async function writePackageZip(
  path: string,
  layout: PackageLayout,
  collection: CollectionCopy,
  media: readonly MediaSource[],
): Promise<ZipOutcome> {
  const zip = new yazl.ZipFile();
  const sink = new CountedFileSink(await open(path, 'wx', PACKAGE_FILE_MODE));
  // The sink fsyncs the file before it finishes.
  const written = pipeline(zip.outputStream, sink);
  const buffers = new MemberBuffers(sink);
  const zipFailed = new Promise<never>((_resolve, reject) => zip.on('error', reject));
  // Whichever fails first ends the export; the other's rejection is already handled.
  written.catch(() => undefined);
  zipFailed.catch(() => undefined);
  const mtime = new Date();
  try {
    if (layout.meta !== null) zip.addBuffer(Buffer.from(layout.meta), META_MEMBER, { compress: false, mtime });
    zip.addFile(collection.file, layout.collectionMember, { compress: layout.deflateCollection, mtime });
    if (collection.placeholder !== null) zip.addFile(collection.placeholder, LEGACY_COLLECTION_MEMBER, { compress: false, mtime });
    const packaged: PackagedMedia[] = [];
    const vanished: string[] = [];
    for (const file of media) {
      const handle = await reading(file.name, openIfPresent(file.path));
      if (handle === null) {
        vanished.push(file.name);
        continue;
      }
      const member = new MediaMemberStream(handle, buffers, layout.zstd, () => zip.outputStreamCursor);
      // yazl keeps every entry until the end: given by a getter that lets go of it, the member's stream
      // can be collected as soon as it is written.
      let stream: MediaMemberStream | null = member;
      zip.addReadStreamLazy(String(packaged.length), { compress: false, mtime }, (give) => {
        const taken = stream!;
        stream = null;
        give(null, taken);
      });
      await Promise.race([reading(file.name, finished(member)), zipFailed, written]);
      packaged.push({ name: file.name, size: member.size(), sha1: member.sha1() });
    }
    const map = layout.mediaMap(packaged);
    zip.addBuffer(layout.zstd ? compress(map) : map, MEDIA_MAP_MEMBER, { compress: false, mtime });
    zip.end();
    await Promise.race([written, zipFailed]);
    return { media: packaged, vanished };
  } catch (error) {
    (zip.outputStream as unknown as Readable).destroy(error instanceof Error ? error : new Error(String(error)));
    await written.catch(() => undefined);
    throw error;
  }
}

/** `work` on a media file, its failure named as that file's. */
async function reading<T>(name: string, work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    throw new MediaReadError(name, error);
  }
}

async function openIfPresent(path: string): Promise<FileHandle | null> {
  try {
    return await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}
