// A zip held in memory, read through its central directory with yauzl. Members
// may be stored or deflated, and may use data descriptors (Java's
// ZipOutputStream); the central directory has the true sizes either way.
import yauzl from 'yauzl';
import type { Readable } from 'node:stream';

/** Anything wrong with the archive itself (the caller answers 400). */
export class CorruptZipError extends Error {}

export class ZipArchive {
  private constructor(
    private readonly zip: yauzl.ZipFile,
    readonly members: ReadonlyMap<string, yauzl.Entry>,
  ) {}

  /** Parses the central directory; refuses more than `maxMembers` members or two members with one name. */
  static async open(data: Buffer, maxMembers: number): Promise<ZipArchive> {
    const zip = await new Promise<yauzl.ZipFile>((resolve, reject) => {
      yauzl.fromBuffer(data, { lazyEntries: true, validateEntrySizes: true, decodeStrings: true }, (error, zipfile) =>
        error ? reject(new CorruptZipError(error.message)) : resolve(zipfile),
      );
    });
    if (zip.entryCount > maxMembers) {
      zip.close();
      throw new CorruptZipError(`${zip.entryCount} members, more than ${maxMembers}`);
    }
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
    return new ZipArchive(zip, members);
  }

  /** The member's content, decompressed; the stream errors if its size differs from the central directory's. */
  async openMember(entry: yauzl.Entry): Promise<Readable> {
    if (entry.isEncrypted()) throw new CorruptZipError(`member ${JSON.stringify(entry.fileName)} is encrypted`);
    if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) {
      throw new CorruptZipError(`member ${JSON.stringify(entry.fileName)} uses compression method ${entry.compressionMethod}`);
    }
    return new Promise<Readable>((resolve, reject) => {
      this.zip.openReadStream(entry, (error, stream) => (error ? reject(new CorruptZipError(error.message)) : resolve(stream)));
    });
  }

  /** Reads at most `limit` bytes of a member. */
  async readMemberPrefix(entry: yauzl.Entry, limit: number): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let length = 0;
    for await (const chunk of readZipStream(await this.openMember(entry))) {
      chunks.push(chunk);
      length += chunk.length;
      if (length >= limit) break;
    }
    return Buffer.concat(chunks).subarray(0, limit);
  }

  close(): void {
    this.zip.close();
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
