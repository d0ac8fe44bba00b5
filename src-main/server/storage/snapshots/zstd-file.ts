// A file compressed to, and decompressed from, a zstd file, in blocks and
// synchronously: it runs in the snapshot worker (snapshot-worker.ts), never on
// the event loop. Frames carry a checksum, so a damaged snapshot is found when
// it is read, not when the learner opens what it restored.
import { closeSync, fsyncSync, openSync, readSync, writeSync } from 'node:fs';
import binding from 'zstd-napi/binding.js';

/** zstd's own default level: about 3× on a collection, at a few hundred MB/s. */
export const SNAPSHOT_ZSTD_LEVEL = 3;
const READ_BLOCK = 1024 * 1024;

function writeAll(fd: number, data: Buffer): void {
  let offset = 0;
  while (offset < data.length) offset += writeSync(fd, data, offset, data.length - offset);
}

/**
 * Compresses `size` bytes from the start of `sourceFd` (or `source` in memory)
 * into a new file at `target` (mode 0600), fsynced. Returns its size.
 */
export function compressToFile(
  source: { fd: number; size: number } | { data: Buffer },
  target: string,
  level = SNAPSHOT_ZSTD_LEVEL,
): number {
  const cctx = new binding.CCtx();
  cctx.setParameter(binding.CParameter.compressionLevel, level);
  cctx.setParameter(binding.CParameter.checksumFlag, 1);
  const out = Buffer.allocUnsafe(binding.cStreamOutSize());
  const block = 'fd' in source ? Buffer.allocUnsafe(READ_BLOCK) : null;
  const fd = openSync(target, 'wx', 0o600);
  let written = 0;
  try {
    const total = 'fd' in source ? source.size : source.data.length;
    let position = 0;
    for (;;) {
      let src: Buffer;
      if ('fd' in source) {
        const read = readSync(source.fd, block!, 0, Math.min(READ_BLOCK, total - position), position);
        src = block!.subarray(0, read);
        if (read === 0 && position < total) throw new Error('the collection ended before its size');
      } else {
        src = source.data.subarray(position, Math.min(total, position + READ_BLOCK));
      }
      position += src.length;
      const last = position >= total;
      const directive = last ? binding.EndDirective.end : binding.EndDirective.continue;
      for (;;) {
        const [remaining, produced, consumed] = cctx.compressStream2(out, src, directive);
        src = src.subarray(consumed);
        if (produced > 0) {
          writeAll(fd, out.subarray(0, produced));
          written += produced;
        }
        if (last ? remaining === 0 : src.length === 0) break;
      }
      if (last) break;
    }
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return written;
}

/** Decompresses the zstd file `source` into a new file `target` (0600), fsynced; throws on a damaged frame. */
export function decompressToFile(source: string, target: string): void {
  const dctx = new binding.DCtx();
  const out = Buffer.allocUnsafe(binding.dStreamOutSize());
  const block = Buffer.allocUnsafe(READ_BLOCK);
  const input = openSync(source, 'r');
  try {
    const fd = openSync(target, 'wx', 0o600);
    try {
      let remaining = 0;
      let sawInput = false;
      for (;;) {
        const read = readSync(input, block, 0, READ_BLOCK, null);
        if (read === 0) break;
        sawInput = true;
        let src = block.subarray(0, read);
        for (;;) {
          const [left, produced, consumed] = dctx.decompressStream(out, src);
          remaining = left;
          src = src.subarray(consumed);
          if (produced > 0) writeAll(fd, out.subarray(0, produced));
          if (src.length === 0 && produced < out.length) break;
        }
      }
      if (!sawInput || remaining !== 0) throw new Error('the snapshot ends inside its compressed data');
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } finally {
    closeSync(input);
  }
}
