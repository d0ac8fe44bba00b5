// A zip of stored (not deflated) members, written whole into one buffer sized
// beforehand: the downloadFiles answer (download-zip.ts), and the test clients'
// uploads in the reference client's form. Media files are already compressed.
//
// Written here rather than with yazl: a stored zip is headers around the bytes,
// and yazl's CRC-32 is JavaScript, which cost as much as everything else in a
// download (issue 29's profile). zlib.crc32 is native, and each member is
// copied once.
// Layout: APPNOTE.TXT (PKWARE) 4.3.7 local header, 4.3.12 central directory
// header, 4.3.16 end of central directory; no zip64 (a reply is far below 4 GiB).
import { crc32 } from 'node:zlib';
import { ServerFaultError } from '../errors.js';

export interface StoredMember {
  readonly name: string;
  readonly data: Buffer;
}

const LOCAL_HEADER = 30;
const CENTRAL_HEADER = 46;
const END_OF_DIRECTORY = 22;
const VERSION_NEEDED = 20; // 2.0: what a stored file with a UTF-8 name needs
const VERSION_MADE_BY = (3 << 8) | 20; // Unix, so the mode in external attributes is read
const UTF8_NAMES = 0x0800; // general purpose bit 11
const STORED = 0;
const FILE_MODE = 0o100644;
const ZIP32_LIMIT = 0xffff_ffff;

/** The members, in this order, as one stored zip. */
export function buildStoredZip(stored: readonly StoredMember[], now = new Date()): Buffer {
  const members = stored.map((member) => ({ name: Buffer.from(member.name, 'utf8'), data: member.data }));
  let localBytes = 0;
  let centralBytes = 0;
  for (const member of members) {
    localBytes += LOCAL_HEADER + member.name.length + member.data.length;
    centralBytes += CENTRAL_HEADER + member.name.length;
  }
  const total = localBytes + centralBytes + END_OF_DIRECTORY;
  if (total > ZIP32_LIMIT) throw new ServerFaultError(`zip of ${total} bytes needs zip64`);

  const { time, date } = dosDateTime(now);
  const zip = Buffer.allocUnsafe(total);
  const offsets: number[] = [];
  const crcs: number[] = [];
  let at = 0;
  for (const member of members) {
    const crc = crc32(member.data);
    offsets.push(at);
    crcs.push(crc);
    zip.writeUInt32LE(0x04034b50, at);
    writeSharedFields(zip, at + 4, { crc, time, date, size: member.data.length, nameLength: member.name.length });
    at += LOCAL_HEADER;
    at += member.name.copy(zip, at);
    at += member.data.copy(zip, at);
  }
  const directoryStart = at;
  members.forEach((member, index) => {
    zip.writeUInt32LE(0x02014b50, at);
    zip.writeUInt16LE(VERSION_MADE_BY, at + 4);
    writeSharedFields(zip, at + 6, { crc: crcs[index]!, time, date, size: member.data.length, nameLength: member.name.length });
    zip.writeUInt16LE(0, at + 32); // comment length
    zip.writeUInt16LE(0, at + 34); // disk number
    zip.writeUInt16LE(0, at + 36); // internal attributes
    zip.writeUInt32LE(FILE_MODE * 0x10000, at + 38); // external attributes: the Unix mode in the high half
    zip.writeUInt32LE(offsets[index]!, at + 42);
    at += CENTRAL_HEADER;
    at += member.name.copy(zip, at);
  });
  const directoryBytes = at - directoryStart;
  zip.writeUInt32LE(0x06054b50, at);
  zip.writeUInt16LE(0, at + 4); // this disk
  zip.writeUInt16LE(0, at + 6); // disk where the directory starts
  zip.writeUInt16LE(members.length, at + 8);
  zip.writeUInt16LE(members.length, at + 10);
  zip.writeUInt32LE(directoryBytes, at + 12);
  zip.writeUInt32LE(directoryStart, at + 16);
  zip.writeUInt16LE(0, at + 20); // comment length
  return zip;
}

/**
 * The 26 bytes a local header (from its offset 4) and a central directory
 * header (from its offset 6) hold alike: version needed, flags, method, time,
 * date, CRC-32, both sizes (stored: equal), name length and an empty extra field.
 */
function writeSharedFields(
  zip: Buffer,
  at: number,
  fields: { crc: number; time: number; date: number; size: number; nameLength: number },
): void {
  zip.writeUInt16LE(VERSION_NEEDED, at);
  zip.writeUInt16LE(UTF8_NAMES, at + 2);
  zip.writeUInt16LE(STORED, at + 4);
  zip.writeUInt16LE(fields.time, at + 6);
  zip.writeUInt16LE(fields.date, at + 8);
  zip.writeUInt32LE(fields.crc, at + 10);
  zip.writeUInt32LE(fields.size, at + 14); // compressed size
  zip.writeUInt32LE(fields.size, at + 18); // uncompressed size
  zip.writeUInt16LE(fields.nameLength, at + 22);
  zip.writeUInt16LE(0, at + 24); // extra field length
}

/** MS-DOS local time and date, as zip headers hold them (2-second steps, years from 1980). */
function dosDateTime(when: Date): { time: number; date: number } {
  const year = Math.min(Math.max(when.getFullYear(), 1980), 2107);
  return {
    time: (when.getHours() << 11) | (when.getMinutes() << 5) | Math.floor(when.getSeconds() / 2),
    date: ((year - 1980) << 9) | ((when.getMonth() + 1) << 5) | when.getDate(),
  };
}
