// Reads a downloadFiles zip the way the reference client does: `_meta` maps member
// names to filenames, and every other member must have a key in it.
import yauzl from 'yauzl';

export interface DownloadedMember {
  readonly member: string;
  readonly fname: string;
  readonly data: Buffer;
}

export async function readDownloadZip(zip: Buffer): Promise<{ members: DownloadedMember[]; order: string[]; meta: Record<string, string> }> {
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
      zipfile.on('entry', (entry: yauzl.Entry) => {
        zipfile.openReadStream(entry, (streamError, stream) => {
          if (streamError) return reject(streamError);
          const chunks: Buffer[] = [];
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.on('error', reject);
          stream.on('end', () => {
            out.push([entry.fileName, Buffer.concat(chunks)]);
            zipfile.readEntry();
          });
        });
      });
      zipfile.on('end', () => resolve(out));
      zipfile.on('error', reject);
      zipfile.readEntry();
    });
  });
}
