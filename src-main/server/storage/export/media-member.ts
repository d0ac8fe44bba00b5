// One media file as a package member: its bytes read once, hashed and counted
// for the package's media list while they pass, and zstd-compressed for the
// latest form (the reference's MediaCopier,
// rslib/src/import_export/package/colpkg/export.rs).
//
// Memory stays flat however many files go in: every read and every
// compressed chunk lands in one of a few buffers of a pool shared by all the
// members, and a buffer is filled again only once the package file holds the
// bytes it last carried (CountedFileSink). Buffers allocated per chunk were
// garbage, freed only when the collector got round to them: the process grew
// by more than the media's size before it did
// (test/server/storage/export/export-memory.e2e.test.ts).
import { createHash, type Hash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { CountedFileSink } from './counted-file-sink.js';
import { ZstdContext } from './zstd-context.js';

/** Bytes read from a file at a time. */
const CHUNK_BYTES = 256 * 1024;
const SLOTS = 4;

interface Slot {
  readonly input: Buffer;
  readonly output: Buffer;
  /** The package file's length once the bytes this slot last carried are in it. */
  mark: number;
}

/** The buffers the members of one package share, in turn. */
export class MemberBuffers {
  private readonly slots: Slot[];
  private turn = 0;

  constructor(readonly sink: CountedFileSink) {
    this.slots = Array.from({ length: SLOTS }, () => ({
      input: Buffer.allocUnsafe(CHUNK_BYTES),
      output: Buffer.allocUnsafe(ZstdContext.outputBound(CHUNK_BYTES)),
      mark: 0,
    }));
  }

  /** The next buffer, once the file holds what it last carried. */
  async next(): Promise<Slot> {
    const slot = this.slots[this.turn]!;
    this.turn = (this.turn + 1) % SLOTS;
    await this.sink.whenWritten(slot.mark);
    return slot;
  }
}

/**
 * A member's bytes, read from `file` (closed when done). `dataStart` is asked
 * when the zip starts reading the member: the package file's length at that
 * point, so each chunk's place in the file is known.
 */
export class MediaMemberStream extends Readable {
  private readonly hash: Hash = createHash('sha1');
  private bytesIn = 0;
  private pushed = 0;
  private start: number | null = null;
  private readonly context: ZstdContext | null;

  constructor(
    private readonly file: FileHandle,
    private readonly buffers: MemberBuffers,
    zstd: boolean,
    private readonly dataStart: () => number,
  ) {
    super({ highWaterMark: 0 });
    this.context = zstd ? ZstdContext.take() : null;
  }

  /** The file's size, once the stream has ended. */
  size(): number {
    return this.bytesIn;
  }

  sha1(): Buffer {
    return this.hash.copy().digest();
  }

  // Node calls _read again only after a push, so each call pushes (or ends, or fails) exactly once.
  override _read(): void {
    this.pump().catch((error: unknown) => this.destroy(error instanceof Error ? error : new Error(String(error))));
  }

  private async pump(): Promise<void> {
    this.start ??= this.dataStart();
    for (;;) {
      const slot = await this.buffers.next();
      const { bytesRead } = await this.file.read(slot.input, 0, CHUNK_BYTES, null);
      const input = slot.input.subarray(0, bytesRead);
      this.hash.update(input);
      this.bytesIn += bytesRead;
      const last = bytesRead === 0;
      const out = this.context === null ? input : this.context.compress(input, slot.output, last);
      if (out.length > 0) {
        this.pushed += out.length;
        slot.mark = this.start + this.pushed;
      }
      if (last) {
        await this.finish();
        if (out.length > 0) this.push(out);
        this.push(null);
        return;
      }
      // zstd may keep a small chunk to itself until more comes or the frame ends: read on.
      if (out.length > 0) {
        this.push(out);
        return;
      }
    }
  }

  private async finish(): Promise<void> {
    this.context?.release();
    await this.file.close();
  }

  override _destroy(error: Error | null, done: (error: Error | null) => void): void {
    this.context?.release();
    this.file.close().then(
      () => done(error),
      () => done(error),
    );
  }
}
