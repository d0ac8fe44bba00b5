// Every protocol method, described once, and the paths that reach them: where
// it lives, whether it needs a host key, how its body is received, how large
// that body may be once decoded, how its input is parsed, whether it runs in
// the normal-sync session, and its handler. The request pipeline reads all of
// that from here; handlers see only their parsed input. The reference lists its methods the same way
// (rslib/src/sync/http_server/routes.rs, SyncMethod and MediaSyncMethod).
import { BadRequestError, MethodNotAllowedError, NotFoundError, ProtocolDriftError } from './errors.js';
import type { PayloadLimits, RequestBody, SyncReply, SyncRequest } from './protocol.js';
import type { NormalSyncSession } from './collection/normal-sync-session.js';
import type { User } from './user.js';
import { meta } from './collection/meta.js';
import { abort, applyChanges, applyChunk, applyGraves, chunk, finish, sanityCheck2, start } from './collection/normal-sync.js';
import { download, upload } from './collection/full-sync.js';
import {
  parseApplyChangesRequest,
  parseApplyChunkRequest,
  parseApplyGravesRequest,
  parseEmptyRequest,
  parseMetaRequest,
  parseSanityCheckRequest,
  parseStartRequest,
} from './collection/sync-data/wire.js';
import * as media from './media/methods.js';
import { parseBeginRequest, parseDownloadFilesRequest, parseMediaChangesRequest, parseMediaSanityRequest } from './media/requests.js';

/**
 * A method's input, read from the decoded request and checked as strictly as
 * the reference's serde request types (`MetaRequest`, `ApplyChunkRequest`…): a
 * body of the wrong shape is a 400 before the handler sees it.
 */
export type InputParser<Input> = (request: SyncRequest) => Input;

/** Answers one method with the user and the method's parsed input. */
export type MethodHandler<Input> = (user: User, input: Input, request: SyncRequest) => Promise<SyncReply> | SyncReply;

/** A step of a normal sync: runs inside the user's sync session (user.ts, withSyncSession). */
export type SessionStep<Input> = (
  session: NormalSyncSession,
  input: Input,
  user: User,
  request: SyncRequest,
) => Promise<SyncReply> | SyncReply;

export type SyncArea = 'sync' | 'msync';

/** What a method's cap is measured against. */
export interface MethodLimits extends PayloadLimits {
  /** MAX_SYNC_JSON_MEGS in bytes. */
  readonly maxJsonBytes: number;
}

export type BodyKind =
  /** `{"u","p"}`: tiny, and received before anyone is known. */
  | 'login'
  /** JSON, held in memory (spilled to a file while it waits for its turn when large). */
  | 'json'
  /** A file on disk: a whole collection, a media batch. */
  | 'spooled';

interface Descriptor {
  readonly area: SyncArea;
  readonly name: string;
  readonly body: BodyKind;
  /** Largest body once decoded, in bytes. */
  maxDecodedBytes(limits: MethodLimits): number;
}

/** A host-key method with its input type erased: `handle` parses the input, then runs the handler. */
export interface HostKeyMethod extends Descriptor {
  readonly auth: 'host-key';
  /**
   * Whether it writes to the storage disk: `in-session`, a step whose changes
   * wait in the sync's transaction; `commits`, it makes them durable (a full
   * upload, a media batch, `finish`). Before either, room is made
   * (storage/make-room.ts) and a spooled body whose size is known is refused at
   * once when it cannot fit; a commit that succeeds ends a "disk full" episode.
   */
  readonly writes: 'none' | 'in-session' | 'commits';
  handle(user: User, request: SyncRequest): Promise<SyncReply> | SyncReply;
}

export type MethodDescriptor =
  /** `hostKey`: the login itself; answered by the auth layer. */
  (Descriptor & { readonly auth: 'none' }) | HostKeyMethod;

const KIB = 1024;
const MIB = 1024 * KIB;
/** A login is `{"u","p"}`: anything bigger is not one. */
export const LOGIN_BYTES = 64 * KIB;
/** Requests with a fixed, small shape (meta, finish, a sanity count, 25 media names). */
const SMALL_BYTES = 1 * MIB;
/** applyGraves: 250 ids per request from real clients; the id list is capped in sync-data/wire.ts too. */
const GRAVES_BYTES = 4 * MIB;
/** downloadFiles: up to 1,000 names of up to 255 bytes, JSON-escaped (real clients send 25). */
const NAMES_BYTES = 4 * MIB;

const small = (): number => SMALL_BYTES;
const json = (limits: MethodLimits): number => limits.maxJsonBytes;
const spooled = (limits: MethodLimits): number => limits.maxUncompressedBytes;

/** A spooled body (a collection file, a media zip) is handed over as it was received. */
const asReceived: InputParser<RequestBody> = (request) => request.body;

/** A method on the user: its input is parsed before the handler runs, so a malformed body is a 400 that changes nothing. */
function method<Input>(
  area: SyncArea,
  name: string,
  body: BodyKind,
  cap: (limits: MethodLimits) => number,
  parse: InputParser<Input>,
  handler: MethodHandler<Input>,
): HostKeyMethod {
  return {
    area,
    name,
    auth: 'host-key',
    body,
    // A spooled body is a whole collection or a media batch, written to disk; the other methods only read.
    writes: body === 'spooled' ? 'commits' : 'none',
    maxDecodedBytes: cap,
    handle: (user, request) => handler(user, parse(request), request),
  };
}

/**
 * A step of a normal sync: the session is checked first, then the input is parsed
 * inside it, so a malformed step rolls the whole sync back, like any failed step
 * (user.ts, withSyncSession).
 */
function sessionStep<Input>(
  name: string,
  cap: (limits: MethodLimits) => number,
  parse: InputParser<Input>,
  step: SessionStep<Input>,
): HostKeyMethod {
  return {
    area: 'sync',
    name,
    auth: 'host-key',
    body: 'json',
    writes: name === 'finish' ? 'commits' : 'in-session',
    maxDecodedBytes: cap,
    handle: (user, request) => user.withSyncSession(request, (session) => step(session, parse(request), user, request)),
  };
}

export const METHODS: readonly MethodDescriptor[] = [
  { area: 'sync', name: 'hostKey', auth: 'none', body: 'login', maxDecodedBytes: () => LOGIN_BYTES },
  method('sync', 'meta', 'json', small, parseMetaRequest, meta),
  // A legacy start may carry every pending grave of the collection.
  method('sync', 'start', 'json', json, parseStartRequest, start),
  sessionStep('applyGraves', () => GRAVES_BYTES, parseApplyGravesRequest, applyGraves),
  sessionStep('applyChanges', json, parseApplyChangesRequest, applyChanges),
  sessionStep('chunk', small, parseEmptyRequest, chunk),
  sessionStep('applyChunk', json, parseApplyChunkRequest, applyChunk),
  sessionStep('sanityCheck2', small, parseSanityCheckRequest, sanityCheck2),
  sessionStep('finish', small, parseEmptyRequest, finish),
  method('sync', 'abort', 'json', small, parseEmptyRequest, abort),
  method('sync', 'upload', 'spooled', spooled, asReceived, upload),
  method('sync', 'download', 'json', small, parseEmptyRequest, download),
  method('msync', 'begin', 'json', small, parseBeginRequest, media.begin),
  method('msync', 'mediaChanges', 'json', small, parseMediaChangesRequest, media.mediaChanges),
  method('msync', 'uploadChanges', 'spooled', spooled, asReceived, media.uploadChanges),
  method('msync', 'downloadFiles', 'json', () => NAMES_BYTES, parseDownloadFilesRequest, media.downloadFiles),
  method('msync', 'mediaSanity', 'json', small, parseMediaSanityRequest, media.mediaSanity),
];

const BY_PATH = new Map(METHODS.map((m) => [`${m.area}/${m.name}`, m]));

export function findMethod(area: SyncArea, name: string): MethodDescriptor | undefined {
  return BY_PATH.get(`${area}/${name}`);
}

export type Route =
  | { readonly kind: 'health' }
  /** The home authority's root as an iOS profile (reach/apple-profile.ts): public, no account, no body read. */
  | { readonly kind: 'root-profile'; readonly head: boolean }
  | { readonly kind: 'sync'; readonly method: string; readonly descriptor: MethodDescriptor }
  | { readonly kind: 'msync'; readonly method: string; readonly descriptor: MethodDescriptor }
  /** Desktop 2.1.22–2.1.56 media begin: GET /msync/begin?k=…&v=… */
  | { readonly kind: 'msync-begin-get'; readonly query: URLSearchParams; readonly descriptor: MethodDescriptor };

/** Where the running server offers the home root as an iOS profile, so an iPhone opens it in Safari. */
export const ROOT_PROFILE_PATH = '/home-root.mobileconfig';

const METHOD_PATH = /^\/(sync|msync)\/([^/]+)$/;

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new BadRequestError(`invalid path segment: ${segment}`);
  }
}

/**
 * The only paths served (docs/protocol/transport-auth-media.md §1.1): POST
 * /sync/{method}, POST /msync/{method}, GET /msync/begin (legacy media begin),
 * GET|HEAD /health, GET|HEAD /home-root.mobileconfig (the home root for
 * iPhones; a 404 without a home authority). Any other path is a 404 with no body; a known path with the
 * wrong HTTP method is a 405; a method name that is not in the table is a 400.
 */
export function routeRequest(httpMethod: string | undefined, url: string | undefined): Route {
  const target = url ?? '';
  const queryAt = target.indexOf('?');
  const path = queryAt < 0 ? target : target.slice(0, queryAt);
  const query = new URLSearchParams(queryAt < 0 ? '' : target.slice(queryAt + 1));

  if (path === '/health') {
    if (httpMethod === 'GET' || httpMethod === 'HEAD') return { kind: 'health' };
    throw new MethodNotAllowedError(`${httpMethod} ${path}`);
  }
  if (path === ROOT_PROFILE_PATH) {
    if (httpMethod === 'GET' || httpMethod === 'HEAD') return { kind: 'root-profile', head: httpMethod === 'HEAD' };
    throw new MethodNotAllowedError(`${httpMethod} ${path}`);
  }
  const match = METHOD_PATH.exec(path);
  if (match === null) throw new NotFoundError(path);
  const [, area, segment] = match as unknown as [string, 'sync' | 'msync', string];
  const method = decodeSegment(segment);

  if (area === 'msync' && method === 'begin' && httpMethod === 'GET') {
    return { kind: 'msync-begin-get', query, descriptor: findMethod('msync', 'begin')! };
  }
  if (httpMethod !== 'POST') throw new MethodNotAllowedError(`${httpMethod} ${path}`);
  const descriptor = findMethod(area, method);
  if (descriptor === undefined) {
    throw new ProtocolDriftError(`unknown ${area} method: ${method}`, { kind: 'method', path: `${area}/${method}` }, '');
  }
  return { kind: area, method, descriptor };
}
