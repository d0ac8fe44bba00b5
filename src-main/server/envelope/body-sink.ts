// Where a decoded request body goes while it arrives: memory for JSON (spilling
// to a file past a threshold, so a large body never sits in memory while it
// waits its turn), a temporary file for full uploads and media batches, or
// nowhere. Files being received count against a quota shared by the whole
// server, so a flood of large bodies cannot fill the disk either.
import { open, rm, type FileHandle } from 'node:fs/promises';
import { ServiceBusyError } from '../errors.js';
import type { RequestBody } from '../protocol.js';

/** Bytes of spool files being received at once, for the whole server. */
export class SpoolQuota {
  private used = 0;
  constructor(readonly maxBytes: number) {}

  get inUse(): number {
    return this.used;
  }

  take(bytes: number): void {
    if (this.used + bytes > this.maxBytes)
      throw new ServiceBusyError(`spool space: ${this.maxBytes} bytes in use by requests being received`);
    this.used += bytes;
  }

  give(bytes: number): void {
    this.used = Math.max(0, this.used - bytes);
  }
}

/** Past `atBytes`, a memory body moves to the file at `path()`. */
export interface Spill {
  readonly atBytes: number;
  path(): string;
  readonly quota?: SpoolQuota;
}

export type BodyTarget =
  /** `maxBytes` caps this body below the payload limit (a login is a few bytes). */
  | { readonly kind: 'memory'; readonly maxBytes?: number; readonly spill?: Spill }
  /** A path that must not exist yet; created with mode 0600. */
  | { readonly kind: 'file'; readonly path: string; readonly quota?: SpoolQuota }
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
      return FileSink.create(target.path, target.quota);
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
    this.file = await FileSink.create(this.spill.path(), this.spill.quota);
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
  /** Bytes taken from the quota; given back when the file is complete or abandoned. */
  private reserved = 0;
  private closed = false;

  private constructor(
    private readonly path: string,
    private readonly handle: FileHandle,
    private readonly quota: SpoolQuota | undefined,
  ) {}

  static async create(path: string, quota?: SpoolQuota): Promise<FileSink> {
    const handle = await open(path, 'wx', 0o600);
    return new FileSink(path, handle, quota);
  }

  async write(block: Buffer): Promise<void> {
    if (this.quota !== undefined) {
      this.quota.take(block.length);
      this.reserved += block.length;
    }
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
    try {
      await this.flush();
      await this.close();
    } finally {
      this.giveBack();
    }
    return { kind: 'file', path: this.path, size: this.written };
  }

  async abandon(): Promise<void> {
    this.batchBytes = 0;
    this.giveBack();
    await this.close().catch(() => undefined);
    await rm(this.path, { force: true });
  }

  private giveBack(): void {
    this.quota?.give(this.reserved);
    this.reserved = 0;
  }

  private async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.handle.close();
  }
}
