// The legacy envelope (sync versions 8–10): a multipart/form-data POST whose
// fields are `data` (the payload, gzip unless `c` is "0"), `c`, `k`/`sk`, `s`
// and `v`. Parts may come in any order: the Python client and AnkiDroid send
// `k`, `s`, `c`, then `data`; the Rust client of 2.1.28–2.1.56 sends `data`
// first and `c`, `k`, `s` after it. So the payload is only decoded, and its
// destination only known for sure, once the whole form has been read.
// See docs/protocol/transport-auth-media.md §1.5 and the reference's request/multipart.rs.
import { createReadStream, createWriteStream } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import busboy from 'busboy';
import { BadRequestError, ServerFaultError, SyncError } from '../errors.js';
import type { DecodedRequest, PayloadLimits, RequestBody } from '../protocol.js';
import { gunzipBuffer, gunzipFile, isSoundGzip } from './legacy-gzip.js';
import type { BodyTarget } from './body-sink.js';

/** Every multipart request counts as version 10, whatever the client speaks (docs/protocol/transport-auth-media.md §1.3). */
export const LEGACY_TRANSPORT_VERSION = 10;

/** Longest text field (`c`, `k`, `sk`, `s`, `v`) we read; real ones are under 100 bytes. */
const MAX_TEXT_FIELD_BYTES = 64 * 1024;

const EMPTY_PAYLOAD = Buffer.from('{}');

/** Where a payload should end up: the v11 decoder's body target. */
export type LegacyBodyTarget = BodyTarget;

export interface LegacyDecodeOptions {
  readonly limits: PayloadLimits;
  /** Where the payload should go for a host key; asked again once the form is read. */
  bodyTarget(hostKey: string): LegacyBodyTarget;
  /**
   * `POST /msync/begin`: a form `v` then replaces the payload with `{"v": …}`,
   * as the reference's router injects it. Defaults to a look at the request path.
   */
  readonly mediaBegin?: boolean;
}

interface Fields {
  hostKey: string;
  sessionKey: string;
  compressed: boolean;
  clientVersion: string | null;
}

/** The `data` part as received, before gunzip. */
type RawData =
  | { readonly kind: 'none' }
  | { readonly kind: 'buffer'; readonly data: Buffer }
  | { readonly kind: 'file'; readonly path: string; readonly size: number }
  /**
   * Not kept: the key known when it arrived was not one we serve. Whether it
   * was sound gzip is still known, since a bad gzip is a 400 before the 403.
   */
  | { readonly kind: 'discarded'; readonly hostKey: string; readonly soundGzip: boolean };

/**
 * Reads a legacy request to the end and returns what it carries. A malformed
 * form, text field or gzip is a 400, as is a body over `limits.maxBytes`. On
 * error nothing is left on disk; the request may be partly unread, so the
 * HTTP layer should close the connection.
 */
export async function decodeLegacyRequest(req: IncomingMessage, options: LegacyDecodeOptions): Promise<DecodedRequest> {
  const { limits } = options;
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limits.maxBytes) {
    throw new BadRequestError(`multipart body of ${declared} bytes over the ${limits.maxBytes}-byte limit`);
  }
  const mediaBegin = options.mediaBegin ?? isMediaBeginPath(req.url);
  const written: string[] = [];
  try {
    const { fields, data } = await readForm(req, options, written);
    const body = await decodePayload(fields, data, options, mediaBegin, written);
    const kept = body.kind === 'file' ? body.path : null;
    await removeAll(written.filter((path) => path !== kept));
    return {
      hostKey: fields.hostKey,
      sessionKey: fields.sessionKey,
      transportVersion: LEGACY_TRANSPORT_VERSION,
      clientVersion: fields.clientVersion ?? '',
      body,
    };
  } catch (error) {
    await removeAll(written);
    throw error;
  }
}

async function readForm(req: IncomingMessage, options: LegacyDecodeOptions, written: string[]): Promise<{ fields: Fields; data: RawData }> {
  const { limits } = options;
  const contentType = req.headers['content-type'];
  if (contentType?.trim().toLowerCase().startsWith('multipart/form-data') !== true) {
    throw new BadRequestError('multipart: no anki-sync header and not multipart/form-data');
  }
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: req.headers,
      // latin1 maps bytes 1:1 to chars, so a part busboy treats as a text field
      // (no filename and no octet-stream type) comes back byte-exact.
      defCharset: 'latin1',
      // Such a `data` part would be cut at busboy's 1 MiB field default: allow
      // the whole body, which is itself capped at maxBytes below.
      limits: { fieldSize: limits.maxBytes + 1 },
    });
  } catch (error) {
    throw new BadRequestError('multipart: bad content type', { cause: error });
  }

  const fields: Fields = { hostKey: '', sessionKey: '', compressed: false, clientVersion: null };
  let data: RawData = { kind: 'none' };
  const pending: Promise<void>[] = [];
  let failure = null as SyncError | null;
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
    if (name === 'c') fields.compressed = text !== '0';
    else if (name === 'k' || name === 'sk') fields.hostKey = text;
    else if (name === 's') fields.sessionKey = text;
    else if (name === 'v') fields.clientVersion = text;
  };

  const replaceData = async (next: RawData): Promise<void> => {
    // A second `data` part replaces the first, as in the reference.
    if (data.kind === 'file') await rm(data.path, { force: true });
    data = next;
  };

  parser.on('field', (name, value, info) => {
    if (info.valueTruncated) return fail(new BadRequestError(`field ${name} over the size limit`));
    const bytes = Buffer.from(value, 'latin1');
    if (name === 'data') pending.push(replaceData({ kind: 'buffer', data: bytes }).catch(fail));
    else if (isTextField(name)) takeText(name, bytes);
  });

  parser.on('file', (name, stream) => {
    if (name === 'data') {
      const target = options.bodyTarget(fields.hostKey);
      pending.push(receiveData(stream, target, fields.hostKey, limits, written).then(replaceData).catch(fail));
    } else if (isTextField(name)) {
      pending.push(collect(stream, MAX_TEXT_FIELD_BYTES + 1).then((bytes) => takeText(name, bytes), fail));
    } else {
      // A part we do not read is still a stream that can fail (a form cut off in the middle).
      stream.on('error', () => undefined);
      stream.resume();
    }
  });

  try {
    await pipeline(req, capBytes(limits.maxBytes), parser);
  } catch (error) {
    fail(error);
  }
  await Promise.all(pending);
  if (failure !== null) throw failure;
  return { fields, data };
}

/**
 * Takes in a `data` part sent as a file part. The key known so far picks the
 * place: a file target spools the raw bytes next to the target (the Python
 * client sends `k` first); an unknown key is not kept; when no key has been
 * seen yet (the old Rust client sends `data` first) it is held in memory,
 * which the MAX cap on the whole form bounds.
 */
async function receiveData(
  stream: Readable,
  target: LegacyBodyTarget,
  hostKey: string,
  limits: PayloadLimits,
  written: string[],
): Promise<RawData> {
  if (target.kind === 'discard' && hostKey !== '') {
    return { kind: 'discarded', hostKey, soundGzip: await isSoundGzip(stream, limits.maxUncompressedBytes) };
  }
  if (target.kind !== 'file') return { kind: 'buffer', data: await collect(stream, limits.maxBytes) };
  const path = `${target.path}.part`;
  written.push(path);
  let size = 0;
  stream.on('data', (chunk: Buffer) => {
    size += chunk.length;
  });
  await pipeline(stream, createWriteStream(path, { flags: 'wx', mode: 0o600 }));
  return { kind: 'file', path, size };
}

async function decodePayload(
  fields: Fields,
  data: RawData,
  options: LegacyDecodeOptions,
  mediaBegin: boolean,
  written: string[],
): Promise<RequestBody> {
  const { limits } = options;
  if (mediaBegin && fields.clientVersion !== null) {
    return { kind: 'buffer', data: Buffer.from(JSON.stringify({ v: fields.clientVersion })) };
  }
  const target = options.bodyTarget(fields.hostKey);
  if (data.kind === 'discarded') {
    if (data.hostKey !== fields.hostKey && target.kind !== 'discard') {
      throw new BadRequestError('multipart: the host key changed after data was sent');
    }
    if (fields.compressed && !data.soundGzip) throw new BadRequestError('invalid gzip');
    return { kind: 'buffer', data: EMPTY_PAYLOAD };
  }
  const size = data.kind === 'none' ? 0 : data.kind === 'buffer' ? data.data.length : data.size;
  if (size === 0) {
    // AnkiDroid sends no `data` on some requests (e.g. download).
    return { kind: 'buffer', data: EMPTY_PAYLOAD };
  }
  if (target.kind === 'discard') {
    // Held until the key was known, and it is not one we serve: check, then drop.
    if (fields.compressed) {
      const raw = data.kind === 'file' ? createReadStream(data.path) : [data.kind === 'buffer' ? data.data : EMPTY_PAYLOAD];
      if (!(await isSoundGzip(raw as AsyncIterable<Buffer>, limits.maxUncompressedBytes))) throw new BadRequestError('invalid gzip');
    }
    return { kind: 'buffer', data: EMPTY_PAYLOAD };
  }
  if (target.kind === 'memory') {
    const raw = data.kind === 'file' ? await readFile(data.path) : data.kind === 'buffer' ? data.data : EMPTY_PAYLOAD;
    const cap = Math.min(target.maxBytes ?? Infinity, limits.maxUncompressedBytes);
    const payload = fields.compressed ? await gunzipBuffer(raw, cap) : raw;
    if (payload.length > cap) throw new BadRequestError(`payload over ${cap} bytes`);
    return { kind: 'buffer', data: payload };
  }
  written.push(target.path);
  let source: string;
  if (data.kind === 'file') {
    source = data.path;
  } else {
    source = `${target.path}.part`;
    written.push(source);
    await writeFile(source, data.kind === 'buffer' ? data.data : EMPTY_PAYLOAD, { flag: 'wx', mode: 0o600 });
  }
  if (fields.compressed) {
    const decoded = await gunzipFile(source, target.path, limits.maxUncompressedBytes);
    return { kind: 'file', path: target.path, size: decoded };
  }
  await rename(source, target.path);
  return { kind: 'file', path: target.path, size };
}

function isTextField(name: string): boolean {
  return name === 'c' || name === 'k' || name === 'sk' || name === 's' || name === 'v';
}

/** `/msync/begin` (any query string ignored). */
function isMediaBeginPath(url: string | undefined): boolean {
  if (url === undefined) return false;
  const path = url.split('?', 1)[0] ?? '';
  return path === '/msync/begin';
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

async function removeAll(paths: readonly string[]): Promise<void> {
  await Promise.all(paths.map((path) => rm(path, { force: true })));
}
