// One media file as a package member: its bytes read once, hashed and counted
// for the package's media list while they pass, and zstd-compressed for the
// latest form (the reference's MediaCopier,
// rslib/src/import_export/package/colpkg/export.rs). A file of up to
// WHOLE_FILE_BYTES is read whole and compressed with one reused context: most
// media are small, and a stream per file would cost more than its bytes. A
// larger one streams through zstd in 64 KiB steps, so neither memory nor the
// event loop holds a large file.
import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { Compressor, CompressStream } from 'zstd-napi';

export const WHOLE_FILE_BYTES = 1024 * 1024;

/** What a member's bytes were (before compression), known once its stream has ended. */
export interface MemberFacts {
  size(): number;
  sha1(): Buffer;
}

let sharedCompressor: Compressor | null = null;

function compressor(): Compressor {
  sharedCompressor ??= new Compressor();
  return sharedCompressor;
}

/** Counts and hashes what passes. */
class Tally extends Transform {
  readonly hash = createHash('sha1');
  size = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.hash.update(chunk);
    this.size += chunk.length;
    done(null, chunk);
  }
}

/**
 * The member's stream, from an open file of `size` bytes (the handle is
 * closed when it ends or fails), and its facts once it has ended.
 */
export async function mediaMemberStream(file: FileHandle, size: number, zstd: boolean): Promise<{ stream: Readable; facts: MemberFacts }> {
  if (size <= WHOLE_FILE_BYTES) {
    let data: Buffer;
    try {
      data = await file.readFile();
    } finally {
      await file.close();
    }
    const sha1 = createHash('sha1').update(data).digest();
    return { stream: Readable.from([zstd ? compressor().compress(data) : data]), facts: { size: () => data.length, sha1: () => sha1 } };
  }
  const tally = new Tally();
  const read = file.createReadStream({ autoClose: true });
  const facts: MemberFacts = { size: () => tally.size, sha1: () => tally.hash.copy().digest() };
  const stream = zstd ? read.pipe(tally).pipe(new CompressStream()) : read.pipe(tally);
  // pipe() does not forward errors: the member's stream fails with any of them.
  for (const part of [read, tally]) part.on('error', (error: Error) => stream.destroy(error));
  return { stream, facts };
}
