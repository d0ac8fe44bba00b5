// Writes zip archives byte by byte, so a test can make every field lie: sizes
// and CRCs that differ between the local header, the central directory and the
// data, data descriptors, members whose data overlap, truncated archives. The
// layout is APPNOTE.TXT's (local header, data, optional descriptor, …, central
// directory, end record); nothing here checks that the result makes sense.
import { crc32, deflateRawSync } from 'node:zlib';

export interface ForgedMember {
  readonly name: string;
  /** The content; deflated when `deflate` is set. */
  readonly data: Buffer;
  readonly deflate?: boolean;
  /** Sizes and CRC left 0 in the local header and sent after the data (flag bit 3). */
  readonly dataDescriptor?: boolean;
  /** Overrides: what each header claims, whatever the data really is. */
  readonly local?: Partial<SizeFields>;
  readonly central?: Partial<SizeFields>;
  readonly descriptor?: Partial<SizeFields>;
  /** The central directory's offset of this member's local header; by default where it was written. */
  readonly centralOffset?: number | ((offsets: readonly number[]) => number);
}

export interface SizeFields {
  crc: number;
  compressedSize: number;
  uncompressedSize: number;
}

export interface ForgeOptions {
  /** Extra central-directory entries, pointing wherever they say (overlapping members). */
  readonly extraCentral?: readonly { name: string; of: number; fields?: Partial<SizeFields> }[];
}

const UTF8_FLAG = 0x0800;
const DESCRIPTOR_FLAG = 0x0008;

export function forgeZip(members: readonly ForgedMember[], options: ForgeOptions = {}): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  const offsets: number[] = [];
  const truth: SizeFields[] = [];
  const push = (buffer: Buffer): void => {
    parts.push(buffer);
    offset += buffer.length;
  };
  for (const member of members) {
    const stored = member.deflate === true ? deflateRawSync(member.data) : member.data;
    const real: SizeFields = { crc: crc32(member.data), compressedSize: stored.length, uncompressedSize: member.data.length };
    truth.push(real);
    offsets.push(offset);
    const name = Buffer.from(member.name, 'utf8');
    const claimed = member.dataDescriptor === true ? { crc: 0, compressedSize: 0, uncompressedSize: 0 } : real;
    const local = { ...claimed, ...member.local };
    const head = Buffer.alloc(30);
    head.writeUInt32LE(0x04034b50, 0);
    head.writeUInt16LE(20, 4);
    head.writeUInt16LE(UTF8_FLAG | (member.dataDescriptor === true ? DESCRIPTOR_FLAG : 0), 6);
    head.writeUInt16LE(member.deflate === true ? 8 : 0, 8);
    head.writeUInt32LE(0, 10); // time and date
    head.writeUInt32LE(local.crc >>> 0, 14);
    head.writeUInt32LE(local.compressedSize >>> 0, 18);
    head.writeUInt32LE(local.uncompressedSize >>> 0, 22);
    head.writeUInt16LE(name.length, 26);
    head.writeUInt16LE(0, 28);
    push(Buffer.concat([head, name, stored]));
    if (member.dataDescriptor === true) {
      const fields = { ...real, ...member.descriptor };
      const descriptor = Buffer.alloc(16);
      descriptor.writeUInt32LE(0x08074b50, 0);
      descriptor.writeUInt32LE(fields.crc >>> 0, 4);
      descriptor.writeUInt32LE(fields.compressedSize >>> 0, 8);
      descriptor.writeUInt32LE(fields.uncompressedSize >>> 0, 12);
      push(descriptor);
    }
  }
  const centralStart = offset;
  let entries = 0;
  const centralEntry = (name: string, deflate: boolean, descriptor: boolean, fields: SizeFields, at: number): void => {
    const nameBytes = Buffer.from(name, 'utf8');
    const head = Buffer.alloc(46);
    head.writeUInt32LE(0x02014b50, 0);
    head.writeUInt16LE(20, 4);
    head.writeUInt16LE(20, 6);
    head.writeUInt16LE(UTF8_FLAG | (descriptor ? DESCRIPTOR_FLAG : 0), 8);
    head.writeUInt16LE(deflate ? 8 : 0, 10);
    head.writeUInt32LE(0, 12);
    head.writeUInt32LE(fields.crc >>> 0, 16);
    head.writeUInt32LE(fields.compressedSize >>> 0, 20);
    head.writeUInt32LE(fields.uncompressedSize >>> 0, 24);
    head.writeUInt16LE(nameBytes.length, 28);
    head.writeUInt32LE(0, 30); // extra and comment lengths
    head.writeUInt32LE(0, 34); // disk, internal attributes
    head.writeUInt32LE(0, 38); // external attributes
    head.writeUInt32LE(at >>> 0, 42);
    push(Buffer.concat([head, nameBytes]));
    entries++;
  };
  members.forEach((member, index) => {
    const at = typeof member.centralOffset === 'function' ? member.centralOffset(offsets) : (member.centralOffset ?? offsets[index]!);
    centralEntry(member.name, member.deflate === true, member.dataDescriptor === true, { ...truth[index]!, ...member.central }, at);
  });
  for (const extra of options.extraCentral ?? []) {
    const base = members[extra.of]!;
    centralEntry(
      extra.name,
      base.deflate === true,
      base.dataDescriptor === true,
      { ...truth[extra.of]!, ...extra.fields },
      offsets[extra.of]!,
    );
  }
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(0, 4);
  end.writeUInt16LE(0, 6);
  end.writeUInt16LE(entries, 8);
  end.writeUInt16LE(entries, 10);
  end.writeUInt32LE(offset - centralStart, 12);
  end.writeUInt32LE(centralStart, 16);
  end.writeUInt16LE(0, 20);
  push(end);
  return Buffer.concat(parts);
}

/** The members of an uploadChanges zip for these files: "0", "1", … and `_meta`. */
export function uploadMembers(files: readonly (readonly [fname: string, data: Buffer])[], deflate = false): ForgedMember[] {
  const meta = files.map(([fname], index) => [fname, String(index)]);
  return [
    ...files.map(([, data], index): ForgedMember => ({ name: String(index), data, deflate })),
    { name: '_meta', data: Buffer.from(JSON.stringify(meta)), deflate },
  ];
}
