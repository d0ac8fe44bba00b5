// File contents that prove they are whole: a header with the name, version and
// length, then bytes derived from them. A torn or truncated write fails isWhole.
import { createHash } from 'node:crypto';

export function selfDescribingFile(name: string, version: number, length: number): Buffer {
  const header = Buffer.from(`${JSON.stringify({ name, version, length })}\n`);
  const block = createHash('sha256').update(`${name}/${version}`).digest();
  return Buffer.concat([header, Buffer.alloc(length - header.length, block)]);
}

export function isWhole(data: Buffer): boolean {
  const newline = data.indexOf(0x0a);
  if (newline < 0) return false;
  try {
    const { name, version, length } = JSON.parse(data.subarray(0, newline).toString()) as { name: string; version: number; length: number };
    return data.equals(selfDescribingFile(name, version, length));
  } catch {
    return false;
  }
}
