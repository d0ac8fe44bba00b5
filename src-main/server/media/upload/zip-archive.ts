// An upload zip, read through its central directory with yauzl, from memory or
// from the file it was spooled to. Members may be stored or deflated, and may
// use data descriptors (Java's ZipOutputStream); the central directory has the
// true sizes either way, and yauzl holds each member's stream to them.
import yauzl from 'yauzl';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { inflateRaw } from 'node:zlib';

const inflateRawAsync = promisify(inflateRaw);

/** yauzl 3's readLocalFileHeader, which @types/yauzl (written for 2.x) does not declare. */
type LocalHeaderReader = {
  readLocalFileHeader(
    entry: yauzl.Entry,
    options: { minimal: true },
    callback: (error: Error | null, header: { fileDataStart: number }) => void,
  ): void;
};

/** Anything wrong with the archive itself (the caller answers 400). */
export class CorruptZipError extends Error {}

/** Where the archive's bytes are. */
export type ZipSource = Buffer | { readonly path: string };

const OPTIONS: yauzl.Options = { lazyEntries: true, validateEntrySizes: true, decodeStrings: true, autoClose: false };

function openZip(source: ZipSource): Promise<yauzl.ZipFile> {
  return new Promise<yauzl.ZipFile>((resolve, reject) => {
    const done = (error: Error | null, zipfile: yauzl.ZipFile): void => {
      if (error) reject(new CorruptZipError(error.message));
      else resolve(zipfile);
    };
    if (Buffer.isBuffer(source)) yauzl.fromBuffer(source, OPTIONS, done);
    else yauzl.open(source.path, OPTIONS, done);
  });
}

export class ZipArchive {
  private constructor(
    private readonly zip: yauzl.ZipFile,
    readonly members: ReadonlyMap<string, yauzl.Entry>,
    /** The archive's bytes when it is held in memory. */
    private readonly bytes: Buffer | null,
  ) {}

  /** Parses the central directory; refuses more than `maxMembers` members or two members with one name. */
  static async open(source: ZipSource, maxMembers: number): Promise<ZipArchive> {
    const zip = await openZip(source);
    // From here on an error can come at any time (a file read fails); it is always listened to.
    zip.on('error', () => undefined);
    try {
      if (zip.entryCount > maxMembers) throw new CorruptZipError(`${zip.entryCount} members, more than ${maxMembers}`);
      const members = await new Promise<Map<string, yauzl.Entry>>((resolve, reject) => {
        const found = new Map<string, yauzl.Entry>();
        zip.on('entry', (entry: yauzl.Entry) => {
          if (found.has(entry.fileName)) {
            reject(new CorruptZipError(`two members named ${JSON.stringify(entry.fileName)}`));
            return;
          }
          found.set(entry.fileName, entry);
          zip.readEntry();
        });
        zip.on('end', () => resolve(found));
        zip.on('error', (error: Error) => reject(new CorruptZipError(error.message)));
        zip.readEntry();
      });
      return new ZipArchive(zip, members, Buffer.isBuffer(source) ? source : null);
    } catch (error) {
      zip.close();
      throw error;
    }
  }

  /**
   * The member's content, decompressed; the stream errors if its size differs
   * from the central directory's. It is listened to from the moment it
   * exists: yauzl may find a lying size while the caller is still getting
   * ready to read (an unheard 'error' event ends the process). The error is
   * not lost: iterating an errored stream throws it (readZipStream), and a
   * stream that failed is always destroyed, so an iterator never waits forever.
   */
  async openMember(entry: yauzl.Entry): Promise<Readable> {
    requireReadable(entry);
    return new Promise<Readable>((resolve, reject) => {
      this.zip.openReadStream(entry, (error, stream) => {
        if (error) {
          reject(new CorruptZipError(error.message));
          return;
        }
        // yauzl reports some failures (a deflate stream that ends early) by emitting 'error' without
        // destroying the stream; destroying it with the error is what lets an iterator see it.
        stream.on('error', (streamError: Error) => stream.destroy(streamError));
        resolve(stream);
      });
    });
  }

  /**
   * The member's whole content at once, without a stream, when the archive is
   * in memory: a stored member is a view of the archive's bytes (no copy), a
   * deflated one of at most `inflateLimit` bytes is inflated in one call on
   * the thread pool, off the event loop. Null otherwise (a spooled archive, a
   * larger deflated member): read it with openMember, whose memory is bounded.
   * The checks are yauzl's: the local header's signature and the data's bounds
   * (readLocalFileHeader), and a deflated member's size against the central
   * directory's, to the byte.
   */
  async memberContent(entry: yauzl.Entry, inflateLimit: number): Promise<Buffer | null> {
    if (this.bytes === null) return null;
    if (entry.compressionMethod === 8 && entry.uncompressedSize > inflateLimit) return null;
    requireReadable(entry);
    const start = await new Promise<number>((resolve, reject) => {
      (this.zip as unknown as LocalHeaderReader).readLocalFileHeader(entry, { minimal: true }, (error, header) =>
        error ? reject(new CorruptZipError(error.message)) : resolve(header.fileDataStart),
      );
    });
    const data = this.bytes.subarray(start, start + entry.compressedSize);
    if (entry.compressionMethod === 0) return data;
    let inflated: Buffer;
    try {
      // One byte more than declared: a member that inflates past its size is caught, not cut to fit.
      inflated = await inflateRawAsync(data, { maxOutputLength: entry.uncompressedSize + 1 });
    } catch (error) {
      throw new CorruptZipError(`member ${JSON.stringify(entry.fileName)}: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (inflated.length !== entry.uncompressedSize) {
      throw new CorruptZipError(
        `member ${JSON.stringify(entry.fileName)} inflates to ${inflated.length} bytes, not the ${entry.uncompressedSize} its header says`,
      );
    }
    return inflated;
  }

  /** Reads at most `limit` bytes of a member. */
  async readMemberPrefix(entry: yauzl.Entry, limit: number): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let length = 0;
    const stream = await this.openMember(entry);
    try {
      for await (const chunk of readZipStream(stream)) {
        chunks.push(chunk);
        length += chunk.length;
        if (length >= limit) break;
      }
    } finally {
      stream.destroy();
    }
    return Buffer.concat(chunks).subarray(0, limit);
  }

  close(): void {
    this.zip.close();
  }
}

/** Refuses a member this reader cannot read: encrypted, or compressed other than stored (0) or deflated (8). */
function requireReadable(entry: yauzl.Entry): void {
  if (entry.isEncrypted()) throw new CorruptZipError(`member ${JSON.stringify(entry.fileName)} is encrypted`);
  if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) {
    throw new CorruptZipError(`member ${JSON.stringify(entry.fileName)} uses compression method ${entry.compressionMethod}`);
  }
}

/** Iterates a member's chunks, turning stream failures (bad deflate data, wrong sizes) into CorruptZipError. */
export async function* readZipStream(stream: Readable): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of stream) yield chunk as Buffer;
  } catch (error) {
    throw new CorruptZipError(error instanceof Error ? error.message : String(error));
  }
}
