// Every protocol method, described once, and the paths that reach them: where it lives, whether it needs a
// host key, how its body is received, and how large that body may be once
// decoded. The request pipeline reads all of that from here; the handlers only
// see a decoded request. The reference lists its methods the same way
// (rslib/src/sync/http_server/routes.rs, SyncMethod and MediaSyncMethod).
import { BadRequestError, MethodNotAllowedError, NotFoundError, ProtocolDriftError } from './errors.js';
import type { MethodHandler, PayloadLimits } from './protocol.js';
import { meta } from './collection/meta.js';
import { abort, applyChanges, applyChunk, applyGraves, chunk, finish, sanityCheck2, start } from './collection/normal-sync.js';
import { download, upload } from './collection/full-sync.js';
import { mediaMethods } from './media/methods.js';

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

export type MethodDescriptor =
  /** `hostKey`: the login itself; answered by the auth layer. */
  (Descriptor & { readonly auth: 'none' }) | (Descriptor & { readonly auth: 'host-key'; readonly handler: MethodHandler });

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

function method(
  area: SyncArea,
  name: string,
  body: BodyKind,
  cap: (limits: MethodLimits) => number,
  handler: MethodHandler,
): MethodDescriptor {
  return { area, name, auth: 'host-key', body, maxDecodedBytes: cap, handler };
}

export const METHODS: readonly MethodDescriptor[] = [
  { area: 'sync', name: 'hostKey', auth: 'none', body: 'login', maxDecodedBytes: () => LOGIN_BYTES },
  method('sync', 'meta', 'json', small, meta),
  // A legacy start may carry every pending grave of the collection.
  method('sync', 'start', 'json', json, start),
  method('sync', 'applyGraves', 'json', () => GRAVES_BYTES, applyGraves),
  method('sync', 'applyChanges', 'json', json, applyChanges),
  method('sync', 'chunk', 'json', small, chunk),
  method('sync', 'applyChunk', 'json', json, applyChunk),
  method('sync', 'sanityCheck2', 'json', small, sanityCheck2),
  method('sync', 'finish', 'json', small, finish),
  method('sync', 'abort', 'json', small, abort),
  method('sync', 'upload', 'spooled', spooled, upload),
  method('sync', 'download', 'json', small, download),
  method('msync', 'begin', 'json', small, mediaMethods.begin),
  method('msync', 'mediaChanges', 'json', small, mediaMethods.mediaChanges),
  method('msync', 'uploadChanges', 'spooled', spooled, mediaMethods.uploadChanges),
  method('msync', 'downloadFiles', 'json', () => NAMES_BYTES, mediaMethods.downloadFiles),
  method('msync', 'mediaSanity', 'json', small, mediaMethods.mediaSanity),
];

const BY_PATH = new Map(METHODS.map((m) => [`${m.area}/${m.name}`, m]));

export function findMethod(area: SyncArea, name: string): MethodDescriptor | undefined {
  return BY_PATH.get(`${area}/${name}`);
}

export type Route =
  | { readonly kind: 'health' }
  | { readonly kind: 'sync'; readonly method: string }
  | { readonly kind: 'msync'; readonly method: string }
  /** Desktop 2.1.22–2.1.56 media begin: GET /msync/begin?k=…&v=… */
  | { readonly kind: 'msync-begin-get'; readonly query: URLSearchParams };

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
 * GET|HEAD /health. Any other path is a 404 with no body; a known path with the
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
  const match = METHOD_PATH.exec(path);
  if (match === null) throw new NotFoundError(path);
  const [, area, segment] = match as unknown as [string, 'sync' | 'msync', string];
  const method = decodeSegment(segment);

  if (area === 'msync' && method === 'begin' && httpMethod === 'GET') return { kind: 'msync-begin-get', query };
  if (httpMethod !== 'POST') throw new MethodNotAllowedError(`${httpMethod} ${path}`);
  if (findMethod(area, method) === undefined) {
    throw new ProtocolDriftError(`unknown ${area} method: ${method}`, { kind: 'method', path: `${area}/${method}` }, '');
  }
  return { kind: area, method };
}
