// Streaming zstd decoding of a request body with both size caps enforced as the
// bytes arrive. zstd-napi's DecompressStream pushes everything one input chunk
// expands to before looking at backpressure (a 64 KiB bomb can expand to
// gigabytes inside one call), so this drives the same native context directly
// and checks the caps after every output block.
import binding from 'zstd-napi/binding.js';
import { BadRequestError } from '../errors.js';

const OUTPUT_BLOCK = binding.dStreamOutSize();

// A decoding context and its output block, kept between requests: making both
// afresh for every request was most of what a small request cost, mostly in
// the garbage collection of their native memory.
interface Decoder {
  readonly dctx: InstanceType<typeof binding.DCtx>;
  readonly out: Buffer;
}
const idleDecoders: Decoder[] = [];
const MAX_IDLE_DECODERS = 4;

function takeDecoder(): Decoder {
  return idleDecoders.pop() ?? { dctx: new binding.DCtx(), out: Buffer.allocUnsafe(OUTPUT_BLOCK) };
}

function returnDecoder(decoder: Decoder): void {
  // Drops whatever frame was half read, so the next request starts clean.
  decoder.dctx.reset(binding.ResetDirective.sessionOnly);
  if (idleDecoders.length < MAX_IDLE_DECODERS) idleDecoders.push(decoder);
}

export interface DecodeCaps {
  /** Largest compressed body accepted, in bytes. */
  readonly maxCompressedBytes: number;
  /** Largest decoded payload accepted, in bytes. */
  readonly maxDecodedBytes: number;
}

export type DecodeOutcome =
  | { readonly kind: 'complete'; readonly compressedBytes: number; readonly decodedBytes: number }
  /** Decoding stopped early; the rest of the input was not read. */
  | { readonly kind: 'over-limit'; readonly which: 'compressed' | 'decoded' };

/**
 * Receives decoded blocks in order; a returned promise is awaited
 * (backpressure). A block's bytes are only valid until the sink returns or its
 * promise settles: the buffer is reused for the next block.
 */
export type DecodedSink = (block: Buffer) => void | Promise<void>;

/**
 * Decodes a zstd stream (one or more frames; frames need not declare their
 * content size) from `input` into `sink`. A corrupt or truncated stream throws
 * BadRequestError('decoding zstd body').
 */
export async function decodeZstdStream(input: AsyncIterable<Buffer | string>, sink: DecodedSink, caps: DecodeCaps): Promise<DecodeOutcome> {
  const decoder = takeDecoder();
  try {
    return await decodeWith(decoder, input, sink, caps);
  } finally {
    returnDecoder(decoder);
  }
}

async function decodeWith(
  { dctx, out }: Decoder,
  input: AsyncIterable<Buffer | string>,
  sink: DecodedSink,
  caps: DecodeCaps,
): Promise<DecodeOutcome> {
  let compressedBytes = 0;
  let decodedBytes = 0;
  let inFrame = false;
  for await (const piece of input) {
    let src = typeof piece === 'string' ? Buffer.from(piece) : piece;
    compressedBytes += src.length;
    if (compressedBytes > caps.maxCompressedBytes) return { kind: 'over-limit', which: 'compressed' };
    for (;;) {
      let remaining: number;
      let produced: number;
      let consumed: number;
      try {
        [remaining, produced, consumed] = dctx.decompressStream(out, src);
      } catch (error) {
        throw new BadRequestError('decoding zstd body', { cause: error });
      }
      src = src.subarray(consumed);
      if (produced > 0) {
        decodedBytes += produced;
        if (decodedBytes > caps.maxDecodedBytes) return { kind: 'over-limit', which: 'decoded' };
        await sink(out.subarray(0, produced));
      }
      if (src.length === 0 && (produced < out.length || remaining === 0)) {
        inFrame = remaining !== 0;
        break;
      }
    }
  }
  if (inFrame) throw new BadRequestError('decoding zstd body: stream ends inside a frame');
  return { kind: 'complete', compressedBytes, decodedBytes };
}
