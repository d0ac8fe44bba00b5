// Sync version 11 ("direct post"): the `anki-sync` header carries the keys, the
// body is one zstd stream in each direction, and every success carries
// `anki-original-size`, the decoded length, without which the client refuses it.
// The header is a JSON object with the host key, client version, session key
// and sync version. A header that is present but unreadable is a 400: the
// server never falls back to multipart for it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { Compressor, CompressStream } from 'zstd-napi';
import type { DecodedRequest, RequestBody, SyncReply } from '../protocol.js';
import { BadRequestError, ProtocolDriftError, ServerFaultError } from '../errors.js';
import { openBodySink, type BodyTarget } from './body-sink.js';
import { decodeZstdStream } from './zstd-decode.js';
import { endResponse, fileReplySource, replyBytes, type FileBytesListener } from './reply-bytes.js';
import { writeLegacyReply } from './legacy-reply.js';
import type { Envelope, RequestHead } from './envelope.js';

export const ORIGINAL_SIZE_HEADER = 'anki-original-size';

export const SYNC_HEADER = 'anki-sync';

export const SYNC_VERSION_MIN = 8;
export const SYNC_VERSION_MAX = 11;

export interface SyncHeader {
  /** Sync version, 8..=11. */
  readonly v: number;
  /** Host key; empty on hostKey. */
  readonly k: string;
  /** Client version string, for logs. */
  readonly c: string;
  /** Session key. */
  readonly s: string;
}

/** Node joins repeated headers with ", "; the reference reads only the first value. */
export function parseSyncHeader(value: string | string[]): SyncHeader {
  const raw = Array.isArray(value) ? value[0] : value;
  // The reference reads the value as visible ASCII only (http's HeaderValue::to_str).
  if (raw === undefined || !/^[\t\x20-\x7e]*$/.test(raw)) throw new BadRequestError('bad sync header');
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new BadRequestError('bad sync header');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new BadRequestError('bad sync header');
  }
  const { v, k, c, s } = parsed as Record<string, unknown>;
  if (typeof k !== 'string' || typeof c !== 'string' || typeof s !== 'string') {
    throw new BadRequestError('bad sync header');
  }
  // serde reads `v` as a u8: any other number, or a non-integer, is a bad header.
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 255) {
    throw new BadRequestError('bad sync header');
  }
  if (v > SYNC_VERSION_MAX) throw new ProtocolDriftError(`unsupported sync version: ${v}`, { kind: 'version', version: v }, c);
  if (v < SYNC_VERSION_MIN) throw new BadRequestError(`unsupported sync version: ${v}`);
  return { v, k, c, s };
}

// One compression context for every buffered reply: compress() is synchronous,
// so replies never share it at the same time, and making a context per reply
// cost more than compressing a chunk.
const replyCompressor = new Compressor();

// Media files are compressed already: at zstd's default level a 2.5 MiB download
// zip took as long to compress as to read and zip, and shrank by nothing. At a
// negative level zstd gives up on such bytes almost at once and sends them as raw
// blocks; the frame is an ordinary one, which any zstd decoder reads.
const FAST_LEVEL = -1;
const incompressibleCompressor = new Compressor();
incompressibleCompressor.setParameters({ compressionLevel: FAST_LEVEL });

/** The client parses anki-original-size as a u32. */
const MAX_REPLY_BYTES = 0xffff_ffff;

/**
 * Reads and decodes the body. Both the compressed and the decoded size are
 * capped at the method's cap (for uploads 3 × MAX_SYNC_PAYLOAD_MEGS: a v11
 * media upload of one 100 MiB file is itself over 100 MiB, so the compressed
 * cap cannot be lower). Over the cap, a memory body is a 400; a file body is
 * cut off and reported with size = the cap, so that `upload` answers as the
 * reference does.
 */
export async function decodeV11Request(req: IncomingMessage, header: SyncHeader, target: BodyTarget, cap: number): Promise<DecodedRequest> {
  const sink = await openBodySink(target);
  let decoded: RequestBody;
  try {
    // Stopping early must not destroy the request: that would close the socket the answer goes out on.
    const body = req.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>;
    const outcome = await decodeZstdStream(body, (block) => sink.write(block), { maxCompressedBytes: cap, maxDecodedBytes: cap });
    if (outcome.kind === 'over-limit' && target.kind !== 'file') {
      throw new BadRequestError(`request body over the size limit (${outcome.which})`);
    }
    decoded = await sink.finish();
    if (outcome.kind === 'over-limit' && decoded.kind === 'file') {
      decoded = { kind: 'file', path: decoded.path, size: cap };
    }
  } catch (error) {
    await sink.abandon();
    throw error;
  }
  return {
    hostKey: header.k,
    transportVersion: header.v,
    sessionKey: header.s,
    clientVersion: header.c,
    body: decoded,
  };
}

/** Writes a 200 with the zstd-compressed payload; resolves when the last byte is handed to the socket. */
export async function writeV11Reply(res: ServerResponse, reply: SyncReply, onFileBytes?: FileBytesListener): Promise<void> {
  if (reply.kind === 'file') {
    if (reply.size > MAX_REPLY_BYTES) throw new ServerFaultError(`reply of ${reply.size} bytes is over 4 GiB`);
    res.writeHead(200, { [ORIGINAL_SIZE_HEADER]: String(reply.size) });
    await pipeline(fileReplySource(reply, onFileBytes), new CompressStream(), res);
    return;
  }
  const payload = replyBytes(reply);
  if (payload.length > MAX_REPLY_BYTES) throw new ServerFaultError(`reply of ${payload.length} bytes is over 4 GiB`);
  const body = (reply.kind === 'raw' && reply.incompressible === true ? incompressibleCompressor : replyCompressor).compress(payload);
  res.writeHead(200, { [ORIGINAL_SIZE_HEADER]: String(payload.length), 'content-length': String(body.length) });
  await endResponse(res, body);
}

interface V11Head extends RequestHead {
  readonly header: SyncHeader;
}

/** The v11 envelope: the header read, then the body decoded off the socket. */
export const v11Envelope: Envelope<V11Head> = {
  readHead: async (req) => {
    const header = parseSyncHeader(req.headers[SYNC_HEADER]!);
    return { hostKey: header.k, bodyOnSocket: true, header };
  },
  decodeBody: (req, head, target, context) => decodeV11Request(req, head.header, target, context.maxDecodedBytes),
  // A header may name versions 8–10: those clients read the legacy reply.
  writeReply: (res, reply, transportVersion, onFileBytes) =>
    transportVersion >= 11 ? writeV11Reply(res, reply, onFileBytes) : writeLegacyReply(res, reply, onFileBytes),
};
