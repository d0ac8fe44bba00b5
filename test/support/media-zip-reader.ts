// Reads a downloadFiles zip the way the reference client does: `_meta` maps member
// names to filenames, and every other member must have a key in it.
import { crc32 } from 'node:zlib';
import yauzl from 'yauzl';

// yauzl 3 has this; @types/yauzl still describes yauzl 2.
declare module 'yauzl' {
  interface ZipFile {
    readLocalFileHeader(
      entry: Entry,
      options: { minimal: true },
      callback: (error: Error | null, header: { fileDataStart: number }) => void,
    ): void;
  }
}

export interface DownloadedMember {
  readonly member: string;
  readonly fname: string;
  readonly data: Buffer;
}

export async function readDownloadZip(
  zip: Buffer,
): Promise<{ members: DownloadedMember[]; order: string[]; meta: Record<string, string> }> {
  const all = await readAllMembers(zip);
  const metaEntry = all.find(([name]) => name === '_meta');
  if (metaEntry === undefined) throw new Error('download zip has no _meta');
  const meta = JSON.parse(metaEntry[1].toString('utf8')) as Record<string, string>;
  const members: DownloadedMember[] = [];
  for (const [name, data] of all) {
    if (name === '_meta') continue;
    const fname = meta[name];
    if (fname === undefined) throw new Error('malformed zip');
    members.push({ member: name, fname, data });
  }
  return { members, order: all.map(([name]) => name), meta };
}

/** How many files a download zip holds, from its central directory alone (every member but `_meta`). */
export function downloadZipFileCount(zip: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(zip, { lazyEntries: true }, (error, zipfile) => {
      if (error) return reject(error);
      zipfile.close();
      resolve(zipfile.entryCount - 1);
    });
  });
}

export function readAllMembers(zip: Buffer): Promise<[string, Buffer][]> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(zip, { lazyEntries: true }, (error, zipfile) => {
      if (error) return reject(error);
      const out: [string, Buffer][] = [];
      const keep = (entry: yauzl.Entry, data: Buffer): void => {
        // The reference client's zip reader checks every member's CRC; so does this one.
        if (crc32(data) !== entry.crc32) return reject(new Error(`member ${entry.fileName} fails its CRC check`));
        out.push([entry.fileName, data]);
        zipfile.readEntry();
      };
      zipfile.on('entry', (entry: yauzl.Entry) => {
        if (entry.compressionMethod === 0) {
          // A stored member is its bytes in place: take them without streaming and copying.
          zipfile.readLocalFileHeader(entry, { minimal: true }, (headerError, header) => {
            if (headerError) return reject(headerError);
            keep(entry, zip.subarray(header.fileDataStart, header.fileDataStart + entry.compressedSize));
          });
          return;
        }
        zipfile.openReadStream(entry, (streamError, stream) => {
          if (streamError) return reject(streamError);
          const chunks: Buffer[] = [];
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.on('error', reject);
          stream.on('end', () => keep(entry, Buffer.concat(chunks)));
        });
      });
      zipfile.on('end', () => resolve(out));
      zipfile.on('error', reject);
      zipfile.readEntry();
    });
  });
}
