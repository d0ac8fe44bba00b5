// gzip decoding of a legacy `data` part. The reference gunzips with its output
// capped at 3 × MAX (MAXIMUM_SYNC_PAYLOAD_BYTES_UNCOMPRESSED) and answers 400
// "invalid gzip" on a broken stream.
import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { createGunzip, gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import { BadRequestError } from '../errors.js';

const gunzipAsync = promisify(gunzip);

/**
 * Gunzips a payload held in memory. Output past `maxBytes` is refused with a
 * 400: the reference truncates it, which makes the JSON (or zip) invalid and
 * ends in the same 400, so refusing early only saves the work.
 */
export async function gunzipBuffer(data: Buffer, maxBytes: number): Promise<Buffer> {
  try {
    return await gunzipAsync(data, { maxOutputLength: maxBytes });
  } catch (error) {
    if (isOutputTooLarge(error)) {
      throw new BadRequestError(`gzip payload over ${maxBytes} bytes`, { cause: error });
    }
    throw new BadRequestError('invalid gzip', { cause: error });
  }
}

/**
 * Gunzips a spooled file into a new file, stopping at `maxBytes`. The output
 * is then exactly `maxBytes` long, like the reference's truncated read, so the
 * upload handler answers its "collection exceeds size limit" sentence; the
 * rest of the stream is not inflated (a gzip bomb costs nothing more).
 * Returns the size written.
 */
export async function gunzipFile(source: string, target: string, maxBytes: number): Promise<number> {
  const input = createReadStream(source);
  const inflate = createGunzip();
  input.on('error', (error) => inflate.destroy(error));
  input.pipe(inflate);
  const output = await open(target, 'wx', 0o600);
  let written = 0;
  try {
    for await (const chunk of inflate as AsyncIterable<Buffer>) {
      const piece = chunk.length <= maxBytes - written ? chunk : chunk.subarray(0, maxBytes - written);
      await writeAll(output, piece);
      written += piece.length;
      if (written >= maxBytes) break;
    }
  } catch (error) {
    if (isIoError(error)) throw error;
    throw new BadRequestError('invalid gzip', { cause: error });
  } finally {
    input.destroy();
    inflate.destroy();
    await output.close();
  }
  return written;
}

async function writeAll(file: FileHandle, data: Buffer): Promise<void> {
  let offset = 0;
  while (offset < data.length) {
    const { bytesWritten } = await file.write(data, offset, data.length - offset);
    offset += bytesWritten;
  }
}

function isOutputTooLarge(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError;
}

/** Disk errors are server faults, not a client's bad gzip. */
function isIoError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^E[A-Z]+$/.test(code) && !code.startsWith('Z_');
}
