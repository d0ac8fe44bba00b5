// Where a decoded request body goes while it arrives: memory for JSON (spilling
// to a file past a threshold, so a large body never sits in memory while it
// waits its turn), a temporary file for full uploads and media batches, or
// nowhere.
import { open, rm, type FileHandle } from 'node:fs/promises';
import type { RequestBody } from '../protocol.js';

/** Past `atBytes`, a memory body moves to the file at `path()`. */
export interface Spill {
  readonly atBytes: number;
  path(): string;
}

export type BodyTarget =
  /** `maxBytes` caps this body below the payload limit (a login is a few bytes). */
  | { readonly kind: 'memory'; readonly maxBytes?: number; readonly spill?: Spill }
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
    case 'memory':
      return target.spill === undefined ? new MemorySink() : new SpillingSink(target.spill);
    case 'discard':
      return new DiscardSink();
    case 'file':
      return FileSink.create(target.path);
  }
}

class MemorySink implements BodySink {
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

/** Memory until `spill.atBytes`, then a file. */
class SpillingSink implements BodySink {
  private readonly memory = new MemorySink();
  private file: FileSink | null = null;

  constructor(private readonly spill: Spill) {}

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
