// zstd frames made with one compression context reused by every frame.
// zstd-napi's CompressStream makes a context of its own per stream, native
// memory (several MB at the default level, for its window and tables) freed
// only when the garbage collector gets round to the stream: an export of many
// media files held one per file, and its memory grew with the media's total
// (test/server/storage/export/export-memory.e2e.test.ts). Members are written
// one at a time (package-zip.ts), so one context serves them all; each frame
// starts with a reset, so one abandoned half-way leaves nothing for the next.
import { createRequire } from 'node:module';
import type * as Binding from 'zstd-napi/binding.js';

// binding.js is CommonJS whose exports are the native module's, which ESM cannot name.
const binding = createRequire(import.meta.url)('zstd-napi/binding.js') as typeof Binding;

/** zstd's default level, as the reference's `Encoder::new(writer, 0)`. */
const LEVEL = 3;

let shared: Binding.CCtx | null = null;
let sharedInUse = false;

export class ZstdContext {
  private released = false;

  private constructor(private readonly cctx: Binding.CCtx) {}

  /** The shared context, reset for a new frame; a second frame at once gets a context of its own. */
  static take(): ZstdContext {
    if (sharedInUse) return new ZstdContext(newCctx());
    shared ??= newCctx();
    sharedInUse = true;
    shared.reset(binding.ResetDirective.sessionOnly);
    return new ZstdContext(shared);
  }

  /** An output buffer that holds what compressing `inputBytes` can produce at once, the frame's end included. */
  static outputBound(inputBytes: number): number {
    return binding.compressBound(inputBytes) + binding.cStreamOutSize();
  }

  /**
   * Compresses `input` into `output` and returns the bytes produced, a view of
   * `output`; `last` ends the frame. Should they not fit (they do, at
   * outputBound), the rest goes to a new buffer rather than be lost.
   */
  compress(input: Buffer, output: Buffer, last: boolean): Buffer {
    const end = last ? binding.EndDirective.end : binding.EndDirective.continue;
    let [remaining, produced, consumed] = this.cctx.compressStream2(output, input, end);
    if (consumed === input.length && (!last || remaining === 0)) return output.subarray(0, produced);
    const parts = [Buffer.from(output.subarray(0, produced))];
    let rest = input.subarray(consumed);
    for (;;) {
      const more = Buffer.allocUnsafe(ZstdContext.outputBound(rest.length));
      [remaining, produced, consumed] = this.cctx.compressStream2(more, rest, end);
      parts.push(more.subarray(0, produced));
      rest = rest.subarray(consumed);
      if (rest.length === 0 && (!last || remaining === 0)) return Buffer.concat(parts);
    }
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    if (this.cctx === shared) sharedInUse = false;
  }
}

function newCctx(): Binding.CCtx {
  const cctx = new binding.CCtx();
  cctx.setParameter(binding.CParameter.compressionLevel, LEVEL);
  return cctx;
}
