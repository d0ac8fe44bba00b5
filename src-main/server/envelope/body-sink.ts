// Where a decoded request body goes while it arrives: memory for JSON (spilling
// to a file past a threshold, so a large body never sits in memory while it
// waits its turn), a temporary file for full uploads and media batches, or
// nowhere.
import { open, rm, type FileHandle } from 'node:fs/promises';
import type { RequestBody } from '../protocol.js';
import type { BodyBufferPool } from './body-buffers.js';

/** Past `atBytes`, a memory body moves to the file at `path()`. */
export interface Spill {
  readonly atBytes: number;
  path(): string;
}

export type BodyTarget =
  /**
   * `maxBytes` caps this body below the payload limit (a login is a few bytes).
   * With `buffers`, the body is gathered in a buffer lent by that pool, which
   * the caller gives back once done with the body.
   */
  | { readonly kind: 'memory'; readonly maxBytes?: number; readonly spill?: Spill; readonly buffers?: BodyBufferPool }
  /** A path that must not exist yet; created with mode 0600. */
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'discard' };

export interface BodySink {
  /** `block` may be reused once this returns or settles, so a sink that keeps bytes copies them. */
  write(block: Buffer): void | Promise<void>;
  /** Closes the sink and describes what it holds. */
  finish(): Promise<RequestBody>;
  /** Closes the sink and removes anything it wrote. Safe after finish(). */
  abandon(): Promise<void>;
}

export async function openBodySink(target: BodyTarget): Promise<BodySink> {
  switch (target.kind) {
    case 'memory': {
      const memory = target.buffers === undefined ? new MemorySink() : new LentBufferSink(target.buffers);
      return target.spill === undefined ? memory : new SpillingSink(memory, target.spill);
    }
    case 'discard':
      return new DiscardSink();
    case 'file':
      return FileSink.create(target.path);
  }
}

/** A body held in memory, which can hand its bytes over when it moves to a file. */
interface HeldBody extends BodySink {
  /** Memory takes a block at once. */
  write(block: Buffer): void;
  readonly bytes: number;
  /** The bytes held so far, in order; the sink is empty afterwards. */
  take(): Buffer[];
}

class MemorySink implements HeldBody {
  private blocks: Buffer[] = [];
  bytes = 0;
  write(block: Buffer): void {
    this.blocks.push(Buffer.from(block));
    this.bytes += block.length;
  }
  async finish(): Promise<RequestBody> {
    const data = this.blocks.length === 1 ? this.blocks[0]! : Buffer.concat(this.blocks);
    this.blocks = [];
    return { kind: 'buffer', data };
  }
  async abandon(): Promise<void> {
    this.blocks = [];
  }
  take(): Buffer[] {
    const blocks = this.blocks;
    this.blocks = [];
    return blocks;
  }
}

/**
 * A body gathered in one buffer lent by `pool`: no copy of each block kept,
 * no joining them at the end. A body that outgrows the buffer moves to one of
 * its own, and the lent one goes back at once.
 */
class LentBufferSink implements HeldBody {
  private buffer: Buffer | null = null;
  bytes = 0;

  constructor(private readonly pool: BodyBufferPool) {}

  write(block: Buffer): void {
    this.buffer ??= this.pool.take();
    if (this.bytes + block.length > this.buffer.length) {
      const larger = Buffer.allocUnsafe(Math.max(this.bytes + block.length, 2 * this.buffer.length));
      this.buffer.copy(larger, 0, 0, this.bytes);
      this.pool.giveBack(this.buffer);
      this.buffer = larger;
    }
    block.copy(this.buffer, this.bytes);
    this.bytes += block.length;
  }

  async finish(): Promise<RequestBody> {
    const data = this.buffer === null ? Buffer.alloc(0) : this.buffer.subarray(0, this.bytes);
    this.buffer = null;
    return { kind: 'buffer', data };
  }

  async abandon(): Promise<void> {
    this.release();
  }

  take(): Buffer[] {
    // Moving to a file is the rare path (a batch past the spill size): a copy, so the lent buffer can go back now.
    const held = this.buffer === null ? [] : [Buffer.from(this.buffer.subarray(0, this.bytes))];
    this.release();
    return held;
  }

  private release(): void {
    if (this.buffer !== null) this.pool.giveBack(this.buffer);
    this.buffer = null;
    this.bytes = 0;
  }
}

/** Memory until `spill.atBytes`, then a file. */
class SpillingSink implements BodySink {
  private file: FileSink | null = null;

  constructor(
    private readonly memory: HeldBody,
    private readonly spill: Spill,
  ) {}

  async write(block: Buffer): Promise<void> {
    if (this.file !== null) return this.file.write(block);
    this.memory.write(block);
    if (this.memory.bytes <= this.spill.atBytes) return;
    this.file = await FileSink.create(this.spill.path());
    for (const held of this.memory.take()) await this.file.write(held);
  }

  finish(): Promise<RequestBody> {
    return this.file !== null ? this.file.finish() : this.memory.finish();
  }

  async abandon(): Promise<void> {
    await this.memory.abandon();
    await this.file?.abandon();
  }
}

class DiscardSink implements BodySink {
  write(): void {}
  async finish(): Promise<RequestBody> {
    return { kind: 'buffer', data: Buffer.alloc(0) };
  }
  async abandon(): Promise<void> {}
}

/** Gathers the decoder's 128 KiB blocks into fewer, larger writes. */
const WRITE_BATCH = 1 << 20;

class FileSink implements BodySink {
  private readonly batch = Buffer.allocUnsafe(WRITE_BATCH);
  private batchBytes = 0;
  private written = 0;
  private closed = false;

  private constructor(
    private readonly path: string,
    private readonly handle: FileHandle,
  ) {}

  static async create(path: string): Promise<FileSink> {
    const handle = await open(path, 'wx', 0o600);
    return new FileSink(path, handle);
  }

  async write(block: Buffer): Promise<void> {
    for (let offset = 0; offset < block.length;) {
      const copied = block.copy(this.batch, this.batchBytes, offset);
      this.batchBytes += copied;
      offset += copied;
      if (this.batchBytes === WRITE_BATCH) await this.flush();
    }
  }

  private async flush(): Promise<void> {
    const size = this.batchBytes;
    // A write may be partial; loop until the whole batch is on disk.
    for (let offset = 0; offset < size;) {
      const { bytesWritten } = await this.handle.write(this.batch, offset, size - offset);
      offset += bytesWritten;
    }
    this.batchBytes = 0;
    this.written += size;
  }

  async finish(): Promise<RequestBody> {
    await this.flush();
    await this.close();
    return { kind: 'file', path: this.path, size: this.written };
  }

  async abandon(): Promise<void> {
    this.batchBytes = 0;
    await this.close().catch(() => undefined);
    await rm(this.path, { force: true });
  }

  private async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.handle.close();
  }
}
