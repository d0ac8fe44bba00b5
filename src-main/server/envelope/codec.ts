// The envelope of each request and reply, chosen once here, as the reference's
// SyncRequest::from_request chooses (rslib/src/sync/request/mod.rs). A request
// with the `anki-sync` header is version 11 (a broken header is a 400, never a
// fallback); `GET /msync/begin?k=&v=` is the old desktop's media begin, a query
// and no body; any other request is legacy multipart. Each is an Envelope: the
// pipeline reads the head, has the key checked, decodes the body when it is the
// user's turn, and writes the reply, without knowing which envelope it holds.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DecodedRequest, PayloadLimits, SyncReply } from '../protocol.js';
import { parseSyncHeader, SYNC_HEADER, writeV11Reply, decodeV11Request, type SyncHeader } from './v11.js';
import { decodeLegacyPayload, readLegacyForm, type LegacyForm, type LegacySpill } from './legacy-multipart.js';
import { decodeLegacyBeginQuery } from './legacy-begin-query.js';
import { writeLegacyReply } from './legacy-reply.js';
import type { BodyTarget } from './body-sink.js';
import type { FileBytesListener } from './reply-bytes.js';

/** What the pipeline tells an envelope about the method and the keys it serves. */
export interface HeadContext {
  readonly limits: PayloadLimits;
  /** The method's cap on its decoded body. */
  readonly maxDecodedBytes: number;
  /** `/msync/begin`: a legacy form's `v` becomes the payload `{"v": …}`, as the reference's router injects it. */
  readonly mediaBegin: boolean;
  /** Each host key the head carries, as soon as it is read: throws (403) for a key we do not serve. */
  checkKey(hostKey: string): void;
  /** Where legacy data past memory is spooled while the form is read (see LegacyFormOptions.spill). */
  spill(this: void): LegacySpill;
}

/** A head as read; only its envelope looks inside. */
export interface RequestHead {
  /**
   * The body is still on the socket (v11): it is received as soon as the slot
   * is taken, never while the request waits for the user's lock. A legacy form
   * is already read to its end, and a query has no body: both are decoded at
   * the user's turn.
   */
  readonly bodyOnSocket: boolean;
}

export interface Envelope<Head extends RequestHead = RequestHead> {
  /** Reads what comes before the body (the v11 header; the whole legacy form, its raw data at most 64 KiB in memory). */
  readHead(req: IncomingMessage, context: HeadContext): Promise<Head>;
  /** The body decoded into `target`, with the method's cap. */
  decodeBody(req: IncomingMessage, head: Head, target: BodyTarget, context: HeadContext): Promise<DecodedRequest>;
  /** The reply encoded for the request's transportVersion (a v11 header may name 8–10: those get the legacy reply). */
  writeReply(res: ServerResponse, reply: SyncReply, transportVersion: number, onFileBytes?: FileBytesListener): Promise<void>;
}

/** The envelope of a request: `query` is the one of a `GET /msync/begin`, null for any other request. */
export function envelopeOf(req: IncomingMessage, query: URLSearchParams | null): Envelope {
  if (query !== null) return beginQuery(query);
  return req.headers[SYNC_HEADER] === undefined ? legacy : v11;
}

/** The client version a v11 header names, read leniently: for words only, when the request itself was refused. */
export function clientNamedBy(req: IncomingMessage): string {
  const value = req.headers[SYNC_HEADER];
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined) return '';
  try {
    const parsed = JSON.parse(raw) as { c?: unknown };
    return typeof parsed.c === 'string' ? parsed.c : '';
  } catch {
    return '';
  }
}

export type { BodyTarget } from './body-sink.js';

function writeReply(res: ServerResponse, reply: SyncReply, transportVersion: number, onFileBytes?: FileBytesListener): Promise<void> {
  return transportVersion >= 11 ? writeV11Reply(res, reply, onFileBytes) : writeLegacyReply(res, reply, onFileBytes);
}

interface V11Head extends RequestHead {
  readonly header: SyncHeader;
}

const v11: Envelope<V11Head> = {
  readHead: async (req, context) => {
    const header = parseSyncHeader(req.headers[SYNC_HEADER]!);
    context.checkKey(header.k);
    return { bodyOnSocket: true, header };
  },
  decodeBody: (req, head, target, context) => decodeV11Request(req, head.header, target, context.maxDecodedBytes),
  writeReply,
};

interface LegacyHead extends RequestHead {
  readonly form: LegacyForm;
}

const legacy: Envelope<LegacyHead> = {
  readHead: async (req, context) => ({ bodyOnSocket: false, form: await readLegacyForm(req, context) }),
  decodeBody: (_req, head, target, context) =>
    decodeLegacyPayload(head.form, { limits: context.limits, target, mediaBegin: context.mediaBegin }),
  writeReply,
};

interface QueryHead extends RequestHead {
  readonly decoded: DecodedRequest;
}

/** The query is the whole request: read, its key checked, and handed over as it is. */
function beginQuery(query: URLSearchParams): Envelope<QueryHead> {
  return {
    readHead: async (_req, context) => {
      const decoded = decodeLegacyBeginQuery(query);
      context.checkKey(decoded.hostKey);
      return { bodyOnSocket: false, decoded };
    },
    decodeBody: async (_req, head) => head.decoded,
    writeReply,
  };
}
