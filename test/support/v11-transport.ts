// The version-11 transport exactly as the reference client (rslib
// http_client/io_monitor.rs) speaks it: POST with the `anki-sync` header
// {"v","k","c","s"}, content-type application/octet-stream, the payload as one
// zstd stream without a declared content size in a chunked body (no
// content-length), HTTP/1.1. A non-2xx status is an error carrying the status;
// a 200 without a u32 `anki-original-size` is the client's "missing original
// size" error. Unlike the client, we also insist the size is exact.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createReadStream, createWriteStream } from 'node:fs';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { randomInt } from 'node:crypto';
import { CompressStream, DecompressStream } from 'zstd-napi';

export const TEST_CLIENT_VERSION = '25.02,1a2b3c4d,linux';

export interface SyncHeaderFields {
  /** Host key; '' for hostKey. */
  readonly k: string;
  /** Session key. */
  readonly s: string;
  /** Client version string. */
  readonly c?: string;
  /** Sync version; 11 unless a test says otherwise. */
  readonly v?: number;
}

/** A refusal (any non-2xx), or a 200 the client would not accept. */
export class SyncHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    message = `HTTP ${status}: ${body}`,
  ) {
    super(message);
  }
}

/** The status a call ended with: 200, or the refusal's (any other error is thrown on). */
export async function statusOf(call: Promise<unknown>): Promise<number> {
  try {
    await call;
    return 200;
  } catch (error) {
    if (error instanceof SyncHttpError) return error.status;
    throw error;
  }
}

/** What the request body is made of, before compression. */
export type Payload = Buffer | string | { readonly file: string } | { readonly stream: () => Readable };

function payloadStream(payload: Payload): Readable {
  if (typeof payload === 'string') return Readable.from([Buffer.from(payload, 'utf8')]);
  if (Buffer.isBuffer(payload)) return Readable.from(payload.length === 0 ? [] : [payload]);
  if ('file' in payload) return createReadStream(payload.file, { highWaterMark: 1 << 20 });
  return payload.stream();
}

/** base-62 of a random u32, as the client's simple_session_id. */
export function newSessionKey(): string {
  const table = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  let n = randomInt(0, 2 ** 32);
  let out = '';
  do {
    out = table[n % 62] + out;
    n = Math.floor(n / 62);
  } while (n > 0);
  return out;
}

export function syncHeaderValue(fields: SyncHeaderFields): string {
  // serde writes the fields in declaration order: v, k, c, s.
  return JSON.stringify({ v: fields.v ?? 11, k: fields.k, c: fields.c ?? TEST_CLIENT_VERSION, s: fields.s });
}

/**
 * The certificate authority https:// requests trust, as a device that has the
 * user's CA installed would (test/support/test-ca.ts makes one). Unset: the
 * system's trust store, as for a certificate from Let's Encrypt.
 */
const trusted: { ca: Buffer | undefined } = { ca: undefined };

export function trustAuthority(ca: Buffer | undefined): void {
  trusted.ca = ca;
}

export interface RawExchange {
  readonly response: IncomingMessage;
}

/**
 * Sends a request whose body is `body` as given (already compressed, or
 * deliberately broken), streamed chunked. Resolves once the response head
 * has arrived; the caller reads the body.
 */
export function postRaw(url: string, headers: Record<string, string>, body: Readable): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const options = { method: 'POST', headers: { 'content-type': 'application/octet-stream', ...headers } };
    const req = url.startsWith('https:') ? httpsRequest(url, { ...options, ca: trusted.ca }, resolve) : httpRequest(url, options, resolve);
    req.on('error', reject);
    body.on('error', (error) => req.destroy(error));
    body.pipe(req);
  });
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The u32 original size of a 200, or the client's error. */
async function acceptedSize(response: IncomingMessage): Promise<number> {
  const status = response.statusCode ?? 0;
  if (status < 200 || status > 299) throw new SyncHttpError(status, (await readAll(response)).toString('utf8'));
  const header = response.headers['anki-original-size'];
  const size = typeof header === 'string' && /^[0-9]+$/.test(header) ? Number(header) : NaN;
  if (!(size >= 0 && size <= 0xffff_ffff)) {
    response.resume();
    throw new SyncHttpError(status, '', 'missing original size');
  }
  return size;
}

/** Counts bytes passing through, to check them against anki-original-size. */
class ByteCounter extends Writable {
  count = 0;
  constructor(
    private readonly target: Writable | null,
    private readonly chunks: Buffer[] | null,
  ) {
    super();
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, done: (error?: Error | null) => void): void {
    this.count += chunk.length;
    this.chunks?.push(chunk);
    if (this.target === null || this.target.write(chunk)) done();
    else this.target.once('drain', () => done());
  }
  override _final(done: (error?: Error | null) => void): void {
    if (this.target === null) return done();
    this.target.end(() => done());
  }
}

/** One v11 request; the decoded reply in memory. */
export async function v11Request(url: string, fields: SyncHeaderFields, payload: Payload): Promise<Buffer> {
  const response = await postRaw(url, { 'anki-sync': syncHeaderValue(fields) }, payloadStream(payload).pipe(new CompressStream()));
  const size = await acceptedSize(response);
  const chunks: Buffer[] = [];
  const counter = new ByteCounter(null, chunks);
  await pipeline(response, new DecompressStream(), counter);
  if (counter.count !== size) throw new SyncHttpError(200, '', `anki-original-size ${size} but ${counter.count} bytes decoded`);
  return Buffer.concat(chunks);
}

/** One v11 request whose decoded reply is streamed to `outPath` (full download); returns its size. */
export async function v11RequestToFile(url: string, fields: SyncHeaderFields, payload: Payload, outPath: string): Promise<number> {
  const response = await postRaw(url, { 'anki-sync': syncHeaderValue(fields) }, payloadStream(payload).pipe(new CompressStream()));
  const size = await acceptedSize(response);
  const counter = new ByteCounter(createWriteStream(outPath), null);
  await pipeline(response, new DecompressStream(), counter);
  if (counter.count !== size) throw new SyncHttpError(200, '', `anki-original-size ${size} but ${counter.count} bytes decoded`);
  return size;
}
