// Ways of breaking a sound upload zip, shared by the HTTP fuzz test
// (server/media/hostile-zips) and the test that reads each broken zip from
// memory and from a spooled file (server/media/upload-zip-sources).
import { forgeZip, type ForgedMember } from './zip-forge.js';

/** Content that deflates to almost nothing: `size` bytes of one repeated line. */
export function compressible(size: number): Buffer {
  return Buffer.alloc(size, 'all work and no play makes a server crash\n');
}

/** One way of breaking a sound upload zip. */
export type Mutation = (members: ForgedMember[], random: () => number) => Buffer;

const field = (random: () => number, size: number): number => {
  const choices = [0, 1, size - 1, size + 1, size * 2, Math.floor(random() * 2 ** 32), 0xffffffff, Math.floor(size / 2)];
  return choices[Math.floor(random() * choices.length)]! >>> 0;
};

export const ZIP_MUTATIONS: Record<string, Mutation> = {
  'truncated anywhere': (members, random) => {
    const zip = forgeZip(members);
    return zip.subarray(0, Math.floor(random() * zip.length));
  },
  'a lying size or CRC in the local header': (members, random) => {
    const i = Math.floor(random() * members.length);
    const key = (['crc', 'compressedSize', 'uncompressedSize'] as const)[Math.floor(random() * 3)]!;
    members[i] = { ...members[i]!, local: { [key]: field(random, members[i]!.data.length) } };
    return forgeZip(members);
  },
  'a lying size or CRC in the central directory': (members, random) => {
    const i = Math.floor(random() * members.length);
    const key = (['crc', 'compressedSize', 'uncompressedSize'] as const)[Math.floor(random() * 3)]!;
    members[i] = { ...members[i]!, central: { [key]: field(random, members[i]!.data.length) } };
    return forgeZip(members);
  },
  'sizes that agree with each other and not with the data': (members, random) => {
    const i = Math.floor(random() * members.length);
    const size = field(random, members[i]!.data.length);
    members[i] = { ...members[i]!, local: { uncompressedSize: size }, central: { uncompressedSize: size } };
    return forgeZip(members);
  },
  'a bad CRC everywhere': (members, random) => {
    const i = Math.floor(random() * members.length);
    const crc = Math.floor(random() * 2 ** 32);
    members[i] = { ...members[i]!, local: { crc }, central: { crc } };
    return forgeZip(members);
  },
  'overlapping members': (members, random) => {
    const i = Math.floor(random() * (members.length - 1));
    members[i + 1] = { ...members[i + 1]!, centralOffset: (offsets) => offsets[i]! + Math.floor(random() * 40) };
    return forgeZip(members);
  },
  'two central entries of one name for one local member': (members, random) => {
    const of = Math.floor(random() * members.length);
    return forgeZip(members, { extraCentral: [{ name: members[of]!.name, of }] });
  },
  'data descriptors that lie': (members, random) => {
    const i = Math.floor(random() * members.length);
    const key = (['crc', 'compressedSize', 'uncompressedSize'] as const)[Math.floor(random() * 3)]!;
    members[i] = { ...members[i]!, dataDescriptor: true, descriptor: { [key]: field(random, members[i]!.data.length) } };
    return forgeZip(members);
  },
  'random bytes flipped': (members, random) => {
    const zip = forgeZip(members);
    for (let n = 1 + Math.floor(random() * 4); n > 0; n--) zip[Math.floor(random() * zip.length)] = Math.floor(random() * 256);
    return zip;
  },
};
