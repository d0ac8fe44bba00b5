// Builds uploadChanges zips the way each client family does, plus hostile ones.
// Uses yazl, a maintained library independent of the server, except for the
// reference client's own form (storedUploadZip).
import { Readable } from 'node:stream';
import yazl from 'yazl';
import { buildStoredZip } from '../../src-main/server/media/stored-zip.js';

export type UploadEntry = readonly [fname: string, data: Buffer | null];

export interface UploadZipOptions {
  /** Deflate members, as Python and AnkiDroid do (the Rust clients store them). */
  readonly deflate?: boolean;
  /** Stream members so sizes and CRC come after the data (a data descriptor), as Java's ZipOutputStream does. */
  readonly dataDescriptors?: boolean;
  /** How a deletion is spelt in `_meta`: `null` (Rust) or `""` (Python, AnkiDroid). */
  readonly deletion?: null | '';
}

/** The zip a client sends for `entries`: members "0", "1", … and `_meta`, like the reference client's. */
export function buildUploadZip(entries: readonly UploadEntry[], options: UploadZipOptions = {}): Promise<Buffer> {
  return buildZip(uploadZipMembers(entries, options.deletion ?? null), options);
}

/** Members "0", "1", … for the added files, then `_meta`: each name with its member, or `deletion`. */
function uploadZipMembers(entries: readonly UploadEntry[], deletion: null | ''): [string, Buffer][] {
  const meta: [string, string | null][] = [];
  const members: [string, Buffer][] = [];
  entries.forEach(([fname, data], index) => {
    if (data === null) {
      meta.push([fname, deletion]);
    } else {
      meta.push([fname, String(index)]);
      members.push([String(index), data]);
    }
  });
  return [...members, ['_meta', Buffer.from(JSON.stringify(meta))]];
}

/**
 * The zip the reference client sends (rslib/src/sync/media/zip.rs,
 * zip_files_for_upload): every member stored, `_meta` last, with a native
 * CRC-32 as the Rust client's zip crate computes it. yazl's JavaScript CRC-32
 * cost the bench's client 0.66 s of a 2,000-file upload, time a real client
 * does not spend and that the server waited for on this two-core machine.
 */
export function storedUploadZip(entries: readonly UploadEntry[]): Buffer {
  return buildStoredZip(uploadZipMembers(entries, null).map(([name, data]) => ({ name, data })));
}

/** A zip with exactly these members, in this order. */
export function buildZip(members: readonly (readonly [string, Buffer])[], options: UploadZipOptions = {}): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const [name, data] of members) {
    if (options.dataDescriptors === true) zip.addReadStream(Readable.from([data]), name, { compress: options.deflate === true });
    else zip.addBuffer(data, name, { compress: options.deflate === true });
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (chunk: Buffer) => chunks.push(chunk));
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on('error', reject);
    zip.end();
  });
}

/** A zip whose `_meta` is exactly `metaJson` (for malformed and hostile `_meta`). */
export function buildZipWithMeta(metaJson: string, members: readonly (readonly [string, Buffer])[] = []): Promise<Buffer> {
  return buildZip([...members, ['_meta', Buffer.from(metaJson, 'utf8')]]);
}
