// Our own reader of a collection package (.colpkg), written from the
// reference's importer (rslib/src/import_export/package/meta.rs, media.rs,
// colpkg/import.rs) and sharing no code with our writer: yauzl for the zip,
// zstd-napi, and a protobuf wire decoder of its own for the two messages. It
// reads a package as Anki's File → Import does, and refuses what Anki refuses:
// an unknown version, a media name that is not one plain NFC file name, a
// missing member. Each member's CRC is checked, and each Latest media file's
// SHA-1 against the list.
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import yauzl from 'yauzl';
import { decompress } from 'zstd-napi';

export interface PackageMember {
  readonly name: string;
  /** 0 stored, 8 deflated. */
  readonly method: number;
  readonly data: Buffer;
}

export interface PackagedMediaFile {
  readonly name: string;
  /** The member it came from ("0", "1", …). */
  readonly member: string;
  /** From the list (Latest only; null in the legacy JSON map). */
  readonly size: number | null;
  readonly sha1: Buffer | null;
  readonly data: Buffer;
}

export interface ReadPackage {
  /** Members in the order the zip holds them. */
  readonly members: readonly PackageMember[];
  /** 1 Legacy1, 2 Legacy2, 3 Latest (PackageMetadata.Version). */
  readonly version: number;
  /** Whether a `meta` member was there. */
  readonly hasMeta: boolean;
  /** The collection, decompressed, written to a file of the caller's folder. */
  readonly collectionFile: string;
  readonly media: readonly PackagedMediaFile[];
}

const COLLECTION_NAMES: Record<number, string> = { 1: 'collection.anki2', 2: 'collection.anki21', 3: 'collection.anki21b' };

/** Reads `path` whole (tests' packages are small), writing its collection into `folder`. */
export async function readColpkg(path: string, folder: string): Promise<ReadPackage> {
  const members = await readMembers(path);
  const byName = new Map(members.map((member) => [member.name, member]));
  const meta = byName.get('meta');
  // MetaExt::from_archive: a meta member decides; without one, collection.anki21 means Legacy2, else Legacy1.
  const version = meta !== undefined ? decodeMetaVersion(meta.data) : byName.has('collection.anki21') ? 2 : 1;
  if (version === 0 || COLLECTION_NAMES[version] === undefined) throw new Error(`package version ${version} is unknown (too new)`);
  const zstd = version === 3;
  const collection = byName.get(COLLECTION_NAMES[version]);
  if (collection === undefined) throw new Error(`package has no ${COLLECTION_NAMES[version]}`);
  const collectionFile = join(folder, 'read-back.anki2');
  writeFileSync(collectionFile, zstd ? decompress(collection.data) : collection.data);
  const list = byName.get('media');
  const media: PackagedMediaFile[] = [];
  if (list !== undefined) {
    const listBytes = zstd ? decompress(list.data) : list.data;
    const entries = zstd ? decodeMediaEntries(listBytes) : legacyEntries(listBytes);
    for (const entry of entries) {
      if (!safeNormalizedName(entry.name)) throw new Error(`media name ${JSON.stringify(entry.name)} is unsafe: the package is corrupt`);
      const member = byName.get(entry.member);
      if (member === undefined) throw new Error(`${entry.member} missing from archive`);
      const data = zstd ? decompress(member.data) : member.data;
      if (entry.sha1 !== null && !createHash('sha1').update(data).digest().equals(entry.sha1))
        throw new Error(`media ${entry.name}: its SHA-1 does not match the list`);
      media.push({ ...entry, data });
    }
  }
  return { members, version, hasMeta: meta !== undefined, collectionFile, media };
}

/** anki_io::filename_is_safe (one normal path component) and already NFC (media.rs `safe_normalized_file_name`). */
function safeNormalizedName(name: string): boolean {
  if (name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\0')) return false;
  return name.normalize('NFC') === name;
}

function legacyEntries(bytes: Buffer): { name: string; member: string; size: null; sha1: null }[] {
  const map = JSON.parse(bytes.toString('utf8')) as Record<string, string>;
  return Object.entries(map).map(([member, name]) => {
    if (!/^\d+$/.test(member)) throw new Error(`legacy media key ${JSON.stringify(member)} is not a number`);
    return { name, member, size: null, sha1: null };
  });
}

// --- protobuf wire format, just enough for PackageMetadata and MediaEntries ---

interface Field {
  readonly number: number;
  readonly varint?: bigint;
  readonly bytes?: Buffer;
}

function readVarint(bytes: Buffer, at: number): [bigint, number] {
  let value = 0n;
  for (let shift = 0n; ; shift += 7n) {
    if (at >= bytes.length) throw new Error('truncated varint');
    const byte = bytes[at++]!;
    value |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return [value, at];
  }
}

function fields(bytes: Buffer): Field[] {
  const out: Field[] = [];
  let at = 0;
  while (at < bytes.length) {
    const [key, next] = readVarint(bytes, at);
    at = next;
    const number = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (wire === 0) {
      const [value, after] = readVarint(bytes, at);
      out.push({ number, varint: value });
      at = after;
    } else if (wire === 2) {
      const [length, after] = readVarint(bytes, at);
      const end = after + Number(length);
      if (end > bytes.length) throw new Error('truncated field');
      out.push({ number, bytes: bytes.subarray(after, end) });
      at = end;
    } else throw new Error(`unexpected wire type ${wire}`);
  }
  return out;
}

function decodeMetaVersion(bytes: Buffer): number {
  const version = fields(bytes).find((field) => field.number === 1);
  return version?.varint === undefined ? 0 : Number(version.varint);
}

function decodeMediaEntries(bytes: Buffer): { name: string; member: string; size: number; sha1: Buffer }[] {
  return fields(bytes)
    .filter((field) => field.number === 1 && field.bytes !== undefined)
    .map((entry, index) => {
      const parts = fields(entry.bytes!);
      const name = parts.find((part) => part.number === 1)?.bytes?.toString('utf8') ?? '';
      const size = Number(parts.find((part) => part.number === 2)?.varint ?? 0n);
      const sha1 = parts.find((part) => part.number === 3)?.bytes ?? Buffer.alloc(0);
      if (sha1.length !== 20) throw new Error(`media entry ${index} has no 20-byte SHA-1: the package is corrupt`);
      // The entry's index is its member's name (SafeMediaEntry::from_entry).
      return { name, member: String(index), size, sha1: Buffer.from(sha1) };
    });
}

// --- zip ---

function readMembers(path: string): Promise<PackageMember[]> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true }, (error, zipfile) => {
      if (error) return reject(error);
      const members: PackageMember[] = [];
      zipfile.on('error', reject);
      zipfile.on('end', () => resolve(members));
      zipfile.on('entry', (entry: yauzl.Entry) => {
        zipfile.openReadStream(entry, (openError, stream) => {
          if (openError) return reject(openError);
          const chunks: Buffer[] = [];
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.on('error', reject);
          stream.on('end', () => {
            const data = Buffer.concat(chunks);
            if (crc32(data) !== entry.crc32) return reject(new Error(`member ${entry.fileName} fails its CRC check`));
            members.push({ name: entry.fileName, method: entry.compressionMethod, data });
            zipfile.readEntry();
          });
        });
      });
      zipfile.readEntry();
    });
  });
}
