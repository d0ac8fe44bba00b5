// The package file as a Writable that knows how many bytes it has written,
// so that a buffer handed to the zip can be used again once its bytes are in
// the file (media-member.ts). Closing it fsyncs the file first: the package
// is on disk before it is renamed into place.
import type { FileHandle } from 'node:fs/promises';
import { Writable } from 'node:stream';

export class CountedFileSink extends Writable {
  /** Bytes written to the file so far, from its start. */
  written = 0;
  private waiters: { position: number; resolve: () => void; reject: (error: Error) => void }[] = [];
  private failure: Error | null = null;

  constructor(private readonly file: FileHandle) {
    super();
  }

  /** Resolves once the file holds every byte before `position`. */
  whenWritten(position: number): Promise<void> {
    if (this.written >= position) return Promise.resolve();
    if (this.failure !== null) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => this.waiters.push({ position, resolve, reject }));
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.writeAll(chunk).then(
      () => {
        this.written += chunk.length;
        this.waiters = this.waiters.filter((waiter) => {
          if (waiter.position > this.written) return true;
          waiter.resolve();
          return false;
        });
        done();
      },
      (error: Error) => {
        this.fail(error);
        done(error);
      },
    );
  }

  override _final(done: (error?: Error | null) => void): void {
    this.file.sync().then(
      () => done(),
      (error: Error) => done(error),
    );
  }

  override _destroy(error: Error | null, done: (error: Error | null) => void): void {
    this.fail(error ?? new Error('the package file was closed'));
    this.file.close().then(
      () => done(error),
      (closeError: Error) => done(error ?? closeError),
    );
  }

  private async writeAll(chunk: Buffer): Promise<void> {
    for (let offset = 0; offset < chunk.length;) {
      const { bytesWritten } = await this.file.write(chunk, offset, chunk.length - offset, this.written + offset);
      if (bytesWritten === 0) throw Object.assign(new Error('no space to write the package'), { code: 'ENOSPC' });
      offset += bytesWritten;
    }
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const waiter of this.waiters) waiter.reject(this.failure);
    this.waiters = [];
  }
}
