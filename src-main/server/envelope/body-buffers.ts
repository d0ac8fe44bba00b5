// Buffers for request bodies held in memory, reused from one request to the
// next. A media batch is about 2.5 MiB; a fresh buffer for each was most of
// what a media upload allocated outside V8's heap, and each such allocation
// brings the next full garbage collection closer: in a 2,000-file upload the
// server ran 33 of them, and their marking took a quarter of its CPU.
// A buffer is lent for one request and given back by the request pipeline
// once the handler is done with the body (request-pipeline.ts); one that is
// never given back is only garbage, never reused.

export class BodyBufferPool {
  private readonly idle: Buffer[] = [];
  /** The lent buffers, by the memory the body's bytes are a view of. */
  private readonly lent = new WeakMap<ArrayBufferLike, Buffer>();

  /**
   * @param capacity bytes in each buffer: a body that outgrows it is moved to a buffer of its own
   * @param maxIdle buffers kept while no request holds them; the rest are left to the garbage collector
   */
  constructor(
    readonly capacity: number,
    private readonly maxIdle: number,
  ) {}

  take(): Buffer {
    const buffer = this.idle.pop() ?? Buffer.allocUnsafeSlow(this.capacity);
    this.lent.set(buffer.buffer, buffer);
    return buffer;
  }

  /** Takes back the buffer `view` lies in, if it is one of ours still lent; anything else is ignored. */
  giveBack(view: Buffer): void {
    const buffer = this.lent.get(view.buffer);
    if (buffer === undefined) return;
    this.lent.delete(view.buffer);
    if (this.idle.length < this.maxIdle) this.idle.push(buffer);
  }

  /** Buffers kept for the next requests (tests). */
  get idleCount(): number {
    return this.idle.length;
  }
}
