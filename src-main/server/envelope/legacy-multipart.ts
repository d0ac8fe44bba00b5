// The legacy envelope (sync versions 8–10): a multipart/form-data POST whose
// fields are `data` (the payload, gzip unless `c` is "0"), `c`, `k`/`sk`, `s`
// and `v`. Parts may come in any order: the Python client and AnkiDroid send
// `k`, `s`, `c`, then `data`; the Rust client of 2.1.28–2.1.56 sends `data`
// first and `c`, `k`, `s` after it. See docs/protocol/transport-auth-media.md
// §1.5 and the reference's request/multipart.rs.
//
// It is read in two steps, so that nothing large is decoded before the
// request has its turn:
//   readLegacyForm      the form as sent: text fields, and the raw `data` part,
//                       in memory up to 64 KiB and spooled to disk past that
//                       (under the server's spool quota). A key we do not serve
//                       is a 403 as soon as it is read; nothing after it is.
//   decodeLegacyPayload the raw data gunzipped into its final place (memory
//                       with the method's cap, or a file), once the account's
//                       slot is taken.
import { createWriteStream } from 'node:fs';
import { copyFile, readFile, rename, rm, writeFile } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import busboy from 'busboy';
import { BadRequestError, ServerFaultError, SyncError } from '../errors.js';
import type { DecodedRequest, PayloadLimits, RequestBody } from '../protocol.js';
import { gunzipBuffer, gunzipFile } from './legacy-gzip.js';
import type { Envelope, RequestHead } from './envelope.js';
import { writeLegacyReply } from './legacy-reply.js';
import type { BodyTarget } from './body-sink.js';
import type { SpoolQuota } from './spool-quota.js';

/** Every multipart request counts as version 10, whatever the client speaks (docs/protocol/transport-auth-media.md §1.3). */
export const LEGACY_TRANSPORT_VERSION = 10;

/** Longest text field (`c`, `k`, `sk`, `s`, `v`) we read; real ones are under 100 bytes. */
const MAX_TEXT_FIELD_BYTES = 64 * 1024;

/** Raw `data` held in memory before it is spooled to disk. */
export const RAW_MEMORY_BYTES = 64 * 1024;

/**
 * Largest `data` sent as a plain field (no `filename=`). busboy holds a field
 * whole in memory, so this stays small; every real client sends `data` as a
 * file part (filename="data"), which is spooled instead. Only the reference's
 * own test sends a small JSON `data` as a field.
 */
export const MAX_DATA_FIELD_BYTES = 256 * 1024;

/** A gzip stream can be a little larger than what it holds; this much slack over a method's cap. */
const GZIP_SLACK_BYTES = 64 * 1024;

const EMPTY_PAYLOAD = Buffer.from('{}');

export interface LegacyFormOptions {
  readonly limits: PayloadLimits;
  /** Largest decoded payload of the method: the raw data may be this plus a little. */
  readonly maxDecodedBytes: number;
  /**
   * Throws (AuthFailedError) for a key we do not serve; a no-op for hostKey,
   * which has none. The last `k`/`sk` wins, so a stranger's key fails the form
   * only when a `data` part starts while it is the key in force.
   */
  checkKey(hostKey: string): void;
  /**
   * Where raw data past RAW_MEMORY_BYTES is spooled: a fresh path, and the
   * quota those bytes count against while the form is read. Called when a
   * `data` part grows past memory, under the key checkKey last accepted or
   * none yet (`data` before the key, as the old Rust client sends it).
   */
  spill(this: void): LegacySpill;
}

export interface LegacySpill {
  readonly path: string;
  readonly quota?: SpoolQuota;
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
  | { readonly kind: 'file'; readonly path: string; readonly size: number };

/** A form read to its end; `discard()` removes whatever of it is on disk. */
export interface LegacyForm {
  readonly fields: Readonly<Fields>;
  readonly data: RawData;
  discard(): Promise<void>;
}

/**
 * Reads a legacy request to the end: a malformed form or text field is a 400,
 * as is a body over `limits.maxBytes`; a key we do not serve is a 403 at once.
 * On error nothing is left on disk; the request may be partly unread, so the
 * HTTP layer should close the connection.
 */
export async function readLegacyForm(req: IncomingMessage, options: LegacyFormOptions): Promise<LegacyForm> {
  const { limits } = options;
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limits.maxBytes) {
    throw new BadRequestError(`multipart body of ${declared} bytes over the ${limits.maxBytes}-byte limit`);
  }
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
      // Such a part is held whole in memory, so it is capped small.
      limits: { fieldSize: Math.min(rawCap(options), MAX_DATA_FIELD_BYTES) + 1 },
    });
  } catch (error) {
    throw new BadRequestError('multipart: bad content type', { cause: error });
  }

  const fields: Fields = { hostKey: '', sessionKey: '', compressed: false, clientVersion: null };
  let data: RawData = { kind: 'none' };
  const written: string[] = [];
  const pending: Promise<void>[] = [];
  let failure = null as SyncError | null;
  const fail = (error: unknown): void => {
    failure ??= asFormError(error);
    parser.destroy(failure);
  };

  /** Set while the key in force is one we do not serve. */
  let strangerKey: unknown = null;

  const takeText = (name: string, bytes: Buffer): void => {
    if (bytes.length > MAX_TEXT_FIELD_BYTES) return fail(new BadRequestError(`malformed ${name}: too long`));
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch (error) {
      return fail(new BadRequestError(`malformed ${name}: not UTF-8`, { cause: error }));
    }
    if (name === 'c') fields.compressed = text !== '0';
    else if (name === 'k' || name === 'sk') {
      fields.hostKey = text;
      try {
        options.checkKey(text);
        strangerKey = null;
      } catch (error) {
        strangerKey = error;
      }
    } else if (name === 's') fields.sessionKey = text;
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
    if (name === 'data') {
      if (strangerKey !== null) return fail(strangerKey);
      pending.push(replaceData({ kind: 'buffer', data: bytes }).catch(fail));
    } else if (isTextField(name)) takeText(name, bytes);
  });

  parser.on('file', (name, stream) => {
    // Listened to from the start: a form cut off in the middle fails its part's stream.
    stream.on('error', () => undefined);
    if (name === 'data') {
      if (strangerKey !== null) {
        stream.resume();
        return fail(strangerKey);
      }
      pending.push(receiveData(stream, options, written).then(replaceData).catch(fail));
    } else if (isTextField(name)) {
      pending.push(collect(stream, MAX_TEXT_FIELD_BYTES + 1).then((bytes) => takeText(name, bytes), fail));
    } else {
      stream.resume();
    }
  });

  try {
    await pipeline(req, capBytes(limits.maxBytes), parser);
  } catch (error) {
    fail(error);
  }
  await Promise.all(pending);
  const discard = (): Promise<void> => removeAll(written);
  if (failure !== null) {
    await discard();
    throw failure;
  }
  return { fields, data, discard };
}

/** The raw data part may be the method's cap plus gzip's slack, and never more than the payload limit. */
function rawCap(options: LegacyFormOptions): number {
  return Math.min(options.limits.maxBytes, options.maxDecodedBytes + GZIP_SLACK_BYTES);
}

/**
 * Takes in a `data` part sent as a file part: in memory up to
 * RAW_MEMORY_BYTES, then in a spool file counted against the quota.
 */
async function receiveData(stream: Readable, options: LegacyFormOptions, written: string[]): Promise<RawData> {
  const cap = rawCap(options);
  const chunks: Buffer[] = [];
  let size = 0;
  let file: { path: string; out: ReturnType<typeof createWriteStream>; quota: SpoolQuota | undefined } | null = null;
  let reserved = 0;
  const take = (bytes: number): void => {
    file?.quota?.take(bytes);
    reserved += bytes;
  };
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > cap) throw new BadRequestError(`multipart data over ${cap} bytes`);
      if (file === null) {
        chunks.push(chunk);
        if (size <= RAW_MEMORY_BYTES) continue;
        const spill = options.spill();
        written.push(spill.path);
        const out = createWriteStream(spill.path, { flags: 'wx', mode: 0o600 });
        out.on('error', () => undefined);
        file = { path: spill.path, out, quota: spill.quota };
        for (const held of chunks.splice(0)) {
          take(held.length);
          await write(out, held);
        }
        continue;
      }
      take(chunk.length);
      await write(file.out, chunk);
    }
    if (file === null) return { kind: 'buffer', data: Buffer.concat(chunks, size) };
    const out = file.out;
    await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
    return { kind: 'file', path: file.path, size };
  } catch (error) {
    stream.resume();
    if (file !== null) {
      file.out.destroy();
      // The quota stands for bytes on disk: they are given back (finally) only
      // once the refused file is gone, or another form could spool over it.
      await rm(file.path, { force: true });
    }
    throw error;
  } finally {
    file?.quota?.give(reserved);
  }
}

function write(out: ReturnType<typeof createWriteStream>, chunk: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    out.write(chunk, (error) => (error ? reject(error) : resolve()));
  });
}

export interface LegacyPayloadOptions {
  readonly limits: PayloadLimits;
  /** Memory (with the method's cap as maxBytes) or a new file. */
  readonly target: BodyTarget;
  /** `POST /msync/begin`: a form `v` replaces the payload with `{"v": …}`, as the reference's router injects it. */
  readonly mediaBegin: boolean;
}

/**
 * The payload in its final place, decoded: a bad gzip is a 400. The form's
 * files are removed, except the one that becomes the payload.
 */
export async function decodeLegacyPayload(form: LegacyForm, options: LegacyPayloadOptions): Promise<DecodedRequest> {
  const { fields } = form;
  try {
    const body = await decodeData(form, options);
    return {
      hostKey: fields.hostKey,
      sessionKey: fields.sessionKey,
      transportVersion: LEGACY_TRANSPORT_VERSION,
      clientVersion: fields.clientVersion ?? '',
      body,
    };
  } finally {
    await form.discard();
  }
}

async function decodeData(form: LegacyForm, options: LegacyPayloadOptions): Promise<RequestBody> {
  const { fields, data } = form;
  const { limits, target } = options;
  if (options.mediaBegin && fields.clientVersion !== null) {
    return { kind: 'buffer', data: Buffer.from(JSON.stringify({ v: fields.clientVersion })) };
  }
  const size = data.kind === 'none' ? 0 : data.kind === 'buffer' ? data.data.length : data.size;
  // AnkiDroid sends no `data` on some requests (e.g. download).
  if (size === 0 || target.kind === 'discard') return { kind: 'buffer', data: EMPTY_PAYLOAD };
  if (target.kind === 'memory') {
    const raw = data.kind === 'file' ? await readFile(data.path) : data.kind === 'buffer' ? data.data : EMPTY_PAYLOAD;
    const cap = Math.min(target.maxBytes ?? Infinity, limits.maxUncompressedBytes);
    const payload = fields.compressed ? await gunzipBuffer(raw, cap) : raw;
    if (payload.length > cap) throw new BadRequestError(`payload over ${cap} bytes`);
    return { kind: 'buffer', data: payload };
  }
  try {
    if (fields.compressed) {
      const source =
        data.kind === 'file' ? data.path : await writeTemp(`${target.path}.part`, data.kind === 'buffer' ? data.data : EMPTY_PAYLOAD);
      try {
        return { kind: 'file', path: target.path, size: await gunzipFile(source, target.path, limits.maxUncompressedBytes) };
      } finally {
        if (data.kind !== 'file') await rm(source, { force: true });
      }
    }
    if (data.kind === 'file') await moveFile(data.path, target.path);
    else await writeFile(target.path, data.kind === 'buffer' ? data.data : EMPTY_PAYLOAD, { flag: 'wx', mode: 0o600 });
    return { kind: 'file', path: target.path, size };
  } catch (error) {
    await rm(target.path, { force: true });
    throw error;
  }
}

async function writeTemp(path: string, bytes: Buffer): Promise<string> {
  await writeFile(path, bytes, { flag: 'wx', mode: 0o600 });
  return path;
}

/** A rename, or a copy where the spool and the user's folder are on different disks. */
async function moveFile(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    await copyFile(from, to);
    await rm(from, { force: true });
  }
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

async function removeAll(paths: readonly string[]): Promise<void> {
  await Promise.all(paths.map((path) => rm(path, { force: true })));
}

interface LegacyHead extends RequestHead {
  readonly form: LegacyForm;
}

/** The legacy envelope: the whole form read as the head (its keys checked as they come), gunzipped at the user's turn. */
export const legacyEnvelope: Envelope<LegacyHead> = {
  readHead: async (req, context) => ({ hostKey: undefined, bodyOnSocket: false, form: await readLegacyForm(req, context) }),
  decodeBody: (_req, head, target, context) =>
    decodeLegacyPayload(head.form, { limits: context.limits, target, mediaBegin: context.mediaBegin }),
  writeReply: (res, reply, _transportVersion, onFileBytes) => writeLegacyReply(res, reply, onFileBytes),
};
