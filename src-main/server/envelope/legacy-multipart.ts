// The legacy envelope (sync versions 8–10): a multipart/form-data POST whose
// fields are `data` (the payload, gzip unless `c` is "0"), `c`, `k`/`sk`, `s`
// and `v`. Parts may come in any order and `c` may follow `data`, so the
// payload is only decoded once the whole form has been read. See
// transport-auth-media.md §1.5 and the reference's request/multipart.rs.
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import type { IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import busboy from 'busboy';
import { BadRequestError, ServerFaultError, SyncError } from '../errors.js';
import type { DecodedRequest, PayloadLimits, RequestBody } from '../protocol.js';
import { gunzipBuffer, gunzipFile } from './legacy-gzip.js';

/** Every multipart request counts as version 10, whatever the client speaks (§1.3). */
export const LEGACY_TRANSPORT_VERSION = 10;

/** Longest text field (`c`, `k`, `sk`, `s`, `v`) we read; real ones are under 100 bytes. */
const MAX_TEXT_FIELD_BYTES = 64 * 1024;

const EMPTY_PAYLOAD = Buffer.from('{}');

export interface LegacyDecodeOptions {
  readonly limits: PayloadLimits;
  /**
   * `POST /msync/begin`: a form `v` then replaces the payload with `{"v": …}`,
   * as the reference's router injects it.
   */
  readonly mediaBegin?: boolean;
  /**
   * A folder for a payload that goes to disk rather than memory (full
   * uploads). The decoded body is then a `file` there, owned by the caller.
   */
  readonly spoolFolder?: string;
}

interface Fields {
  hostKey: string;
  sessionKey: string;
  compressed: boolean;
  clientVersion: string | null;
}

type RawData =
  | { readonly kind: 'none' }
  | { readonly kind: 'buffer'; readonly data: Buffer }
  | { readonly kind: 'file'; readonly path: string; readonly size: number };

/**
 * Reads a legacy request to the end and returns what it carries. Any malformed
 * form, text field or gzip is a 400, as is a body over `limits.maxBytes`. On
 * error nothing is left on disk; the request may be partly unread, so the
 * HTTP layer should close the connection.
 */
export async function decodeLegacyRequest(
  headers: IncomingHttpHeaders,
  body: Readable,
  options: LegacyDecodeOptions,
): Promise<DecodedRequest> {
  const { limits } = options;
  const declared = headers['content-length'];
  if (declared !== undefined && Number(declared) > limits.maxBytes) {
    throw new BadRequestError(`multipart body of ${declared} bytes over the ${limits.maxBytes}-byte limit`);
  }
  const spooled: string[] = [];
  try {
    const { fields, data } = await readForm(headers, body, options, spooled);
    const payload = await decodePayload(fields, data, options, spooled);
    const kept = payload.kind === 'file' ? payload.path : null;
    await Promise.all(spooled.filter((path) => path !== kept).map((path) => rm(path, { force: true })));
    return {
      hostKey: fields.hostKey,
      sessionKey: fields.sessionKey,
      transportVersion: LEGACY_TRANSPORT_VERSION,
      clientVersion: fields.clientVersion ?? '',
      body: payload,
    };
  } catch (error) {
    await Promise.all(spooled.map((path) => rm(path, { force: true })));
    throw error;
  }
}

async function readForm(
  headers: IncomingHttpHeaders,
  body: Readable,
  options: LegacyDecodeOptions,
  spooled: string[],
): Promise<{ fields: Fields; data: RawData }> {
  const { limits } = options;
  const fields: Fields = { hostKey: '', sessionKey: '', compressed: false, clientVersion: null };
  let data: RawData = { kind: 'none' };

  if (headers['content-type']?.trim().toLowerCase().startsWith('multipart/form-data') !== true) {
    throw new BadRequestError('multipart: no anki-sync header and not multipart/form-data');
  }
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers,
      // latin1 maps bytes 1:1 to chars, so a part busboy treats as a text field
      // (no filename, e.g. old Rust clients' `data`) comes back byte-exact.
      defCharset: 'latin1',
      // A `data` part without a filename is a busboy "field" (1 MiB by default):
      // allow the whole body, which is itself capped at maxBytes below.
      limits: { fieldSize: limits.maxBytes + 1 },
    });
  } catch (error) {
    throw new BadRequestError('multipart: bad content type', { cause: error });
  }

  const pending: Promise<void>[] = [];
  let failure: SyncError | null = null;
  const fail = (error: unknown): void => {
    failure ??= asFormError(error);
    parser.destroy(failure);
  };

  const takeText = (name: string, bytes: Buffer): void => {
    if (bytes.length > MAX_TEXT_FIELD_BYTES) return fail(new BadRequestError(`malformed ${name}: too long`));
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch (error) {
      return fail(new BadRequestError(`malformed ${name}: not UTF-8`, { cause: error }));
    }
    switch (name) {
      case 'c':
        fields.compressed = text !== '0';
        break;
      case 'k':
      case 'sk':
        fields.hostKey = text;
        break;
      case 's':
        fields.sessionKey = text;
        break;
      case 'v':
        fields.clientVersion = text;
        break;
    }
  };

  parser.on('field', (name, value, info) => {
    if (info.valueTruncated) return fail(new BadRequestError(`field ${name} over the size limit`));
    const bytes = Buffer.from(value, 'latin1');
    if (name === 'data') data = { kind: 'buffer', data: bytes };
    else if (isTextField(name)) takeText(name, bytes);
  });

  parser.on('file', (name, stream) => {
    if (name === 'data') {
      pending.push(
        readDataPart(stream, options, spooled).then(
          (read) => {
            data = read;
          },
          fail,
        ),
      );
    } else if (isTextField(name)) {
      pending.push(
        collect(stream, MAX_TEXT_FIELD_BYTES + 1).then(
          (bytes) => takeText(name, bytes),
          fail,
        ),
      );
    } else {
      stream.resume();
    }
  });

  try {
    await pipeline(body, capBytes(limits.maxBytes), parser);
  } catch (error) {
    fail(error);
  }
  await Promise.all(pending);
  if (failure) throw failure;
  return { fields, data };
}

async function decodePayload(
  fields: Fields,
  data: RawData,
  options: LegacyDecodeOptions,
  spooled: string[],
): Promise<RequestBody> {
  const { limits } = options;
  if (options.mediaBegin && fields.clientVersion !== null) {
    await discard(data);
    return { kind: 'buffer', data: Buffer.from(JSON.stringify({ v: fields.clientVersion })) };
  }
  if (data.kind === 'none' || (data.kind === 'buffer' && data.data.length === 0)) {
    // AnkiDroid sends no `data` on some requests (e.g. download).
    return { kind: 'buffer', data: EMPTY_PAYLOAD };
  }
  if (data.kind === 'file' && data.size === 0) {
    await discard(data);
    return { kind: 'buffer', data: EMPTY_PAYLOAD };
  }
  if (data.kind === 'buffer') {
    if (options.spoolFolder !== undefined) {
      // A payload that arrived as a text field but is meant for disk.
      const path = newSpoolPath(options.spoolFolder);
      spooled.push(path);
      if (fields.compressed) {
        const raw = path + '.gz';
        spooled.push(raw);
        await writeNew(raw, data.data);
        const size = await gunzipFile(raw, path, limits.maxUncompressedBytes);
        await rm(raw, { force: true });
        return { kind: 'file', path, size };
      }
      await writeNew(path, data.data);
      return { kind: 'file', path, size: data.data.length };
    }
    const payload = fields.compressed ? await gunzipBuffer(data.data, limits.maxUncompressedBytes) : data.data;
    return { kind: 'buffer', data: payload };
  }
  if (!fields.compressed) return { kind: 'file', path: data.path, size: data.size };
  const path = newSpoolPath(options.spoolFolder ?? '');
  spooled.push(path);
  const size = await gunzipFile(data.path, path, limits.maxUncompressedBytes);
  await rm(data.path, { force: true });
  return { kind: 'file', path, size };
}

/** A `data` part sent as a file part: to disk when a spool folder is given, else into memory. */
async function readDataPart(stream: Readable, options: LegacyDecodeOptions, spooled: string[]): Promise<RawData> {
  if (options.spoolFolder === undefined) {
    return { kind: 'buffer', data: await collect(stream, options.limits.maxBytes) };
  }
  const path = newSpoolPath(options.spoolFolder) + '.part';
  spooled.push(path);
  let size = 0;
  stream.on('data', (chunk: Buffer) => {
    size += chunk.length;
  });
  await pipeline(stream, createWriteStream(path, { flags: 'wx' }));
  return { kind: 'file', path, size };
}

function isTextField(name: string): boolean {
  return name === 'c' || name === 'k' || name === 'sk' || name === 's' || name === 'v';
}

async function collect(stream: Readable, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      stream.destroy();
      throw new BadRequestError(`multipart part over ${maxBytes} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

/** A pass-through that fails once more than `max` bytes have gone by. */
function capBytes(max: number): (source: AsyncIterable<Buffer>) => AsyncGenerator<Buffer> {
  return async function* limit(source) {
    let size = 0;
    for await (const chunk of source) {
      size += chunk.length;
      if (size > max) throw new BadRequestError(`multipart body over the ${max}-byte limit`);
      yield chunk;
    }
  };
}

/**
 * What a failure while reading the form means: our own typed errors stand, a
 * disk error while spooling is ours (500), anything else is the client's
 * malformed form (busboy: "Unexpected end of form", "Malformed part header").
 */
function asFormError(error: unknown): SyncError {
  if (error instanceof SyncError) return error;
  if (error instanceof Error && 'syscall' in error) return new ServerFaultError('spooling legacy data', { cause: error });
  return new BadRequestError('invalid multipart', { cause: error });
}

function newSpoolPath(folder: string): string {
  return join(folder, `legacy-upload-${randomBytes(8).toString('hex')}.tmp`);
}

async function writeNew(path: string, data: Buffer): Promise<void> {
  await writeFile(path, data, { flag: 'wx' });
}

async function discard(data: RawData): Promise<void> {
  if (data.kind === 'file') await rm(data.path, { force: true });
}
